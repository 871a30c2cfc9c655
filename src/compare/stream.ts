// The one seeded stream of requests `compare` sends to both sides: built from the suite's own generators (valid
// and one-defect payloads, the rejection cases, model-like sequences over "record #k" handles, the permission
// matrix per principal, the rows of fixtures/request-surface.json, refused PATCHes read back, batches sent at once).
// A step names records by handle and principals by role, so each side resolves them to its own ids and tokens;
// the same seed gives the same stream.
import fc from 'fast-check';
import { decide, SEED_EXAMPLE_REQUEST, type Operation, type PrincipalType, type SurfaceCase } from '../contract';
import { edgeDateTimes, invalidBody, validBody, type Mutation } from '../checks/arbitraries';
import { caseBody, loadCases, loadSurfaceCases, surfaceBody } from '../checks/cases';
import { ACTION_STATE, ENUMS, SENTINEL, tailMembers } from '../../schemas/enums';

/** How a step's alternatives are normalised (src/compare/rules.ts): each names the requirement that allows them. */
export type Alternative = 'media-type' | 'update-minimal' | 'update-id' | 'datetime-edge' | 'refused' | 'create-minimal';

export interface Step {
  index: number;
  /** What the step is, for grouping: `create valid`, `get`, `permission create`, ... */
  kind: string;
  requirement?: string;
  /** The role acting (a principal's name); null: no Authorization header; `tampered:` prefix: a broken signature. */
  as: string | null;
  method: string;
  target: 'collection' | 'item' | 'metadata';
  /** The record acted on: a handle; -1 an id no side holds. */
  record?: number;
  json?: unknown;
  raw?: string;
  contentType?: string;
  /** Request headers; null: the header is not sent at all (a surface row's `Accept: null`). */
  headers?: Record<string, string | null>;
  query?: string;
  /** Sent as written under the collection (a surface row's path); `{own}` and `{own-swapcase}` name `record`. */
  path?: string;
  /** The statuses a surface row allows: any of them is one outcome (its class). */
  expect?: number[];
  /** Requests sent at once, each on this step's principal (a concurrent step); their answers are compared as one outcome. */
  batch?: BatchMember[];
  /** The step's record is read just before the batch: the state a get racing its delete may show. */
  readFirst?: boolean;
  /** A list read at its first page only (a surface row's): which records it shows is the paging steps' business. */
  onePage?: boolean;
  /** A create whose 2xx gives this handle. */
  creates?: number;
  /** A PATCH whose body carries the id of this handle. */
  idOf?: number;
  alternative?: Alternative;
}

export type BatchMember = Pick<Step, 'method' | 'target' | 'record' | 'json' | 'creates'>;

export interface Role {
  name: string;
  type: PrincipalType;
  permissions: readonly string[];
  tokenState: 'valid' | 'expired' | 'wrong-audience';
  /** In another tenant than the writer's. */
  otherTenant: boolean;
}

/** `surface`: how many rows of fixtures/request-surface.json (all, or a seeded draw of that many). */
/** `concurrent`: how many rounds of batches sent at once (each: creates, PATCHes of one record, gets racing a delete). */
export interface StreamSize { valid: number; invalid: number; sequences: number; edge: number; surface: number | 'all'; concurrent: number }

export const SIZES: Record<string, StreamSize> = {
  quick: { valid: 12, invalid: 3, sequences: 4, edge: 3, surface: 'all', concurrent: 3 },
  deep: { valid: 60, invalid: 10, sequences: 12, edge: 10, surface: 'all', concurrent: 8 },
  tenant: { valid: 6, invalid: 2, sequences: 2, edge: 2, surface: 12, concurrent: 1 },
};

const PREFER_TAIL = { Prefer: 'include-unknown-enum-members' };
const MUTATIONS: Mutation[] = ['enum-action', 'enum-state', 'type', 'null', 'datetime'];

/** Builds the stream; `add` numbers steps in order. */
class Builder {
  readonly steps: Step[] = [];
  handles = 0;
  constructor(readonly writer: string, readonly seed: number) {}
  add(s: Omit<Step, 'index'>): Step {
    const step = { index: this.steps.length, ...s };
    this.steps.push(step);
    return step;
  }
  create(kind: string, json: unknown, requirement: string, extra: Partial<Step> = {}): number {
    const handle = this.handles++;
    this.add({ kind, requirement, as: this.writer, method: 'POST', target: 'collection', json, creates: handle, ...extra });
    return handle;
  }
  /** `n` values of `arb`, the same for a seed (the step count so far keeps each draw apart). */
  sample<T>(arb: fc.Arbitrary<T>, n: number): T[] {
    return n > 0 ? fc.sample(arb, { seed: this.seed + this.steps.length, numRuns: n }) : [];
  }
}

const mayAct = (r: Role) => r.tokenState === 'valid' && r.type !== 'delegated-personal';

/** The requests no body decides: $metadata, no token, a tampered token, unsupported methods. */
function surface(b: Builder): void {
  b.add({ kind: 'metadata', requirement: 'RAA-META-SERVED', as: null, method: 'GET', target: 'metadata' });
  b.add({ kind: 'no token', requirement: 'RAA-AUTH-MISSING', as: null, method: 'GET', target: 'collection' });
  b.add({ kind: 'no token', requirement: 'RAA-AUTH-MISSING', as: null, method: 'POST', target: 'collection', json: validBodyOf(b) });
  b.add({ kind: 'tampered token', requirement: 'RAA-AUTH-INVALID', as: `tampered:${b.writer}`, method: 'GET', target: 'collection' });
  b.add({ kind: 'method', requirement: 'RAA-METHOD-405', as: b.writer, method: 'DELETE', target: 'collection' });
}

function validBodyOf(b: Builder): Record<string, unknown> {
  return b.sample(validBody({ newer: true }), 1)[0]!;
}

/** Every role against every operation, on records of its own (the permission matrix, schemas/permissions.json). */
function permissions(b: Builder, roles: Role[]): void {
  for (const r of roles) {
    const refused = !mayAct(r) || decide('create', r.type, [...r.permissions]) !== 'allowed';
    const req = (op: Operation) => (r.tokenState !== 'valid' ? (r.tokenState === 'expired' ? 'RAA-AUTH-EXPIRED' : 'RAA-AUTH-AUDIENCE')
      : r.type === 'delegated-personal' ? 'RAA-PERM-PERSONAL' : decideReq(op, r));
    const record = b.create('permission setup', validBodyOf(b), 'RAA-PERM-ALLOW');
    // RAA-PERM-UNDOCUMENTED allows 401 or 403; elsewhere a refusal is exactly 403 (RAA-PERM-DENY-403).
    const alt = (op: Operation) => (req(op) === 'RAA-PERM-UNDOCUMENTED' ? { alternative: 'refused' as const } : {});
    const as = { as: r.name };
    b.add({ kind: 'permission list', requirement: req('list'), ...as, method: 'GET', target: 'collection', ...alt('list') });
    b.add({ kind: 'permission get', requirement: req('get'), ...as, method: 'GET', target: 'item', record, ...alt('get') });
    b.add({ kind: 'permission update', requirement: req('update'), ...as, method: 'PATCH', target: 'item', record, json: { actionState: 'done' }, ...alt('update') });
    b.add({ kind: 'permission delete', requirement: req('delete'), ...as, method: 'DELETE', target: 'item', record, ...alt('delete') });
    const own = b.handles++;
    b.add({ kind: 'permission create', requirement: req('create'), ...as, method: 'POST', target: 'collection', json: validBodyOf(b), creates: own, ...alt('create') });
    if (r.otherTenant && !refused) b.add({ kind: 'permission get', requirement: 'RAA-TENANT-READ', as: b.writer, method: 'GET', target: 'item', record: own });
  }
}

function decideReq(op: Operation, r: Role): string {
  const d = decide(op, r.type, [...r.permissions]);
  if (r.otherTenant && op !== 'list' && op !== 'create') return op === 'get' ? 'RAA-TENANT-READ' : 'RAA-TENANT-WRITE';
  return d === 'allowed' ? 'RAA-PERM-ALLOW' : d === 'undocumented' ? 'RAA-PERM-UNDOCUMENTED' : 'RAA-PERM-DENY-403';
}

/** Valid creates each read back; some with members of the evolvable tail or newer than the seed. */
function creates(b: Builder, n: number): void {
  for (const body of b.sample(validBody({ newer: true }), n)) {
    const k = b.create('create valid', body, 'RAA-CREATE-ECHO', { headers: { 'client-request-id': `compare-${b.seed}-${b.steps.length}` } });
    b.add({ kind: 'get', requirement: 'RAA-GET-READBACK', as: b.writer, method: 'GET', target: 'item', record: k });
  }
  const tail = tailMembers(ENUMS.remoteAction);
  for (const action of [tail[0]!, ENUMS.remoteAction.newerThanSeed[0]!]) {
    const k = b.create('create evolvable member', { ...validBodyOf(b), action }, 'RAA-ENUM-EVOLVABLE', { headers: PREFER_TAIL });
    b.add({ kind: 'get masked', requirement: 'RAA-ENUM-MASKED-READ', as: b.writer, method: 'GET', target: 'item', record: k });
    b.add({ kind: 'get with Prefer', requirement: 'RAA-ENUM-MASKED-READ', as: b.writer, method: 'GET', target: 'item', record: k, headers: PREFER_TAIL });
  }
  b.create('create evolvable member', { ...validBodyOf(b), action: tail[0]! }, 'RAA-ENUM-EVOLVABLE');
}

/** One-defect payloads, the rejection cases, the edges of the date-time range. */
function rejections(b: Builder, size: StreamSize): void {
  for (const m of MUTATIONS) {
    for (const { body } of b.sample(invalidBody(m), size.invalid)) b.add({ kind: `create invalid (${m})`, requirement: 'RAA-CREATE-TYPES', as: b.writer, method: 'POST', target: 'collection', json: body });
  }
  for (const c of loadCases('create-cases.json')) {
    const json = caseBody(c);
    const media = c.requirement === 'RAA-CREATE-MEDIA-TYPE';
    b.add({ kind: `create case: ${c.description}`, requirement: c.requirement, as: b.writer, method: 'POST', target: 'collection',
      ...(json !== undefined ? { json } : { raw: c.request.raw! }), ...(c.request.contentType !== undefined ? { contentType: c.request.contentType } : {}),
      ...(c.request.headers ? { headers: c.request.headers } : {}), ...(media ? { alternative: 'media-type' as const } : {}) });
  }
  // Each kind of edge at least once: three draws of one oneof all fell on the kind no overflow reaches for some seeds.
  for (const dt of edgeDateTimes.flatMap((kind) => b.sample(kind, Math.ceil(size.edge / edgeDateTimes.length)))) {
    b.add({ kind: 'create date-time edge', requirement: 'RAA-CREATE-DATETIME-EDGE', as: b.writer, method: 'POST', target: 'collection', json: { ...validBodyOf(b), requestDateTime: dt }, alternative: 'datetime-edge' });
  }
}

const COMMANDS = ['get', 'update', 'update-invalid', 'update-minimal', 'update-sentinel', 'update-id', 'delete', 'list', 'create'] as const;
type Command = (typeof COMMANDS)[number];

/**
 * Sequences of create, get, list, update and delete over this run's handles, each command followed by a read and
 * each sequence ending in reads: first one that holds every command once (so no seed leaves a command unsent, and a
 * defect in it unseen), then `n` random ones.
 */
function sequences(b: Builder, n: number): void {
  const patch = validBody({ newer: true }).map((body) => { const { '@odata.type': _t, ...rest } = body; return rest; });
  const everyOnce = b.sample(fc.array(patch, { minLength: COMMANDS.length, maxLength: COMMANDS.length }), 1)[0]!.map((body, i) => [COMMANDS[i]!, i, body] as const);
  sequence(b, everyOnce);
  for (let s = 0; s < n; s++) sequence(b, b.sample(fc.array(fc.tuple(fc.constantFrom(...COMMANDS), fc.nat(), patch), { minLength: 4, maxLength: 8 }), 1)[0]!);
  // Unknown ids, twice-deleted records and the whole list, paged small and at the server's own size.
  const gone = b.create('sequence create', validBodyOf(b), 'RAA-MODEL');
  b.add({ kind: 'delete', requirement: 'RAA-DELETE-204', as: b.writer, method: 'DELETE', target: 'item', record: gone });
  b.add({ kind: 'delete again', requirement: 'RAA-DELETE-TWICE', as: b.writer, method: 'DELETE', target: 'item', record: gone });
  b.add({ kind: 'get deleted', requirement: 'RAA-DELETE-GONE', as: b.writer, method: 'GET', target: 'item', record: gone });
  b.add({ kind: 'get unknown', requirement: 'RAA-GET-404', as: b.writer, method: 'GET', target: 'item', record: -1 });
  b.add({ kind: 'update unknown', requirement: 'RAA-UPDATE-404', as: b.writer, method: 'PATCH', target: 'item', record: -1, json: { actionState: 'done' } });
  b.add({ kind: 'delete unknown', requirement: 'RAA-DELETE-TWICE', as: b.writer, method: 'DELETE', target: 'item', record: -1 });
  b.add({ kind: 'method', requirement: 'RAA-METHOD-405', as: b.writer, method: 'PUT', target: 'item', record: 0, json: {} });
  b.add({ kind: 'list', requirement: 'RAA-LIST-PAGES', as: b.writer, method: 'GET', target: 'collection', query: '$top=3' });
  b.add({ kind: 'list', requirement: 'RAA-LIST-CONTAINS', as: b.writer, method: 'GET', target: 'collection' });
}

/** One sequence over two fresh records and those it creates: `pick` chooses the record a command acts on. */
function sequence(b: Builder, commands: readonly (readonly [Command, number, Record<string, unknown>])[]): void {
  const all = [b.create('sequence create', validBodyOf(b), 'RAA-MODEL'), b.create('sequence create', validBodyOf(b), 'RAA-MODEL')];
  for (const [cmd, pick, body] of commands) {
    const record = all[pick % all.length]!;
    const item = { as: b.writer, target: 'item' as const, record };
    switch (cmd) {
      case 'get': b.add({ kind: 'get', requirement: 'RAA-GET-READBACK', method: 'GET', ...item }); break;
      case 'list': b.add({ kind: 'list', requirement: 'RAA-LIST-PAGES', as: b.writer, method: 'GET', target: 'collection', query: '$top=3' }); break;
      case 'create': all.push(b.create('sequence create', body, 'RAA-MODEL')); break;
      case 'update': b.add({ kind: 'update', requirement: 'RAA-UPDATE-PARTIAL', method: 'PATCH', ...item, json: body }); break;
      case 'update-invalid': b.add({ kind: 'update invalid', requirement: 'RAA-UPDATE-INVALID', method: 'PATCH', ...item, json: { actionState: 'Done' } }); break;
      case 'update-minimal': b.add({ kind: 'update minimal', requirement: 'RAA-UPDATE-MINIMAL', method: 'PATCH', ...item, json: body, headers: { Prefer: 'return=minimal' }, alternative: 'update-minimal' }); break;
      case 'update-sentinel': b.add({ kind: 'update sentinel', requirement: 'RAA-UPDATE-SENTINEL', method: 'PATCH', ...item, json: { action: SENTINEL } }); break;
      case 'update-id': b.add({ kind: 'update with id', requirement: 'RAA-UPDATE-ID-IMMUTABLE', method: 'PATCH', ...item, json: body, idOf: all[(pick + 1) % all.length]!, alternative: 'update-id' }); break;
      case 'delete': b.add({ kind: 'delete', requirement: 'RAA-DELETE-204', method: 'DELETE', ...item }); break;
    }
    b.add({ kind: 'get', requirement: 'RAA-MODEL', method: 'GET', ...item });
  }
  for (const record of all) b.add({ kind: 'get', requirement: 'RAA-MODEL', as: b.writer, method: 'GET', target: 'item', record });
}

/** Mutations a PATCH is refused for whatever the target (a null may be legal for some properties). */
const REFUSED_MUTATIONS: Mutation[] = ['enum-action', 'enum-state', 'type', 'datetime'];

/**
 * Refused PATCHes of one valid property and one invalid value, the valid one first (a handler that writes as it
 * validates has stored it by then), each read back: a refused write leaves the record as it was (WFC 104).
 */
function refusedWrites(b: Builder, n: number): void {
  const arb = fc.record({
    before: validBody({ newer: true }),
    imei: fc.stringMatching(/^[0-9]{15}$/),
    bad: fc.constantFrom(...REFUSED_MUTATIONS).chain(invalidBody).filter((x) => x.path !== '/deviceIMEI'),
  });
  for (const { before, imei, bad } of b.sample(arb, n)) {
    const record = b.create('refused update setup', before, 'RAA-MODEL');
    const prop = bad.path.slice(1);
    const item = { as: b.writer, target: 'item' as const, record };
    b.add({ kind: 'refused update (a valid and an invalid property)', requirement: 'RAA-UPDATE-INVALID', method: 'PATCH', ...item, json: { deviceIMEI: imei, [prop]: bad.body[prop] } });
    b.add({ kind: 'get after a refused update', requirement: 'RAA-WRITE-REFUSED-INTACT', method: 'GET', ...item });
  }
}

/**
 * Batches sent at once (GRAPH-FACTS §12), each followed by reads: creates (distinct ids, each reads back as sent),
 * PATCHes of disjoint properties of one record (every order leaves the same record), gets racing a delete (each
 * the record as it was, or 404). Seeded like the rest; whether a race shows depends on timing, as in production.
 */
function concurrent(b: Builder, n: number): void {
  const arb = fc.record({ bodies: fc.array(validBody({ newer: true }), { minLength: 3, maxLength: 5 }), imei: fc.stringMatching(/^[0-9]{15}$/), state: fc.nat(), gets: fc.integer({ min: 2, max: 4 }), at: fc.nat() });
  for (const { bodies, imei, state, gets, at } of b.sample(arb, n)) {
    const as = b.writer;
    const made = bodies.map(() => b.handles++);
    b.add({ kind: 'creates at once', requirement: 'RAA-CONCURRENT-CREATE', as, method: 'POST', target: 'collection', batch: bodies.map((json, i) => ({ method: 'POST', target: 'collection', json, creates: made[i]! })) });
    for (const record of made) b.add({ kind: 'get after creates at once', requirement: 'RAA-CONCURRENT-CREATE', as, method: 'GET', target: 'item', record });
    const patched = b.create('concurrent setup', bodies[0]!, 'RAA-MODEL');
    const states = ACTION_STATE.filter((x) => x !== (bodies[0]!.actionState ?? 'none'));
    const patch = (json: Record<string, unknown>) => ({ method: 'PATCH', target: 'item' as const, record: patched, json });
    b.add({ kind: 'PATCHes at once', requirement: 'RAA-CONCURRENT-UPDATE', as, method: 'PATCH', target: 'item', record: patched, batch: [patch({ deviceIMEI: imei }), patch({ actionState: states[state % states.length]! })] });
    b.add({ kind: 'get after PATCHes at once', requirement: 'RAA-CONCURRENT-UPDATE', as, method: 'GET', target: 'item', record: patched });
    // The delete goes out among the gets, never last.
    const deleted = b.create('concurrent setup', bodies[1]!, 'RAA-MODEL');
    const order: string[] = new Array<string>(gets).fill('GET');
    order.splice(at % gets, 0, 'DELETE');
    b.add({ kind: 'gets racing a delete', requirement: 'RAA-CONCURRENT-DELETE', as, method: 'DELETE', target: 'item', record: deleted, readFirst: true, batch: order.map((method) => ({ method, target: 'item' as const, record: deleted })) });
    b.add({ kind: 'get after a delete at once', requirement: 'RAA-DELETE-GONE', as, method: 'GET', target: 'item', record: deleted });
  }
}

/** The operation a surface row performs (as tests/contract/protocol/surface.spec.ts reads it), for its kind. */
const rowOperation = (c: SurfaceCase): Operation => (c.request.method === 'GET' ? (c.request.path === '' ? 'list' : 'get')
  : c.request.method === 'POST' ? 'create' : c.request.method === 'PATCH' ? 'update' : 'delete');

/**
 * Rows of fixtures/request-surface.json (the key segment, media-type parameters, Accept, Prefer, query options),
 * each on a record of its own where it names one; any status the row allows is one outcome. Then a create with
 * Prefer: return=minimal (RAA-CREATE-MINIMAL: 201 with the entity, or 204 with Location).
 */
function requestSurface(b: Builder, size: StreamSize): void {
  const all = loadSurfaceCases();
  const rows = size.surface === 'all' ? all : b.sample(fc.shuffledSubarray(all, { minLength: Math.min(size.surface, all.length), maxLength: Math.min(size.surface, all.length) }), 1)[0]!;
  for (const c of rows) {
    const { method, path, query, contentType, headers } = c.request;
    const record = path.includes('{own') ? b.create('surface setup', validBodyOf(b), 'RAA-CREATE-201') : undefined;
    const json = surfaceBody(c);
    const creates = method === 'POST' ? b.handles++ : undefined;
    b.add({ kind: `surface ${rowOperation(c)}: ${c.description}`, requirement: c.requirement, as: b.writer, method, target: path === '' ? 'collection' : 'item', path,
      expect: c.expect.status, onePage: method === 'GET' && path === '', ...(record !== undefined ? { record } : {}), ...(json !== undefined ? { json } : {}),
      ...(query !== undefined ? { query } : {}), ...(contentType !== undefined ? { contentType } : {}), ...(headers ? { headers } : {}), ...(creates !== undefined ? { creates } : {}) });
  }
  b.add({ kind: 'create minimal', requirement: 'RAA-CREATE-MINIMAL', as: b.writer, method: 'POST', target: 'collection', json: { ...SEED_EXAMPLE_REQUEST }, headers: { Prefer: 'return=minimal' }, alternative: 'create-minimal' });
}

/** The stream for `seed`: the same steps in the same order every time. `writer` is the role that creates. */
export function buildStream(seed: number, roles: Role[], size: StreamSize): Step[] {
  const writer = roles.find((r) => mayAct(r) && !r.otherTenant && decide('create', r.type, [...r.permissions]) === 'allowed'
    && decide('delete', r.type, [...r.permissions]) === 'allowed');
  if (!writer) throw new Error('no principal may create and delete remoteActionAudits: compare needs one');
  const b = new Builder(writer.name, seed);
  surface(b);
  permissions(b, roles);
  creates(b, size.valid);
  rejections(b, size);
  sequences(b, size.sequences);
  refusedWrites(b, size.sequences);
  requestSurface(b, size);
  concurrent(b, size.concurrent);
  return b.steps;
}
