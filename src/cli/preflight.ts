// The preflight: before any test, one GET of the collection without a token and one as each principal, all at
// once. Input that is provably wrong (nothing answers, a web page or a 404 where the collection should be, a
// token whose own expiry contradicts the principals file) ends the run in seconds with one line (exit 2). A target
// that answers JSON but misbehaves (accepts no token, an expired or wrong-audience token, lists without `value`)
// is judged, never blamed on the input: each such answer is a finding, filed under its requirement with the
// exchange as evidence, and the run goes on to its verdict.
import { decodeJwt } from 'jose';
import { COLLECTION, ConfigError, decide } from '../contract';
import { Transport, TransportError, type Exchange } from '../transport/http';
import { Inconclusive } from '../core/outcomes';
import type { Principal } from '../auth/principals';

const HINT = 'does TARGET_BASE_URL end with the version segment, e.g. /beta?';

/** Short enough to fail in seconds, long enough for a tenant's cold first answer. */
const TIMEOUT_MS = 5_000;

/** What the preflight found against the target: a requirement it fails, the answer that shows it, and advice. */
export interface PreflightFinding {
  requirement: string;
  summary: string;
  expected: string;
  received: string;
  exchange: Exchange;
  /** A line for a person, printed after the verdict: what else the answer might mean. */
  hint: string;
}

/** The preflight's outcome: findings against the target, and hints that judge nothing (e.g. a valid token refused). */
export interface PreflightResult {
  findings: PreflightFinding[];
  hints: string[];
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

/** Not a Graph API at this URL at all: a 404 or redirect, a web page, a body that is not JSON. The input is wrong. */
function notGraph(url: string, p: Probe): string | undefined {
  const ex = p.exchange;
  // A 5xx says nothing about the URL; the suite reports it (RAA-NO-5XX) if it persists.
  if (!ex || ex.status >= 500) return undefined;
  const answered = `GET ${url}${as(p)} answered ${ex.status} (${mediaType(ex)})`;
  if (ex.status === 404) return `${answered}: no remoteActionAudits collection there; ${HINT}`;
  if (ex.status >= 300 && ex.status < 400) return `${answered}, a redirect${ex.headers.location ? ` to ${ex.headers.location}` : ''}, not a Graph JSON answer; ${HINT}`;
  // An error answer in the wrong shape is the target's (RAA-ERROR-ENVELOPE); a page or text where data belongs is a wrong URL.
  if (ex.status >= 400) return undefined;
  if (mediaType(ex) === 'text/html') return `${answered}, a web page, not a Graph JSON answer; ${HINT}`;
  if (ex.text.trim() !== '' && ex.json === undefined) return `${answered} with a body that is not JSON; ${HINT}`;
  return undefined;
}

const ok = (ex: Exchange) => ex.status >= 200 && ex.status < 300;

/** A 2xx list without a `value` array (a bare array, a lone object): the target's list is not a Graph collection. */
function listWithoutValue(url: string, p: Probe): PreflightFinding | undefined {
  const ex = p.exchange;
  if (!ex || !ok(ex) || Array.isArray((ex.json as { value?: unknown } | undefined)?.value)) return undefined;
  return {
    requirement: 'RAA-LIST-200', exchange: ex, expected: '200 with {"value": [ … ]}', received: `${ex.status} with ${Array.isArray(ex.json) ? 'a bare JSON array' : 'no "value" array'}`,
    summary: `GET ${url}${as(p)} answers ${ex.status} without a "value" array: not a Graph collection`,
    hint: `the list at ${url} has no "value" array; if this URL is not the collection, ${HINT}`,
  };
}

/** The requirement a token of this state must be refused under, and what it is in words. */
const REFUSED: Record<Exclude<Principal['tokenState'], 'valid'>, { requirement: string; what: string }> = {
  expired: { requirement: 'RAA-AUTH-EXPIRED', what: 'an expired token' },
  'wrong-audience': { requirement: 'RAA-AUTH-AUDIENCE', what: 'a token for another audience' },
};

/** No token, or a token the file says must be refused (expired, wrong audience), is accepted: the target checks nothing. */
function refusedTokenAccepted(url: string, p: Probe): PreflightFinding | undefined {
  const { principal, exchange: ex } = p;
  if (!ex || !ok(ex) || principal?.tokenState === 'valid') return undefined;
  if (!principal) {
    return {
      requirement: 'RAA-AUTH-MISSING', exchange: ex, expected: '401', received: String(ex.status),
      summary: `GET ${url} without an Authorization header answers ${ex.status}: the target serves the collection to anyone`,
      hint: 'the target answered a request that carried no token: it checks no authentication at all',
    };
  }
  const r = REFUSED[principal.tokenState];
  return {
    requirement: r.requirement, exchange: ex, expected: '401', received: String(ex.status),
    summary: `GET ${url} as "${principal.name}" (${r.what}) answers ${ex.status}: the token is accepted`,
    hint: `principal "${principal.name}" holds ${r.what} (tokenState ${principal.tokenState}) and the target accepted it; if the token is in fact current, correct its tokenState in the principals file`,
  };
}

/** A valid token refused: expired, for another tenant or API, or a target's fault. Advice only: the tests judge it. */
function validTokenRefused(p: Probe): string | undefined {
  const { principal, exchange } = p;
  if (!principal || !exchange || exchange.status !== 401 || principal.tokenState !== 'valid') return undefined;
  // Personal accounts must be refused (RAA-PERM-PERSONAL); for a principal the matrix denies, 401 versus 403 is
  // itself a requirement (RAA-PERM-DENY-403) and the suite judges it.
  if (principal.type === 'delegated-personal' || decide('list', principal.type, principal.permissions) === 'denied') return undefined;
  return `principal "${principal.name}": the target refused its token (401) although its tokenState is valid: is the token current and issued for this target?`;
}

/**
 * A JWT whose own `exp` contradicts the principals file (`valid` but expired, `expired` but still current) makes
 * every verdict about tokens meaningless: the file is provably wrong. Opaque tokens say nothing and pass.
 */
export function tokenContradiction(p: Principal, now = Date.now()): string | undefined {
  if (p.renewal || p.tokenState === 'wrong-audience') return undefined;
  let exp: unknown;
  try { exp = decodeJwt(p.token).exp; } catch { return undefined; }
  if (typeof exp !== 'number') return undefined;
  const at = new Date(exp * 1000).toISOString();
  if (p.tokenState === 'valid' && exp * 1000 <= now) return `principal "${p.name}": its token expired at ${at} (the JWT's exp) but its tokenState is valid: renew the token, or set "tokenState": "expired"`;
  if (p.tokenState === 'expired' && exp * 1000 > now) return `principal "${p.name}": its tokenState is expired but its token is current until ${at} (the JWT's exp): use an expired token, or set "tokenState": "valid"`;
  return undefined;
}

/**
 * Throws a ConfigError (one line, no token in it) when the input is provably wrong: a token contradicting the
 * file, a target that does not answer, or a URL where no Graph API answers. Otherwise returns what the target's
 * answers already show against it (findings, judged in the run) and hints for a person.
 */
export async function preflight(target: string, principals: readonly Principal[] = []): Promise<PreflightResult> {
  const contradiction = principals.map((p) => tokenContradiction(p)).find(Boolean);
  if (contradiction) throw new ConfigError(contradiction);
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
  const problem = probes.map((p) => notGraph(url, p)).find(Boolean);
  if (problem) throw new ConfigError(problem);
  const found = probes.flatMap((p) => [refusedTokenAccepted(url, p), listWithoutValue(url, p)]).filter((f): f is PreflightFinding => f !== undefined);
  // One finding per requirement: the first answer that shows it is evidence enough.
  const findings = found.filter((f, i) => found.findIndex((g) => g.requirement === f.requirement) === i);
  return { findings, hints: [...new Set([...findings.map((f) => f.hint), ...probes.map(validTokenRefused).filter((h): h is string => h !== undefined)])] };
}
