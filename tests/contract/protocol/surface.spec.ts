// The request surface beyond the body: the key segment, Content-Type parameters, Accept, Prefer and the query options
// the contract names. Each row of fixtures/request-surface.json is one test; fast-check properties draw what no row
// lists (src/checks/arbitraries.ts). Every answer is the contract's, and never a 5xx.
import fc from 'fast-check';
import { SEED_EXAMPLE_REQUEST, type Operation, type SurfaceCase } from '../../../src/contract';
import { SURFACE_CHANGE, loadSurfaceCases, surfaceBody } from '../../../src/checks/cases';
import { acceptValue, jsonContentType, keySegment, pagingQuery, preferWithUnknown } from '../../../src/checks/arbitraries';
import { bindEach } from '../../../src/checks/checks';
import { draw, type PropertyCheck } from '../../../src/checks/property';
import type { Exchange } from '../../../src/transport/http';
import { cite, deleteEachTestsRecords, notTested, property, recordFor, test, type Graph, type Need } from '../../../src/suite/suite';

const CHANGE = SURFACE_CHANGE;
/** What a key segment that names no record may be answered (RAA-REQ-KEY); 414 for one too long for the target. */
const KEY_STATUSES = [400, 404, 414];

/** The operation a row performs, which picks its principal. */
function operationOf(c: SurfaceCase): Operation {
  const { method, path } = c.request;
  if (method === 'GET') return path === '' ? 'list' : 'get';
  return method === 'POST' ? 'create' : method === 'PATCH' ? 'update' : 'delete';
}

/** What a row needs of the run: a record of its own when its path names one, writes for any write. */
function needsOf(c: SurfaceCase): Need[] {
  const op = operationOf(c);
  const own = c.request.path.includes('{own');
  return [...(own || op !== 'list' && op !== 'get' ? ['writes' as const] : []), ...(own ? ['create' as const] : []), op];
}

/** `id` with the case of each letter swapped: the same key in another casing (undefined when it has no letters). */
function swapCase(id: string): string | undefined {
  const swapped = [...id].map((ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())).join('');
  return swapped === id ? undefined : swapped;
}

/** The row's path with `{own}` and `{own-swapcase}` filled from a record this test creates. */
async function pathOf(graph: Graph, c: SurfaceCase): Promise<string> {
  const { path } = c.request;
  if (!path.includes('{own')) return path;
  const { id } = await recordFor(test, graph, SEED_EXAMPLE_REQUEST, operationOf(c));
  const other = swapCase(id);
  if (path.includes('{own-swapcase}')) notTested(test, other === undefined, 'inapplicable', `the record's id ${id} has no letters, so it has no other casing`);
  return path.replace('{own-swapcase}', encodeURIComponent(other ?? id)).replace('{own}', encodeURIComponent(id));
}

test.describe('request surface: cases', () => {
  // Records a row creates (its own, or one a write wrongly made) go when it ends.
  deleteEachTestsRecords();

  for (const c of loadSurfaceCases()) {
    test(c.description, cite(c.requirement, { needs: needsOf(c) }), async ({ graph, check }) => {
      const { method, query, contentType, headers } = c.request;
      const sent = surfaceBody(c);
      const json = sent === undefined ? undefined : graph.mark(sent);
      const ex = await graph.send({
        method, path: await pathOf(graph, c), as: graph.actor(operationOf(c)), json,
        ...(query !== undefined ? { query } : {}), ...(contentType !== undefined ? { contentType } : {}), ...(headers ? { headers } : {}),
      });
      check.statusIs(ex, c.expect.status);
      if (c.expect.json && ex.status >= 200 && ex.status < 300 && ex.status !== 204) check.isJson(ex);
    });
  }
});

test.describe('request surface: Prefer on create', () => {
  deleteEachTestsRecords();

  test('a create with Prefer: return=minimal answers 201 with the entity, or 204 with Location', cite('RAA-CREATE-MINIMAL', { needs: ['writes', 'create'] }), async ({ graph, check }) => {
    const ex = await graph.create(graph.mark(SEED_EXAMPLE_REQUEST), { headers: { Prefer: 'return=minimal' } });
    check.statusIs(ex, [201, 204]);
    if (ex.status === 201) check.hasEntity(ex);
    else { check.hasNoBody(ex); check.hasHeader(ex, 'location'); }
  });
});

function spec<T>(graph: Graph, requirement: string, arbitrary: fc.Arbitrary<T>, send: (v: T) => Promise<Exchange>, check: PropertyCheck<T>, expectStatus: number[]) {
  return { requirement, arbitrary, ...draw(graph.runtime), send, check, pin: { expectStatus }, afterChunk: graph.releaseSince() };
}

interface KeyRequest { method: 'GET' | 'PATCH' | 'DELETE'; path: string }
const KEY_OPS = { GET: 'get', PATCH: 'update', DELETE: 'delete' } as const;
const keyRequest: fc.Arbitrary<KeyRequest> = fc.record({ method: fc.constantFrom('GET', 'PATCH', 'DELETE'), path: keySegment });

/** The two requirements judged over the same generated key requests (sent once, each answer checked for both). */
const KEY_CHECKS = bindEach<KeyRequest>({
  'RAA-REQ-KEY': (check) => (_r, ex) => check.statusIs(ex, KEY_STATUSES),
  'RAA-NO-5XX': (check) => (_r, ex) => check.notServerError(ex),
});

test.describe('request surface: generated', () => {
  deleteEachTestsRecords();

  const keys = (graph: Graph, requirement: string) => property(test, spec(graph, requirement, keyRequest,
    (r) => graph.send({ method: r.method, path: r.path, as: graph.actor(KEY_OPS[r.method]), ...(r.method === 'PATCH' ? { json: graph.mark(CHANGE) } : {}) }),
    KEY_CHECKS[requirement]!, KEY_STATUSES), { key: `surface-keys:${graph.runtime.seed}`, checks: KEY_CHECKS });

  test('every generated key segment that names no record is answered 404, 400 or 414', cite('RAA-REQ-KEY', { needs: ['writes', 'get', 'update', 'delete'] }), async ({ graph }) => {
    await keys(graph, 'RAA-REQ-KEY');
  });

  test('no generated key segment gets a 5xx', cite('RAA-NO-5XX', { needs: ['writes', 'get', 'update', 'delete'] }), async ({ graph }) => {
    await keys(graph, 'RAA-NO-5XX');
  });

  test('every generated JSON Content-Type with parameters is read as JSON: 201', cite('RAA-REQ-CONTENT-TYPE', { needs: ['writes', 'create'] }), async ({ graph, check }) => {
    await property(test, spec(graph, check.requirement, jsonContentType, (ct) => graph.create(graph.mark(SEED_EXAMPLE_REQUEST), { contentType: ct }),
      (_ct, ex) => check.statusIs(ex, [201]), [201]));
  });

  test('every generated Accept the contract admits gets the list as JSON', cite('RAA-REQ-ACCEPT', { needs: ['list'] }), async ({ graph, check }) => {
    await property(test, spec(graph, check.requirement, acceptValue, (accept) => graph.send({ method: 'GET', query: '$top=1', as: graph.actor('list'), headers: { Accept: accept } }),
      (_a, ex) => { check.statusIs(ex, [200]); check.isJson(ex); }, [200]));
  });

  test('every generated unknown preference is ignored by the list', cite('RAA-REQ-PREFER', { needs: ['list'] }), async ({ graph, check }) => {
    await property(test, spec(graph, check.requirement, preferWithUnknown, (prefer) => graph.send({ method: 'GET', query: '$top=1', as: graph.actor('list'), headers: { Prefer: prefer } }),
      (_p, ex) => { check.statusIs(ex, [200]); check.isJson(ex); }, [200]));
  });

  test('no generated $top or $skiptoken value gets a 5xx', cite('RAA-NO-5XX', { needs: ['list'] }), async ({ graph, check }) => {
    await property(test, spec(graph, check.requirement, pagingQuery, (query) => graph.send({ method: 'GET', query, as: graph.actor('list') }),
      (_q, ex) => check.notServerError(ex), [200, 400]));
  });
});
