// `raa-conformance cleanup`: deletes records earlier runs left on a target, found by the marker at the start of
// deviceDisplayName, and nothing else. It reads whatever list the target gives (Graph's `{ "value": [...] }` or a
// bare JSON array, string or numeric ids), follows @odata.nextLink only within the target, and says plainly when
// it cannot read the list.
import { linkProblem } from '../checks/checks';
import { COLLECTION, ConfigError, decide, entityId } from '../contract';
import { EXIT } from '../report/exit-code';
import { Transport, TransportError, type Exchange } from '../transport/http';
import { Inconclusive } from '../core/outcomes';
import { mayAct, type Principal } from '../auth/principals';
import { MARKER_PREFIX } from '../config/runtime';

export interface CleanupOptions {
  /** Base URL with the version segment. */
  target: string;
  principals: readonly Principal[];
  /** Only this run's records; every run's when unset. */
  runId?: string;
  /** List what would be deleted, delete nothing. */
  dryRun: boolean;
  timeoutMs?: number;
  rateLimit?: number;
  retryBudgetMs?: number;
  /** The list is read at most this many pages (default 1000). */
  maxPages?: number;
  /** Where the report lines go (default stdout). */
  write?: (line: string) => void;
}

export interface MarkedRecord {
  id: string;
  name: string;
}

export interface MarkedList {
  records: MarkedRecord[];
  /** The page bound was reached with more pages to go. */
  truncated: boolean;
}

const cannotRead = (url: string, why: string) => new ConfigError(`cannot read the list at ${url}: ${why}`);

function problemWith(ex: Exchange): string | undefined {
  const type = ex.headers['content-type'] ?? 'no Content-Type';
  if (ex.status !== 200) {
    const code = (ex.json as { error?: { code?: unknown } } | null | undefined)?.error?.code;
    return `it answered ${ex.status}${typeof code === 'string' ? ` (${code})` : ''} where 200 is due`;
  }
  if (ex.json === undefined) return `the answer is not JSON (${type}, ${ex.text.length} characters)`;
  return undefined;
}

/** The items of a list answer: Graph's `value`, or a bare array; undefined when it is neither. */
function itemsOf(json: unknown): unknown[] | undefined {
  if (Array.isArray(json)) return json;
  const value = typeof json === 'object' && json !== null ? (json as { value?: unknown }).value : undefined;
  return Array.isArray(value) ? value : undefined;
}

/** Every record on the target whose deviceDisplayName starts with `prefix`, read page by page as `lister`. */
export async function findMarked(transport: Transport, target: string, lister: Principal, prefix: string, maxPages = 1000): Promise<MarkedList> {
  const byId = new Map<string, MarkedRecord>();
  const read = new Set<string>();
  let url: string | undefined = `${target}${COLLECTION}`;
  for (let page = 0; url && page < maxPages; page++) {
    read.add(url);
    let ex: Exchange;
    try {
      ex = await transport.send({ method: 'GET', url, headers: { Accept: 'application/json', Authorization: `Bearer ${lister.token}` } });
    } catch (e) {
      if (e instanceof TransportError || e instanceof Inconclusive) throw cannotRead(url, e.message);
      throw e;
    }
    const problem = problemWith(ex);
    if (problem) throw cannotRead(url, problem);
    const items = itemsOf(ex.json);
    if (!items) throw cannotRead(url, 'the answer is neither a JSON array nor an object with a "value" array');
    for (const item of items) {
      const id = entityId(item);
      const name = (item as { deviceDisplayName?: unknown } | undefined)?.deviceDisplayName;
      if (id !== undefined && typeof name === 'string' && name.startsWith(prefix)) byId.set(id, { id, name });
    }
    const next = Array.isArray(ex.json) ? undefined : (ex.json as Record<string, unknown>)['@odata.nextLink'];
    if (next === undefined) return { records: [...byId.values()], truncated: false };
    // The lister's token goes to the target only; a link elsewhere, or back to a page already read, is not followed.
    const refused = linkProblem(next, target);
    if (refused) throw cannotRead(url, `its @odata.nextLink ${JSON.stringify(next)} is not followed: ${refused}`);
    if (read.has(next as string)) throw cannotRead(url, `its @odata.nextLink leads back to a page already read (${next as string})`);
    url = next as string;
  }
  return { records: [...byId.values()], truncated: url !== undefined };
}

/**
 * Lists the marked records and, unless it is a dry run, deletes them. Returns the exit code: 0 when every marked
 * record is gone (or would be), 1 when some could not be deleted or the list was longer than the page bound.
 * Throws a ConfigError (exit 2, one line) when no principal may list or delete, or the list cannot be read.
 */
export async function removeMarked(o: CleanupOptions): Promise<number> {
  const write = o.write ?? ((line: string) => { process.stdout.write(`${line}\n`); });
  const valid = o.principals.filter(mayAct);
  // Records live in the tenant that created them and are invisible to the others: each tenant is cleaned as itself.
  const tenants = [...new Set(valid.map((p) => p.tenant))];
  const plans = tenants.map((tenant) => {
    const mine = valid.filter((p) => p.tenant === tenant);
    return { tenant, lister: mine.find((p) => decide('list', p.type, p.permissions) === 'allowed'), deleter: mine.find((p) => decide('delete', p.type, p.permissions) === 'allowed') };
  });
  if (!plans.some((t) => t.lister)) throw new ConfigError('no principal may list remoteActionAudits (needs DeviceManagementManagedDevices.Read.All or ReadWrite.All)');
  if (!o.dryRun && !plans.some((t) => t.lister && t.deleter)) throw new ConfigError('no principal may delete remoteActionAudits (needs DeviceManagementManagedDevices.ReadWrite.All)');
  const prefix = `${MARKER_PREFIX}${o.runId ? `${o.runId}/` : ''}`;
  const transport = new Transport({ ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}), ...(o.rateLimit !== undefined ? { rateLimit: o.rateLimit } : {}), ...(o.retryBudgetMs !== undefined ? { retryBudgetMs: o.retryBudgetMs } : {}) });
  let code: number = EXIT.ok;
  try {
    for (const plan of plans) {
      const label = tenants.length > 1 ? `tenant ${plan.tenant ?? '(default)'}: ` : '';
      if (!plan.lister) { write(`${label}no principal of this tenant may list remoteActionAudits: its records were not looked at`); code = EXIT.nonConformant; continue; }
      const c = await cleanTenant(o, transport, plan.lister, o.dryRun ? undefined : plan.deleter, prefix, label, write);
      code = Math.max(code, c);
    }
    return code;
  } finally {
    await transport.close();
  }
}

/** One tenant's marked records, listed as `lister` and deleted as `deleter` (none: a dry run, or nobody may). */
async function cleanTenant(o: CleanupOptions, transport: Transport, lister: Principal, deleter: Principal | undefined, prefix: string, label: string, write: (line: string) => void): Promise<number> {
  {
    const { records, truncated } = await findMarked(transport, o.target, lister, prefix, o.maxPages);
    write(`${label}${records.length} record(s) carry the marker ${prefix}`);
    if (!o.dryRun && !deleter && records.length) { write(`${label}no principal of this tenant may delete them (needs DeviceManagementManagedDevices.ReadWrite.All)`); return EXIT.nonConformant; }
    if (truncated) write(`the list goes on past ${o.maxPages ?? 1000} pages: records beyond them were not looked at; run cleanup again afterwards`);
    let failed = 0;
    for (const r of records) {
      if (o.dryRun) { write(`  would delete ${r.id}  ${r.name.slice(0, 80)}`); continue; }
      let outcome: string;
      try {
        const ex = await transport.send({ method: 'DELETE', url: `${o.target}${COLLECTION}/${encodeURIComponent(r.id)}`, headers: { Authorization: `Bearer ${deleter!.token}` } });
        outcome = ex.status === 204 || ex.status === 404 ? 'deleted' : `NOT deleted (${ex.status})`;
      } catch (e) {
        if (!(e instanceof TransportError || e instanceof Inconclusive)) throw e;
        outcome = `NOT deleted (${e.message})`;
      }
      if (outcome !== 'deleted') failed++;
      write(`  ${outcome} ${r.id}`);
    }
    write(o.dryRun ? `${label}dry run: nothing deleted` : `${label}deleted ${records.length - failed}, failed ${failed}`);
    return failed || truncated ? EXIT.nonConformant : EXIT.ok;
  }
}
