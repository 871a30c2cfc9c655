// Tenant isolation (GRAPH-FACTS §11): a record created in the suite's own tenant is not found, not listed, not
// changed and not deleted by a principal of another tenant. Needs principals in two tenants (README, Principals:
// "tenant"); the record is created in the home tenant, so its cleanup is the home tenant's as for any other test.
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import type { Exchange } from '../../../src/transport/http';
import type { Principal } from '../../../src/auth/principals';
import type { Operation } from '../../../src/contract';
import { blockedBy, cite, Graph, notTested, principalFor, recordFor, requireWrites, test } from '../../../src/suite/suite';

const wanted = (op: Operation) => `add ${principalFor(op)} in a second tenant ("tenant": "…" in the principals file)`;
/** The record as another tenant would write it, were it reachable: marked, and other values than the seed's. */
const CHANGE = { deviceDisplayName: 'written from another tenant', actionState: 'done' };
const MAX_PAGES = 200;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A principal of a tenant other than the suite's own that the matrix allows `op`; otherwise not tested (tenants). */
function otherTenant(graph: Graph, op: Operation): Principal {
  const others = graph.tenants.filter((t) => t !== graph.homeTenant);
  const p = others.map((t) => graph.actorIn(op, t)).find((x) => x !== undefined);
  notTested(test, p === undefined, 'tenants', others.length === 0
    ? `the principals are all in one tenant, so isolation cannot be observed: ${wanted(op)}`
    : `no principal of another tenant may ${op}: ${wanted(op)}`);
  return p!;
}

/** A record of the home tenant, after writes and principals are checked; `ops` are the home tenant's reads of it. */
async function homeRecord(graph: Graph, op: Operation, ...ops: Operation[]): Promise<{ id: string; other: Principal }> {
  requireWrites(test, graph);
  const other = otherTenant(graph, op);
  const { id } = await recordFor(test, graph, SEED_EXAMPLE_REQUEST, ...ops);
  return { id, other };
}

/**
 * The other tenant's answer for an id that exists in no tenant: unless it is 404, a 404 (or not) for the home
 * tenant's record says nothing about isolation, and the finding is `by`'s. A PATCH that upserted is taken back.
 */
async function unknownIdNotFound(graph: Graph, other: Principal, method: 'GET' | 'PATCH' | 'DELETE', by: string): Promise<void> {
  const id = randomUUID();
  const ex = method === 'GET' ? await graph.get(id, { as: other })
    : method === 'PATCH' ? await graph.patch(id, graph.mark(CHANGE), { as: other })
    : await graph.remove(id, { as: other });
  if (method === 'PATCH' && ex.status >= 200 && ex.status < 300) await graph.remove(id, { as: other });
  blockedBy(test, ex.status !== 404, by, `${method} of an id that exists in no tenant answered ${ex.status} to "${other.name}"`);
}

/** The home tenant's record as its own GET answers it; a read that fails is RAA-GET-200's finding. */
async function read(graph: Graph, id: string): Promise<Record<string, unknown>> {
  const ex = await graph.get(id);
  blockedBy(test, ex.status !== 200 || !isObject(ex.json), 'RAA-GET-200', `get of the record ${id} answered ${ex.status}${ex.status === 200 ? ' without a JSON object' : ''}`);
  return ex.json as Record<string, unknown>;
}

/**
 * The record is on its own tenant's list: otherwise its absence from another tenant's list shows nothing about
 * isolation (a list that shows nothing would pass), and the test says so instead of passing.
 */
async function listedAtHome(graph: Graph, id: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    for await (const ex of graph.pages({ maxPages: MAX_PAGES })) {
      blockedBy(test, ex.status !== 200, 'RAA-LIST-200', `the home tenant's list answered ${ex.status}`);
      if (Graph.ids(ex).includes(id)) return;
    }
    notTested(test, graph.truncated, 'target', `the home tenant's list is longer than ${MAX_PAGES} pages and the record ${id} was not among them, so its absence from another tenant's list shows nothing`);
    await new Promise((r) => setTimeout(r, 300 * 2 ** attempt));
  }
  blockedBy(test, true, 'RAA-LIST-CONTAINS', `the record ${id} is on no page of its own tenant's list, so its absence from another tenant's list shows nothing`);
}

test.describe('tenancy: reads', () => {
  test('a record of another tenant is answered 404 by get', cite('RAA-TENANT-READ'), async ({ graph, check }) => {
    const { id, other } = await homeRecord(graph, 'get');
    await unknownIdNotFound(graph, other, 'GET', 'RAA-GET-404');
    check.statusIs(await graph.get(id, { as: other }), [404]);
  });

  test('a record of another tenant is absent from the list', cite('RAA-TENANT-READ'), async ({ graph, check }) => {
    const { id, other } = await homeRecord(graph, 'list');
    await listedAtHome(graph, id);
    let pages = 0;
    for await (const ex of graph.pages({ as: other, maxPages: MAX_PAGES })) {
      blockedBy(test, ex.status !== 200, 'RAA-LIST-200', `list answered ${ex.status} to "${other.name}"`);
      pages++;
      check.notListed(ex, id, `the record ${id} of another tenant`);
    }
    // A list longer than the bound cannot show absence: that is no verdict.
    notTested(test, graph.truncated, 'target', `the other tenant's list is longer than ${MAX_PAGES} pages; the record ${id} was not among them`);
    blockedBy(test, pages === 0, 'RAA-LIST-200', `the list was never answered to "${other.name}"`);
  });
});

test.describe('tenancy: writes', () => {
  test('a record of another tenant is answered 404 by PATCH and stays unchanged', cite('RAA-TENANT-WRITE'), async ({ graph, check }) => {
    const { id, other } = await homeRecord(graph, 'update', 'get');
    await unknownIdNotFound(graph, other, 'PATCH', 'RAA-UPDATE-404');
    const before = await read(graph, id);
    const ex: Exchange = await graph.patch(id, graph.mark(CHANGE), { as: other });
    check.statusIs(ex, [404]);
    check.foundAfter(ex, await graph.get(id), `the record ${id} of another tenant`, before);
  });

  test('a record of another tenant is answered 404 by DELETE and stays', cite('RAA-TENANT-WRITE'), async ({ graph, check }) => {
    const { id, other } = await homeRecord(graph, 'delete', 'get');
    await unknownIdNotFound(graph, other, 'DELETE', 'RAA-DELETE-TWICE');
    const before = await read(graph, id);
    const ex = await graph.remove(id, { as: other });
    check.statusIs(ex, [404]);
    check.foundAfter(ex, await graph.get(id), `the record ${id} of another tenant`, before);
  });
});
