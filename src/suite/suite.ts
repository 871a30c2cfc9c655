// The conformance suite's Playwright fixtures: `graph` (a client for the target that records exchanges and
// tracks what it creates), `check` (the checks bound to the requirement the test cites) and `cite` (tags a test
// with the requirement it checks, its level, and what it needs of the run).
// Built on Playwright's base test type, without browser fixtures (src/suite/playwright-adapter.ts says why).
import type { TestInfo } from '@playwright/test';
import { baseTest as base, keepWorkerAfterFinding } from './playwright-adapter';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { COLLECTION, decide, entityId, listValue, permissionMatrix, requirement, type Operation } from '../contract';
import { OPERATIONS, PRINCIPAL_TYPES } from '../../schemas/suite';
import { BLOCKED_BY, errorNamed, isInconclusive, NOT_TESTED, NotObserved, type BlockedNote, type NotTestedKind, type NotTestedNote } from '../core/outcomes';
import { checkProperty, type PropertySpec, type SharedSend } from '../checks/property';
import { checksFor, linkProblem, linkWithinTarget, type Checks } from '../checks/checks';
import { ORACLE_ATTACHMENT, OracleCollector } from '../checks/oracles';
import { mapLimit, RetryLedger, Transport, TRANSPORT_ERROR, type Exchange } from '../transport/http';
import { mayAct, type Principal } from '../auth/principals';
import { selectProject, type Runtime } from '../config/runtime';
import { WRITES_SKIP } from './suite-constants';
import { FAILURE_ATTACHMENT, failureOf, isCheckFailure, namePrincipals, startTest } from '../checks/failure';
import { TokenRenewal } from '../auth/token-renewal';
import { setting } from '../core/settings';

/** When this worker had loaded the suite's modules (its first test file imports this one): bench figure 6, the matrix's cost per mode. */
const SUITE_LOADED_AT = Date.now();
let testsEndedAt = 0;

export { COLLECTION };

/**
 * What a test needs of the run before it can judge anything: writes allowed, a principal the permission matrix
 * allows an operation, or one it refuses (`refused:create`). A test whose needs are not met is not tested, with a
 * reason that names what would enable it.
 */
export type Need = 'writes' | Operation | `refused:${Operation}`;

/** The annotation carrying a test's needs (or a describe's: Playwright hands those to each test in it). */
const NEEDS = 'raa-needs';

/** Details for a describe whose tests all share `list` (cite's `needs` for a single test). */
export function needs(...list: Need[]) {
  return { annotation: list.length ? [{ type: NEEDS, description: list.join(' ') }] : [] };
}

/**
 * Test details for one requirement: its tags (`@RAA-…`, its level `@MUST`/`@SHOULD`/`@MAY`, and `@tentative`),
 * so `--grep` selects by any of them; an annotation the conformance report and the `check` fixture read; and
 * what the test needs of the run.
 */
export function cite(id: string, o: { needs?: readonly Need[]; tag?: string[] } = {}) {
  const r = requirement(id); // an unknown id fails at collection time
  return {
    tag: [`@${id}`, `@${r.level}`, ...(r.tentative ? ['@tentative'] : []), ...(o.tag ?? [])],
    annotation: [{ type: 'requirement', description: id }, ...needs(...(o.needs ?? [])).annotation],
  };
}

export interface SendOptions {
  method: string;
  /** Path under the collection: '' for the collection, '/{id}' for an item. */
  path?: string;
  query?: string;
  as?: Principal | null;
  /** Literal Authorization header value (for malformed or tampered tokens). */
  authorization?: string;
  /** Request headers; null sends none of that name (`Accept: null`: no Accept at all). */
  headers?: Record<string, string | null>;
  json?: unknown;
  raw?: string;
  contentType?: string | null;
  /** The suite's housekeeping (cleanup): kept from the every-response oracles, which judge only what tests receive. */
  unjudged?: boolean;
}

const idOf = (ex: Exchange) => entityId(ex.json);

export class Graph {
  readonly created = new Set<string>();
  /** True when the last `pages()` stopped at its bound with more pages to go. */
  truncated = false;

  readonly tokens: TokenRenewal;

  constructor(readonly runtime: Runtime, readonly transport: Transport, tokens?: TokenRenewal) {
    this.tokens = tokens ?? new TokenRenewal({ ...(runtime.renewedTokensFile ? { renewedFile: runtime.renewedTokensFile } : {}) });
  }

  /** The principal's current bearer token (renewed shortly before it expires). */
  bearer(p: Principal): Promise<string> {
    return this.tokens.bearer(p);
  }

  get collectionUrl(): string {
    return `${this.runtime.target}${COLLECTION}`;
  }

  itemUrl(id: string): string {
    return `${this.collectionUrl}/${encodeURIComponent(id)}`;
  }

  principal(name: string): Principal | undefined {
    return this.runtime.principals.find((p) => p.name === name);
  }

  /**
   * The tenant the suite acts in: that of the first valid principal that is not a personal account. A record is
   * reachable only from its own tenant (GRAPH-FACTS §11), so every test but the tenancy checks stays in this one.
   */
  get homeTenant(): string | undefined {
    return this.runtime.principals.find(mayAct)?.tenant;
  }

  /** The tenants of valid principals that are not personal accounts, the home tenant first (undefined: the default tenant). */
  get tenants(): (string | undefined)[] {
    return [...new Set(this.runtime.principals.filter(mayAct).map((p) => p.tenant))];
  }

  /** Valid-token principals of the home tenant the matrix gives `decision` for `op`, application ones first. */
  principalsWith(op: Operation, decision: 'allowed' | 'denied'): Principal[] {
    return this.principalsIn(op, decision, this.homeTenant);
  }

  /** Valid-token principals of `tenant` the matrix gives `decision` for `op`, application ones first. */
  principalsIn(op: Operation, decision: 'allowed' | 'denied', tenant: string | undefined): Principal[] {
    return this.runtime.principals
      .filter((p) => mayAct(p) && p.tenant === tenant && decide(op, p.type, p.permissions) === decision)
      .sort((a, b) => (a.type === b.type ? 0 : a.type === 'application' ? -1 : 1));
  }

  /** The principal the suite acts as for `op`; undefined when none is configured. */
  actor(op: Operation): Principal | undefined {
    return this.actorIn(op, this.homeTenant);
  }

  /** The principal the suite acts as for `op` in `tenant`; undefined when none is configured there. */
  actorIn(op: Operation, tenant: string | undefined): Principal | undefined {
    return this.principalsIn(op, 'allowed', tenant)[0];
  }

  /**
   * Deletes, each time it is called, the records created since it was made: a long property calls it between
   * chunks of samples, so its records are never all alive at once (on the target, and in `created`).
   */
  releaseSince(): () => Promise<void> {
    const before = new Set(this.created);
    return async () => { await this.cleanup([...this.created].filter((id) => !before.has(id))); };
  }

  /** Adds the run marker so the record is recognisably this suite's (and this run's). */
  mark<T extends Record<string, unknown>>(body: T): T {
    const name = body.deviceDisplayName;
    // A deliberately wrong type stays as it is: the case is about that value, and a server must refuse it.
    if (name !== undefined && name !== null && typeof name !== 'string') return body;
    return { ...body, deviceDisplayName: `${this.runtime.marker}${name ?? ''}` };
  }

  async send(o: SendOptions): Promise<Exchange> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries({ Accept: 'application/json', ...(o.headers ?? {}) })) if (v !== null) headers[k] = v;
    if (o.authorization !== undefined) headers.Authorization = o.authorization;
    else if (o.as) headers.Authorization = `Bearer ${await this.bearer(o.as)}`;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.json !== undefined) body = JSON.stringify(o.json);
    if (body !== undefined && o.contentType !== null) headers['Content-Type'] = o.contentType ?? 'application/json';
    const url = `${this.collectionUrl}${o.path ?? ''}${o.query ? `?${o.query}` : ''}`;
    const ex = await this.transport.send({ method: o.method, url, headers, body }, { unjudged: o.unjudged ?? false });
    if (o.method === 'POST' && (o.path ?? '') === '' && ex.status >= 200 && ex.status < 300) this.track(ex, o.as);
    return ex;
  }

  /** POST a create body as `as` (default: the create actor). */
  create(json: unknown, o: Omit<SendOptions, 'method' | 'json'> = {}): Promise<Exchange> {
    return this.send({ method: 'POST', json, as: o.as === undefined ? this.actor('create') : o.as, ...o });
  }

  get(id: string, o: Omit<SendOptions, 'method' | 'path'> = {}): Promise<Exchange> {
    return this.send({ method: 'GET', path: `/${encodeURIComponent(id)}`, as: o.as === undefined ? this.actor('get') : o.as, ...o });
  }

  patch(id: string, json: unknown, o: Omit<SendOptions, 'method' | 'path' | 'json'> = {}): Promise<Exchange> {
    return this.send({ method: 'PATCH', path: `/${encodeURIComponent(id)}`, json, as: o.as === undefined ? this.actor('update') : o.as, ...o });
  }

  async remove(id: string, o: Omit<SendOptions, 'method' | 'path'> = {}): Promise<Exchange> {
    const ex = await this.send({ method: 'DELETE', path: `/${encodeURIComponent(id)}`, as: o.as === undefined ? this.actor('delete') : o.as, ...o });
    if (ex.status === 204) { this.created.delete(id); this.createdIn.delete(id); }
    return ex;
  }

  /** The link the last `pages()` refused to follow (see linkProblem in src/checks/checks.ts), with the page that gave it. */
  badLink: { link: unknown; reason: string; exchange: Exchange } | undefined;

  /**
   * Pages through the collection, following @odata.nextLink at most `maxPages` times, and only within the
   * target's origin. A link it will not follow ends the paging and is kept in `badLink`; with `requirement`,
   * it is that requirement's failure (thrown to the loop over the pages) with the link as evidence.
   */
  async *pages(o: { as?: Principal; headers?: Record<string, string>; maxPages?: number; requirement?: string } = {}): AsyncGenerator<Exchange> {
    const as = o.as ?? this.actor('list');
    let url: string | undefined = this.collectionUrl;
    this.truncated = false;
    this.badLink = undefined;
    for (let i = 0; url && i < (o.maxPages ?? 50); i++) {
      const headers: Record<string, string> = { Accept: 'application/json', ...(o.headers ?? {}) };
      if (as) headers.Authorization = `Bearer ${await this.bearer(as)}`;
      const ex: Exchange = await this.transport.send({ method: 'GET', url, headers });
      yield ex;
      const page = ex.json;
      const next = typeof page === 'object' && page !== null && !Array.isArray(page) ? (page as Record<string, unknown>)['@odata.nextLink'] : undefined;
      url = undefined;
      if (ex.status !== 200 || next === undefined) break;
      const reason = linkProblem(next, this.runtime.target);
      if (reason !== undefined) {
        this.badLink = { link: next, reason, exchange: ex };
        if (o.requirement) linkWithinTarget(o.requirement, ex, next, this.runtime.target);
        break;
      }
      url = next as string;
    }
    this.truncated = url !== undefined;
  }

  /** The objects in a list page's `value` (or none): whatever a target answers, reading it never throws. */
  static items(ex: Exchange): Record<string, unknown>[] {
    return listValue(ex.json).filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null && !Array.isArray(i));
  }

  /** The ids of a list page's items, as strings like those createRecord returns. */
  static ids(ex: Exchange): string[] {
    return Graph.items(ex).map(entityId).filter((id): id is string => id !== undefined);
  }

  /** Creates a marked record from `body` and returns its exchange and id (undefined id when not created). */
  async createRecord(body: Record<string, unknown>, o: Omit<SendOptions, 'method' | 'json'> = {}): Promise<{ ex: Exchange; id?: string; sent: Record<string, unknown> }> {
    const sent = this.mark(body);
    const ex = await this.create(sent, o);
    const id = ex.status === 201 ? idOf(ex) : undefined;
    return { ex, sent, ...(id !== undefined ? { id } : {}) };
  }

  /** Records this worker has created over the run: every 2xx answer to a create, whether or not it gave an id. */
  createdTotal = 0;
  private unidentified = 0;

  /** The tenant of each record created outside the home tenant: only a principal of that tenant can delete it. */
  private readonly createdIn = new Map<string, string | undefined>();

  private track(ex: Exchange, as: Principal | null | undefined): void {
    const id = idOf(ex);
    if (id === undefined) {
      // The record may exist, but nothing can name it for deletion: it counts as created and as left.
      this.createdTotal++;
      const rid = ex.headers['request-id'];
      this.left.add(`(unidentified record ${++this.unidentified} from ${ex.request.method} ${ex.request.url} status ${ex.status}${rid ? `, request-id ${rid}` : ''})`);
    } else if (!this.created.has(id)) {
      // An id this worker already holds is the same record by the target's own account: counted once.
      this.created.add(id);
      this.createdTotal++;
      if (as && as.tenant !== this.homeTenant) this.createdIn.set(id, as.tenant);
    }
  }

  /** Ids this worker could not remove, kept for the run's summary. */
  readonly left = new Set<string>();

  /**
   * Deletes records this worker created (all of them, or just `ids`), each as a principal of the tenant it was
   * created in, when one may; returns the ids it could not remove.
   */
  async cleanup(ids: Iterable<string> = this.created): Promise<string[]> {
    const todo = [...ids].filter((id) => this.created.has(id));
    const left: string[] = [];
    const byTenant = new Map<string | undefined, string[]>();
    for (const id of todo) {
      const tenant = this.createdIn.has(id) ? this.createdIn.get(id) : this.homeTenant;
      const ofTenant = byTenant.get(tenant) ?? [];
      ofTenant.push(id);
      byTenant.set(tenant, ofTenant);
    }
    for (const [tenant, ofTenant] of byTenant) {
      const deleter = this.actorIn('delete', tenant);
      if (!deleter) { left.push(...ofTenant); continue; }
      await mapLimit(ofTenant, 16, async (id) => {
        try {
          const ex = await this.send({ method: 'DELETE', path: `/${encodeURIComponent(id)}`, as: deleter, unjudged: true });
          if (ex.status !== 204 && ex.status !== 404) left.push(id);
        } catch {
          left.push(id);
        }
      });
    }
    for (const id of todo) { this.created.delete(id); this.createdIn.delete(id); }
    for (const id of left) this.left.add(id);
    return left;
  }
}

/** Ends the test as *not tested* when `when` holds: the reporter files it under `kind` with `reason`. */
export function notTested(t: typeof base, when: boolean, kind: NotTestedKind, reason: string): void {
  if (when) skipAsNotTested(t.info(), kind, reason);
}

function skipAsNotTested(info: TestInfo, kind: NotTestedKind, reason: string): void {
  info.annotations.push({ type: NOT_TESTED, description: JSON.stringify({ kind, reason } satisfies NotTestedNote) });
  info.skip(true, reason);
}

/** Ends the test as *blocked by* `by` when `when` holds: what it judges was never observed because `by` failed. */
export function blockedBy(t: typeof base, when: boolean, by: string, reason: string): void {
  if (!when) return;
  requirement(by); // an unknown id is a suite bug
  t.info().annotations.push({ type: BLOCKED_BY, description: JSON.stringify({ by, reason } satisfies BlockedNote) });
  t.skip(true, reason);
}

const WRITES_REASON = `${WRITES_SKIP} the target is not the embedded reference server; set CONFORMANCE_ALLOW_WRITES=1 (--allow-writes) to let the suite create records`;
const principalReason = (wanted: string) => `no suitable principal is configured: add ${wanted} to the principals file`;

/** Not tested, with a reason naming the principal that would enable the check (`principalFor` words the usual one). */
export function requirePrincipal<T>(t: typeof base, value: T | undefined, wanted: string): asserts value is T {
  notTested(t, value === undefined, 'principal', principalReason(wanted));
}

/** The permissions schemas/permissions.json lists for `op`, for any principal type. */
const listedFor = (op: Operation) => [...new Set(PRINCIPAL_TYPES.flatMap((t) => (permissionMatrix.operations[op][t] as { permissions: string[] }).permissions))];
const reach = (permission: string) => OPERATIONS.filter((op) => listedFor(op).includes(permission)).length;

/**
 * The principal the matrix allows `op`, in words: the permissions it lists, the one that allows the most operations
 * first (one principal holding it enables every test that needs a principal).
 */
export function principalFor(op: Operation): string {
  const permissions = listedFor(op).sort((a, b) => reach(b) - reach(a));
  return `a principal holding ${permissions.join(' or ')} (what schemas/permissions.json lists for ${op})`;
}

/** A principal the matrix refuses `op`, in words. */
export const principalRefused = (op: Operation) => `a principal holding none of the permissions schemas/permissions.json lists for ${op} (e.g. "permissions": [])`;

/** The first of `list` this run cannot meet, as a not-tested note; undefined when it meets them all. */
export function unmetNeed(graph: Graph, list: readonly Need[]): NotTestedNote | undefined {
  for (const need of list) {
    if (need === 'writes') {
      if (!graph.runtime.embedded && !graph.runtime.allowWrites) return { kind: 'writes', reason: WRITES_REASON };
    } else if (need.startsWith('refused:')) {
      const op = need.slice('refused:'.length) as Operation;
      if (!graph.principalsWith(op, 'denied')[0]) return { kind: 'principal', reason: principalReason(principalRefused(op)) };
    } else if (!graph.actor(need as Operation)) {
      return { kind: 'principal', reason: principalReason(principalFor(need as Operation)) };
    }
  }
  return undefined;
}

/** Ends the test as not tested unless the run meets `list` (the imperative form of cite's `needs`). */
export function requireNeeds(t: typeof base, graph: Graph, list: readonly Need[]): void {
  const unmet = unmetNeed(graph, list);
  if (unmet) skipAsNotTested(t.info(), unmet.kind, unmet.reason);
}

/** Not tested when the target is not the embedded reference server and writes were not allowed. */
export function requireWrites(t: typeof base, graph: Graph): void {
  requireNeeds(t, graph, ['writes']);
}

/** Runs a property; one that observed nothing ends as not tested or blocked (src/core/outcomes.ts NotObserved), never passed. */
export async function property<T>(t: typeof base, spec: PropertySpec<T>, shared?: SharedSend<T>): Promise<void> {
  try {
    await checkProperty(spec, shared);
  } catch (e) {
    if (!(e instanceof NotObserved)) throw e;
    if (e.note.kind === 'blocked') blockedBy(t, true, e.note.blocked.by, e.note.blocked.reason);
    else notTested(t, true, e.note.notTested.kind, e.note.notTested.reason);
  }
}

/**
 * A record of this run to act on with `ops`: skips when writes are not allowed, when no principal may
 * create or perform `ops`, or when create itself fails (that is RAA-CREATE-201's finding, not this test's).
 */
export async function recordFor(t: typeof base, graph: Graph, body: Record<string, unknown>, ...ops: Operation[]) {
  requireNeeds(t, graph, ['writes', 'create', ...ops]);
  const r = await graph.createRecord(body);
  blockedBy(t, r.id === undefined, 'RAA-CREATE-201', `no record to act on (create answered ${r.ex.status})`);
  return r as typeof r & { id: string };
}

/** Each worker's share of the run's rate limit (requests/s; 0 = none): together they stay within it. */
export function workerRate(runRate: number, workers: number): number {
  return runRate / Math.max(1, workers);
}

/**
 * This worker's life in epoch ms, for the bench (RAA_WORKER_TIMES): process created (performance.timeOrigin), node
 * booted, the suite's modules loaded, the first worker fixture (the first test file collected), the last test ended,
 * teardown ended. The rest, the process's exit, is the runner's.
 */
function writeWorkerTimeline(dir: string, project: string, workerIndex: number, fixtureAt: number): void {
  const origin = performance.timeOrigin;
  const timeline = { project, pid: process.pid, origin, booted: origin + performance.nodeTiming.bootstrapComplete, suiteLoaded: SUITE_LOADED_AT, firstFixture: fixtureAt, testsEnded: testsEndedAt || Date.now(), teardownEnded: Date.now() };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `worker-${workerIndex}-${process.pid}.json`), JSON.stringify(timeline));
}

export const test = base.extend<{ graph: Graph; check: Checks; keepWorker: void }, { runtime: Runtime; workerGraph: Graph }>({
  runtime: [async ({}, use, workerInfo) => {
    const fixtureAt = Date.now();
    await use(selectProject(workerInfo.project.name));
    const times = setting('RAA_WORKER_TIMES');
    if (times) writeWorkerTimeline(times, workerInfo.project.name, workerInfo.workerIndex, fixtureAt);
  }, { scope: 'worker' }],
  workerGraph: [async ({ runtime }, use, workerInfo) => {
    // The rate limit is the run's, shared by its workers.
    // The retry budget is per lane of workers: a worker replaced after a failed test continues its predecessor's.
    const runtimeFile = setting('RAA_RUNTIME');
    const ledger = runtimeFile ? new RetryLedger(join(dirname(runtimeFile), `retry-wait-${runtime.project ?? 'run'}-${workerInfo.parallelIndex}`)) : undefined;
    const transport = new Transport({ timeoutMs: runtime.timeoutMs, rateLimit: workerRate(runtime.rateLimit, workerInfo.config.workers), retryBudgetMs: runtime.retryBudgetMs ?? 300_000, ...(ledger ? { ledger } : {}) });
    const graph = new Graph(runtime, transport);
    await use(graph);
    testsEndedAt = Date.now();
    await graph.cleanup();
    mkdirSync(join(runtime.reportDir, '.run'), { recursive: true });
    writeFileSync(join(runtime.reportDir, '.run', `worker-${workerInfo.workerIndex}-${process.pid}.json`), JSON.stringify({ created: graph.createdTotal, left: [...graph.left], stats: transport.stats }));
    await transport.close();
  }, { scope: 'worker' }],
  // No step of its own (box 'self'): a step captures a source-mapped stack, twice per test, for a plain
  // hand-over; about 3% of a matrix run's CPU.
  // A test whose needs (cite's, or its describe's) the run cannot meet ends here, before its hooks and body run.
  graph: [async ({ workerGraph }, use, testInfo) => {
    const list = testInfo.annotations.filter((a) => a.type === NEEDS).flatMap((a) => a.description!.split(' ') as Need[]);
    const unmet = list.length ? unmetNeed(workerGraph, list) : undefined;
    if (unmet) skipAsNotTested(testInfo, unmet.kind, unmet.reason);
    // Every answer the test receives (hooks included, cleanup not) is judged by the every-response oracles; their
    // counts and first findings go to the reporter, which files them under the oracles' own requirements.
    const oracles = new OracleCollector();
    workerGraph.transport.observer = (ex) => oracles.observe(ex);
    try {
      await use(workerGraph);
    } finally {
      workerGraph.transport.observer = undefined;
    }
    if (!oracles.empty) await testInfo.attach(ORACLE_ATTACHMENT, { body: JSON.stringify(oracles.results), contentType: 'application/json' });
  }, { box: 'self' }],
  // The checks bound to the one requirement the test cites: `check.statusIs(ex, [201])`.
  check: [async ({}, use, testInfo) => {
    const ids = testInfo.annotations.filter((a) => a.type === 'requirement').map((a) => a.description!);
    if (ids.length !== 1) throw new Error(`the check fixture needs a test citing exactly one requirement; "${testInfo.title}" cites ${ids.length ? ids.join(', ') : 'none'}: use checksFor(id) from src/checks/checks.ts`);
    await use(checksFor(ids[0]!));
  }, { box: 'self' }],
  // A failed check hands its data to the reporter as a JSON attachment (src/checks/failure.ts), and is a finding: the
  // worker is kept (src/suite/playwright-adapter.ts), as after a check the target's "try later" left without a verdict, or
  // a request that got no answer (the target's fault, not the worker's). Other errors (timeouts, suite bugs) restart it.
  keepWorker: [async ({ runtime }, use, testInfo) => {
    namePrincipals(runtime.principals);
    startTest();
    await use();
    const failure = failureOf(testInfo.errors[0]);
    if (failure) await testInfo.attach(FAILURE_ATTACHMENT, { body: JSON.stringify(failure.record), contentType: 'application/json' });
    keepWorkerAfterFinding(testInfo, (e) => isCheckFailure(e) || isInconclusive(e) || errorNamed(e, TRANSPORT_ERROR));
  }, { auto: true, box: 'self' }],
});

/**
 * For specs whose tests create records in bulk (properties, the model) or only by mistake (rejections: a record
 * exists when the server wrongly accepted it): each test's records are deleted when it ends, so every later list
 * stays short and holds no record of another test's finding. Other tests keep theirs until the worker ends: a
 * defect such as reused ids could otherwise let one test's cleanup delete a record another test is still reading.
 */
export function deleteEachTestsRecords(): void {
  let release: () => Promise<void> = async () => {};
  test.beforeEach(({ graph }) => { release = graph.releaseSince(); });
  test.afterEach(async () => { await release(); });
}

export { expect } from '@playwright/test';
export type { TestInfo };
