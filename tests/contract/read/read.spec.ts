// Get and list: what create wrote can be read back (read-your-writes, with a bounded wait).
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST, validators } from '../../../src/contract';
import * as check from '../../../src/checks';
import { CheckFailure } from '../../../src/failure';
import type { Exchange } from '../../../src/http';
import { notTested, blockedBy, cite, Graph, recordFor, requirePrincipal, test } from '../../../src/suite';

/** Eventual consistency: poll a read a few times before judging it. */
async function eventually(read: () => Promise<Exchange>, done: (ex: Exchange) => boolean, tries = 5): Promise<Exchange> {
  let ex = await read();
  for (let i = 1; i < tries && !done(ex); i++) {
    await new Promise((r) => setTimeout(r, 200 * 2 ** i));
    ex = await read();
  }
  return ex;
}

const created = (graph: Graph) => recordFor(test, graph, SEED_EXAMPLE_REQUEST, 'get');

/** A list page's @odata.nextLink as given (undefined when it has none). */
const nextLinkOf = (ex: Exchange): unknown => (typeof ex.json === 'object' && ex.json !== null && !Array.isArray(ex.json) ? (ex.json as Record<string, unknown>)['@odata.nextLink'] : undefined);

test.describe('get', () => {
  test('a created record is answered 200 with a schema-valid entity', cite('RAA-GET-200'), async ({ graph }) => {
    const { id } = await created(graph);
    const ex = await eventually(() => graph.get(id), (e) => e.status === 200);
    check.statusIs('RAA-GET-200', ex, [200]);
    check.conformsTo('RAA-GET-200', ex, validators.entity, 'remoteActionAudit');
  });

  test('a record read back equals what create returned', cite('RAA-GET-READBACK'), async ({ graph }) => {
    const { id, ex: made } = await created(graph);
    const ex = await eventually(() => graph.get(id), (e) => e.status === 200);
    blockedBy(test, ex.status !== 200, 'RAA-GET-200', `get answered ${ex.status}`);
    check.sameRecord('RAA-GET-READBACK', ex, made.json as Record<string, unknown>);
  });

  test('an id that does not exist is answered 404 with the error envelope', cite('RAA-GET-404'), async ({ graph }) => {
    requirePrincipal(test, graph.actor('get'), 'a principal holding DeviceManagementManagedDevices.Read.All');
    const ex = await graph.get(randomUUID());
    check.statusIs('RAA-GET-404', ex, [404]);
    check.isGraphError('RAA-GET-404', ex);
    test.info().annotations.push({ type: 'observed', description: `error code ${JSON.stringify((ex.json as { error?: { code?: unknown } }).error?.code)}` });
  });
});

test.describe('list', () => {
  test('the collection is answered 200 with schema-valid items', cite('RAA-LIST-200'), async ({ graph }) => {
    requirePrincipal(test, graph.actor('list'), 'a principal holding DeviceManagementManagedDevices.Read.All');
    // A record of this run, where writes are allowed, so the items checked are never an empty page's none.
    if ((graph.runtime.loopback || graph.runtime.allowWrites) && graph.actor('create')) await graph.createRecord(SEED_EXAMPLE_REQUEST);
    for await (const ex of graph.pages({ maxPages: 3, requirement: 'RAA-LIST-200' })) {
      check.statusIs('RAA-LIST-200', ex, [200]);
      check.conformsTo('RAA-LIST-200', ex, validators.collection, 'collection');
    }
  });

  test('a created record appears in the list', cite('RAA-LIST-CONTAINS'), async ({ graph }) => {
    const { id } = await created(graph);
    requirePrincipal(test, graph.actor('list'), 'a principal holding DeviceManagementManagedDevices.Read.All');
    let pages = 0;
    let last: Exchange | undefined;
    for (let attempt = 0; attempt < 4; attempt++) {
      for await (const ex of graph.pages({ maxPages: 200, requirement: 'RAA-LIST-CONTAINS' })) {
        pages++;
        last = ex;
        if (Graph.ids(ex).includes(id)) return;
      }
      // A list longer than the bound cannot show absence: that is no verdict.
      notTested(test, graph.truncated, 'target', `the list is longer than 200 pages; the record ${id} was not among them`);
      await new Promise((r) => setTimeout(r, 300 * 2 ** attempt));
    }
    throw new CheckFailure('RAA-LIST-CONTAINS', `the record ${id} is not in the list`, { expected: `an item with id ${id}`, received: `${pages} page(s) without it`, ...(last ? { exchange: last } : {}) });
  });

  // Graph's $top sets the page size: with two records present, a page of one must link on to the rest. Whether $top
  // is applied is RAA-LIST-TOP's to judge.
  test('a page cut short by $top links on to the next page', cite('RAA-LIST-CONTAINS'), async ({ graph }) => {
    await created(graph);
    await created(graph);
    const as = graph.actor('list');
    requirePrincipal(test, as, 'a principal holding DeviceManagementManagedDevices.Read.All');
    const first = await graph.send({ method: 'GET', query: '$top=1', as });
    blockedBy(test, first.status !== 200, 'RAA-LIST-200', `list answered ${first.status}`);
    const items = Graph.items(first);
    blockedBy(test, items.length > 1, 'RAA-LIST-TOP', `the target does not apply $top (a page of ${items.length}): no page was cut short`);
    const next = nextLinkOf(first);
    if (items.length === 0 || typeof next !== 'string') {
      throw new CheckFailure('RAA-LIST-CONTAINS', 'records beyond the first page are unreachable', { expected: 'one item and @odata.nextLink to the rest (at least two records exist)', received: `${items.length} item(s), @odata.nextLink ${typeof next === 'string' ? 'present' : 'absent'}`, exchange: first });
    }
    const url = check.linkWithinTarget('RAA-LIST-CONTAINS', first, next, graph.runtime.target);
    const second = await graph.transport.send({ method: 'GET', url, headers: { Accept: 'application/json', Authorization: `Bearer ${await graph.bearer(as)}` } });
    check.statusIs('RAA-LIST-CONTAINS', second, [200]);
    const more = Graph.items(second);
    if (more.length === 0 || more[0]!.id === items[0]!.id) {
      throw new CheckFailure('RAA-LIST-CONTAINS', '@odata.nextLink does not lead on to the next records', { expected: `a page starting after ${String(items[0]!.id)}`, received: more.length ? `a page starting at ${String(more[0]!.id)} again` : 'an empty page', exchange: second });
    }
  });

  test('a list page holds no more items than $top', cite('RAA-LIST-TOP'), async ({ graph }) => {
    await created(graph);
    await created(graph);
    const as = graph.actor('list');
    requirePrincipal(test, as, 'a principal holding DeviceManagementManagedDevices.Read.All');
    const first = await graph.send({ method: 'GET', query: '$top=1', as });
    blockedBy(test, first.status !== 200, 'RAA-LIST-200', `list answered ${first.status}`);
    check.pageWithinTop('RAA-LIST-TOP', first, 1);
    // The next page carries on with the $top its link names (Graph's links keep the request's query options).
    const next = nextLinkOf(first);
    if (typeof next !== 'string' || check.linkProblem(next, graph.runtime.target) !== undefined) return;
    const top = Number(new URL(next).searchParams.get('$top'));
    if (!Number.isInteger(top) || top < 1) return;
    const second = await graph.transport.send({ method: 'GET', url: next, headers: { Accept: 'application/json', Authorization: `Bearer ${await graph.bearer(as)}` } });
    if (second.status === 200) check.pageWithinTop('RAA-LIST-TOP', second, top);
  });
});
