// The preflight: before any test, one GET of the collection without a token and one as each principal, all at
// once, so a dead target, a wrong base URL, a web page or a token the target disagrees about ends the run in
// seconds with one line (exit 2) instead of as hundreds of failed checks.
import { COLLECTION, ConfigError, decide } from '../contract';
import { Transport, TransportError, type Exchange } from './http';
import { Inconclusive } from '../checks/outcomes';
import type { Principal } from '../auth/principals';

const HINT = 'does TARGET_BASE_URL end with the version segment, e.g. /beta?';

/** Short enough to fail in seconds, long enough for a tenant's cold first answer. */
const TIMEOUT_MS = 5_000;

export interface PreflightOptions {
  /**
   * Judge what each principal's answer says about its token (default true). Off for a reference server broken on
   * purpose: it mints its own tokens, so a disagreement there is the defect under test, not a configuration mistake.
   */
  checkTokens?: boolean;
}

/** One request's outcome: an answer, no answer at all, or only "try later" (never held against the target here). */
interface Probe {
  principal?: Principal;
  exchange?: Exchange;
  unreachable?: string;
}

const mediaType = (ex: Exchange) => ex.headers['content-type']?.split(';')[0]!.trim().toLowerCase() || 'no media type';
const as = (p: Probe) => (p.principal ? ` as "${p.principal.name}"` : ' without a token');

async function probe(t: Transport, url: string, principal?: Principal): Promise<Probe> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(principal ? { Authorization: `Bearer ${principal.token}` } : {}) };
  try {
    return { principal, exchange: await t.send({ method: 'GET', url, headers }) };
  } catch (e) {
    if (e instanceof Inconclusive) return { principal };
    if (e instanceof TransportError) return { principal, unreachable: e.message.replace(/^GET \S+ failed without an HTTP response: /, '') };
    throw e;
  }
}

/** Not an answer from a Graph collection: a 404 or redirect, a web page, a body that is not JSON, or a 2xx without `value`. */
function notGraph(url: string, p: Probe): string | undefined {
  const ex = p.exchange;
  // A 5xx says nothing about the URL; the suite reports it (RAA-NO-5XX) if it persists.
  if (!ex || ex.status >= 500) return undefined;
  const answered = `GET ${url}${as(p)} answered ${ex.status} (${mediaType(ex)})`;
  if (ex.status === 404) return `${answered}: no remoteActionAudits collection there; ${HINT}`;
  if (ex.status >= 300 && ex.status < 400) return `${answered}, a redirect${ex.headers.location ? ` to ${ex.headers.location}` : ''}, not a Graph JSON answer; ${HINT}`;
  if (mediaType(ex) === 'text/html') return `${answered}, a web page, not a Graph JSON answer; ${HINT}`;
  if (ex.text.trim() !== '' && ex.json === undefined) return `${answered} with a body that is not JSON; ${HINT}`;
  const ok = ex.status >= 200 && ex.status < 300;
  if (ok && !Array.isArray((ex.json as { value?: unknown } | undefined)?.value)) return `${answered} without a "value" array, not a Graph collection; ${HINT}`;
  return undefined;
}

/** A valid token refused: expired, for another tenant or API, or not what the file says. */
function validTokenRefused(p: Probe): string | undefined {
  const { principal, exchange } = p;
  if (!principal || !exchange || exchange.status !== 401 || principal.tokenState !== 'valid') return undefined;
  // Personal accounts must be refused (RAA-PERM-PERSONAL); for a principal the matrix denies, 401 versus 403 is
  // itself a requirement (RAA-PERM-DENY-403) and the suite judges it.
  if (principal.type === 'delegated-personal' || decide('list', principal.type, principal.permissions) === 'denied') return undefined;
  return `principal "${principal.name}": the target refuses its token (401) although its tokenState is valid: is the token current and issued for this target?`;
}

/** A token the file says must be refused (expired, wrong audience) is accepted: the file is wrong, or the target checks nothing. */
function refusedTokenAccepted(p: Probe): string | undefined {
  const { principal, exchange } = p;
  if (!principal || !exchange || principal.tokenState === 'valid' || exchange.status < 200 || exchange.status >= 300) return undefined;
  return `principal "${principal.name}": the target accepts its token (${exchange.status}) although its tokenState is ${principal.tokenState}: correct tokenState in the principals file, or leave the principal out if the target does not check ${principal.tokenState === 'expired' ? 'expiry (RAA-AUTH-EXPIRED)' : 'the audience (RAA-AUTH-AUDIENCE)'}`;
}

/**
 * Throws a ConfigError (one line, no token in it) when the target does not answer like a Graph collection or
 * disagrees with the principals file. With no principals it only checks the target answers and the URL is right.
 */
export async function preflight(target: string, principals: readonly Principal[] = [], opts: PreflightOptions = {}): Promise<void> {
  const url = `${target}${COLLECTION}`;
  // A couple of short waits on 429/503, then the probe counts as no answer either way.
  const t = new Transport({ timeoutMs: TIMEOUT_MS, maxRetries: 2, retryBudgetMs: 4_000 });
  let probes: Probe[];
  try {
    probes = await Promise.all([undefined, ...principals].map((p) => probe(t, url, p)));
  } finally {
    await t.close();
  }
  // A dropped connection among answers is a fault of the moment; only a target that answers nobody is down.
  const down = probes.find((p) => p.unreachable);
  if (down && probes.every((p) => p.unreachable)) throw new ConfigError(`the target ${target} does not answer HTTP: ${down.unreachable}`);
  const checks = [(p: Probe) => notGraph(url, p), ...(opts.checkTokens === false ? [] : [validTokenRefused, refusedTokenAccepted])];
  for (const check of checks) {
    const problem = probes.map(check).find(Boolean);
    if (problem) throw new ConfigError(problem);
  }
}
