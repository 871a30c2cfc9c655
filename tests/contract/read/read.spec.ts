// Get and list: what create wrote can be read back (read-your-writes, with a bounded wait).
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST, validators } from '../../../src/contract';
import { linkProblem, type Checks } from '../../../src/checks/checks';
import { CheckFailure } from '../../../src/checks/failure';
import { mapLimit, type Exchange } from '../../../src/transport/http';
import type { Principal } from '../../../src/auth/principals';
import { notTested, blockedBy, cite, deleteEachTestsRecords, Graph, recordFor, test, type Need } from '../../../src/suite/suite';

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
/** What a test that lists records of its own needs: created() and a principal that may list. */
const READ_OWN: Need[] = ['writes', 'create', 'get', 'list'];

/** A list page's @odata.nextLink as given (undefined when it has none). */
const nextLinkOf = (ex: Exchange): unknown => (typeof ex.json === 'object' && ex.json !== null && !Array.isArray(ex.json) ? (ex.json as Record<string, unknown>)['@odata.nextLink'] : undefined);

test.describe('get', () => {
  test('a created record is answered 200 with a schema-valid entity', cite('RAA-GET-200'), async ({ graph, check }) => {
    const { id } = await created(graph);
    const ex = await eventually(() => graph.get(id), (e) => e.status === 200);
    check.statusIs(ex, [200]);
    check.conformsTo(ex, validators.entity, 'remoteActionAudit');
  });

  test('a record read back equals what create returned', cite('RAA-GET-READBACK'), async ({ graph, check }) => {
    const { id, ex: made } = await created(graph);
    const ex = await eventually(() => graph.get(id), (e) => e.status === 200);
    blockedBy(test, ex.status !== 200, 'RAA-GET-200', `get answered ${ex.status}`);
    check.sameRecord(ex, made.json as Record<string, unknown>);
  });

  test('an id that does not exist is answered 404 with the error envelope', cite('RAA-GET-404', { needs: ['get'] }), async ({ graph, check }) => {
    const ex = await graph.get(randomUUID());
    check.statusIs(ex, [404]);
    check.isGraphError(ex);
    test.info().annotations.push({ type: 'observed', description: `error code ${JSON.stringify((ex.json as { error?: { code?: unknown } }).error?.code)}` });
  });
});

test.describe('list', () => {
  test('the collection is answered 200 with schema-valid items', cite('RAA-LIST-200', { needs: ['list'] }), async ({ graph, check }) => {
    // Where writes are allowed, a record of this run must be among the items judged: an empty page judges none.
    const writes = (graph.runtime.embedded || graph.runtime.allowWrites) && graph.actor('create') !== undefined;
    const made = writes ? await graph.createRecord(SEED_EXAMPLE_REQUEST) : undefined;
    // A 201 without an id still made a record, listed like any other (and an item without an id fails the schema).
    blockedBy(test, made !== undefined && made.ex.status !== 201, 'RAA-CREATE-201', `no record of this run to list (create answered ${made?.ex.status})`);
    const own = made?.id;
    let items = 0;
    let found = false;
    for (let attempt = 0; attempt < 3 && !found; attempt++) {
      for await (const ex of graph.pages({ maxPages: own === undefined ? 3 : 200, requirement: check.requirement })) {
        // Stops one page after the record's: the link of the page that held it is judged too.
        if (found) break;
        check.statusIs(ex, [200]);
        check.conformsTo(ex, validators.collection, 'collection');
        items += Graph.items(ex).length;
        found = own !== undefined && Graph.ids(ex).includes(own);
      }
      if (found || own === undefined) break;
      notTested(test, graph.truncated, 'target', `the list is longer than 200 pages; the record ${own} of this run was not among them, so no item of this run was judged`);
      await new Promise((r) => setTimeout(r, 300 * 2 ** attempt));
    }
    blockedBy(test, own !== undefined && !found, 'RAA-LIST-CONTAINS', `the record ${own} of this run is on no page of the list, so the item schema was judged on no item of this run`);
    notTested(test, items === 0, writes ? 'target' : 'writes', writes
      ? 'the list showed no item, not even the record this run created, so the item schema was judged on none'
      : 'the list is empty and writes are not allowed, so the item schema was judged on no item: set CONFORMANCE_ALLOW_WRITES=1 to let the suite list a record of its own');
  });

  test('a created record appears in the list', cite('RAA-LIST-CONTAINS', { needs: READ_OWN }), async ({ graph, check }) => {
    const { id } = await created(graph);
    let pages = 0;
    let last: Exchange | undefined;
    for (let attempt = 0; attempt < 4; attempt++) {
      for await (const ex of graph.pages({ maxPages: 200, requirement: check.requirement })) {
        pages++;
        last = ex;
        if (Graph.ids(ex).includes(id)) return;
      }
      // A list longer than the bound cannot show absence: that is no verdict.
      notTested(test, graph.truncated, 'target', `the list is longer than 200 pages; the record ${id} was not among them`);
      await new Promise((r) => setTimeout(r, 300 * 2 ** attempt));
    }
    check.fail(`the record ${id} is not in the list`, { expected: `an item with id ${id}`, received: `${pages} page(s) without it`, ...(last ? { exchange: last } : {}) });
  });

  /** With two records of this run present, the first page of `$top=1`, read as the list actor. */
  async function firstPageOfOne(graph: Graph) {
    await created(graph);
    await created(graph);
    const as = graph.actor('list')!;
    const first = await graph.send({ method: 'GET', query: '$top=1', as });
    blockedBy(test, first.status !== 200, 'RAA-LIST-200', `list answered ${first.status}`);
    return { as, first };
  }

  // Graph's $top sets the page size: with two records present, a page of one must link on to the rest. A target
  // that does not apply $top (GRAPH-FACTS §12 allows it) is judged at its own page size instead. Whether $top is
  // applied is RAA-LIST-TOP's to judge, and whether the pages hold each record once, RAA-LIST-PAGES's.
  test('a page cut short by $top or by the target\'s own page size links on to the next page', cite('RAA-LIST-CONTAINS', { needs: [...READ_OWN, 'delete'] }), async ({ graph, check }) => {
    const release = graph.releaseSince();
    try {
      const { as, first } = await firstPageOfOne(graph);
      let page = first;
      if (Graph.items(first).length > 1) {
        await crossOwnBoundary(graph, as, [], Graph.items(first).length);
        page = await graph.send({ method: 'GET', as });
      }
      const items = Graph.items(page);
      const next = nextLinkOf(page);
      if (items.length === 0 || typeof next !== 'string') {
        check.fail('records beyond the first page are unreachable', { expected: 'a page cut short with @odata.nextLink to the rest', received: `${items.length} item(s), @odata.nextLink ${typeof next === 'string' ? 'present' : 'absent'}`, exchange: page });
      }
      const url = check.linkWithinTarget(page, next, graph.runtime.target);
      const second = await graph.transport.send({ method: 'GET', url, headers: { Accept: 'application/json', Authorization: `Bearer ${await graph.bearer(as)}` } });
      check.statusIs(second, [200]);
      if (Graph.items(second).length === 0) {
        check.fail('@odata.nextLink leads to an empty page', { expected: `the records after ${String(items[items.length - 1]!.id)}`, received: 'an empty page', exchange: second });
      }
    } finally {
      await release();
    }
  });

  test('a list page holds no more items than $top', cite('RAA-LIST-TOP', { needs: READ_OWN }), async ({ graph, check }) => {
    const { as, first } = await firstPageOfOne(graph);
    check.pageWithinTop(first, 1);
    // The next page carries on with the $top its link names (Graph's links keep the request's query options).
    const next = nextLinkOf(first);
    if (typeof next !== 'string' || linkProblem(next, graph.runtime.target) !== undefined) return;
    const top = Number(new URL(next).searchParams.get('$top'));
    if (!Number.isInteger(top) || top < 1) return;
    const second = await graph.transport.send({ method: 'GET', url: next, headers: { Accept: 'application/json', Authorization: `Bearer ${await graph.bearer(as)}` } });
    if (second.status === 200) check.pageWithinTop(second, top);
  });
});

/** Records the paging check may create against a target other than the embedded server, by profile (README, "Paging"). */
const PAGING_RECORDS = { quick: 250, tenant: 250, deep: 2_000 } as const;
/** Against the embedded server nothing is metered: this only bounds a target whose pages are huge. */
const PAGING_RECORDS_EMBEDDED = 5_000;
/** Pages one reading of the list may take. */
const PAGING_MAX_PAGES = 200;
/** Readings of the list before a gap is a verdict: a record created a moment ago may not be listed yet. */
const PAGING_READINGS = 3;
/** The page size asked for with $top when the target does not page on its own (more for a long single page). */
const PAGING_TOP = 5;

interface Reading { pages: Exchange[]; truncated: boolean; loop?: { page: number; to: number } }

/** The list from the first page of `query`, following each @odata.nextLink exactly as given, within the target's origin. */
async function readAllPages(graph: Graph, check: Checks, as: Principal, query: string | undefined): Promise<Reading> {
  const pages: Exchange[] = [];
  const requested: string[] = [];
  let url: string | undefined = `${graph.collectionUrl}${query ? `?${query}` : ''}`;
  while (url !== undefined) {
    if (pages.length === PAGING_MAX_PAGES) return { pages, truncated: true };
    const ex = await graph.transport.send({ method: 'GET', url, headers: { Accept: 'application/json', Authorization: `Bearer ${await graph.bearer(as)}` } });
    requested.push(url);
    check.statusIs(ex, [200]);
    pages.push(ex);
    const next = nextLinkOf(ex);
    url = next === undefined ? undefined : check.linkWithinTarget(ex, next, graph.runtime.target);
    if (url !== undefined && requested.includes(url)) return { pages, truncated: false, loop: { page: pages.length, to: requested.indexOf(url) + 1 } };
  }
  return { pages, truncated: false };
}

interface PagingPlan { listed: number; top: number | undefined; pageSize: number; wanted: number }

/**
 * The target's page size, learned from its first page: when it links on, that page is a full one. A target that does
 * not is asked to page with $top, sized so that one reading of the list stays near 50 pages. Not tested when spanning
 * two pages takes more records than the run creates for paging; the test gets time for its requests on top.
 */
async function pagingPlan(graph: Graph, as: Principal): Promise<PagingPlan> {
  const first = await graph.send({ method: 'GET', as });
  blockedBy(test, first.status !== 200, 'RAA-LIST-200', `list answered ${first.status}`);
  const listed = Graph.items(first).length;
  const top = nextLinkOf(first) === undefined ? Math.max(PAGING_TOP, Math.ceil(listed / 50)) : undefined;
  const pageSize = top ?? Math.max(1, listed);
  const wanted = pageSize + 1;
  const { budget, within } = pagingBudget(graph);
  notTested(test, wanted > budget, 'target', `the target's pages hold ${pageSize} records${top === undefined ? '' : ` with $top=${top}`}: spanning two of them takes ${wanted} records of this run, more than the ${budget} the suite creates for paging ${within}`);

  moreTime(graph, 2 * wanted + PAGING_READINGS * Math.ceil((listed + wanted) / pageSize + 1));
  return { listed, top, pageSize, wanted };
}

/** Records the run may create for paging against this target, and where, in words. */
function pagingBudget(graph: Graph): { budget: number; within: string } {
  const { runtime } = graph;
  const budget = runtime.embedded ? PAGING_RECORDS_EMBEDDED : PAGING_RECORDS[runtime.profile];
  const within = runtime.embedded ? 'against the embedded reference server' : `in the ${runtime.profile} profile against a target other than the embedded server${runtime.profile === 'deep' ? '' : ` (the deep profile creates up to ${PAGING_RECORDS.deep})`}`;
  return { budget, within };
}

/** Time for `requests` more requests at the run's rate (each worker has its share), on top of the test's. */
function moreTime(graph: Graph, requests: number): void {
  const rate = graph.runtime.rateLimit / Math.max(1, test.info().config.workers);
  test.setTimeout(test.info().timeout + requests * (rate > 0 ? 1000 / rate : 20));
}

/**
 * For a target that does not apply $top (GRAPH-FACTS §12: it need not), creates records of this run until the
 * list's first page, asked with no query option, carries @odata.nextLink: the target's own page boundary. Batches
 * double, so about twice the page size at most is created; `own` are this run's records so far. Not tested when the
 * profile's bound for paging is reached first.
 */
async function crossOwnBoundary(graph: Graph, as: Principal, own: string[], listed: number): Promise<{ own: string[]; pageSize: number }> {
  const { budget, within } = pagingBudget(graph);
  const all = [...own];
  for (let batch = Math.max(8, listed); ; batch *= 2) {
    const first = await graph.send({ method: 'GET', as });
    blockedBy(test, first.status !== 200, 'RAA-LIST-200', `list answered ${first.status}`);
    if (nextLinkOf(first) !== undefined) return { own: all, pageSize: Math.max(1, Graph.items(first).length) };
    const room = budget - all.length;
    notTested(test, room <= 0, 'target', `the target does not apply $top, and its first page still held all ${Graph.items(first).length} records without @odata.nextLink after this run created ${all.length}, the most the suite creates for paging ${within}: its own page boundary was not reached`);
    moreTime(graph, 2 * Math.min(batch, room) + 1);
    all.push(...await createOwn(graph, Math.min(batch, room), all.length));
  }
}

/** This run's `wanted` records, in the order the target answered their creation: only these are judged. */
async function createOwn(graph: Graph, wanted: number, before = 0): Promise<string[]> {
  const own: string[] = [];
  const made = await mapLimit(Array.from({ length: wanted }, (_, i) => i), 4, async (i) => {
    const r = await graph.createRecord({ ...SEED_EXAMPLE_REQUEST, deviceDisplayName: `paging ${before + i + 1}` });
    if (r.id !== undefined) own.push(r.id);
    return r;
  });
  const refused = made.find((r) => r.id === undefined);
  blockedBy(test, refused !== undefined, 'RAA-CREATE-201', `not every record to page through was created (create answered ${refused?.ex.status})`);
  return own;
}

/**
 * Judges one reading of the list against `own`: passes (returns 'judged'), fails, ends the test as not tested, or
 * returns why records beyond the first page were unreachable (a single page without them).
 */
function judgeReading(check: Checks, { pages, truncated, loop }: Reading, own: string[], pageSize: number, asked: string): string | 'judged' {
  const seen = new Set(pages.flatMap(Graph.ids));
  if (truncated) {
    // Past the bound a record may simply be further on: only a record listed twice is a verdict.
    check.listedOnce(pages, own.filter((id) => seen.has(id)));
    notTested(test, true, 'target', `the list is longer than ${PAGING_MAX_PAGES} pages of ${pageSize}; this run's records were not all among them`);
  }
  if (pages.length === 1) {
    const missing = own.filter((id) => !seen.has(id)).length;
    notTested(test, missing === 0, 'target', `the target does not page: ${asked} answered all ${Graph.items(pages[0]!).length} records in one page without @odata.nextLink`);
    return `records beyond the first page are unreachable: ${asked} answered ${Graph.items(pages[0]!).length} item(s) and no @odata.nextLink, without ${missing} of this run's ${own.length} records`;
  }
  check.listedOnce(pages, own);
  if (loop) {
    const at = pages[loop.page - 1]!;
    check.fail(`@odata.nextLink of page ${loop.page} leads back to page ${loop.to}: following it never ends`, { expected: 'a link to a page not read yet, or none after the last page', received: String(nextLinkOf(at)), exchange: at });
  }
  const mine = new Set(own);
  const pagesOfOwn = pages.filter((ex) => Graph.ids(ex).some((id) => mine.has(id))).length;
  notTested(test, pagesOfOwn < 2, 'target', `this run's ${own.length} records all fell on one of ${pages.length} pages (of ${pages.map((ex) => Graph.items(ex).length).join(', ')} items): no page boundary to judge`);
  return 'judged';
}

test.describe('list across pages', () => {
  // A hundred records or more: deleted as the test ends, so later lists stay short.
  deleteEachTestsRecords();

  test('following @odata.nextLink from the first page yields every record of this run exactly once', cite('RAA-LIST-PAGES', { needs: ['writes', 'create', 'delete', 'list'] }), async ({ graph, check }) => {
    const as = graph.actor('list')!;
    const plan = await pagingPlan(graph, as);
    let own = await createOwn(graph, plan.wanted);
    let { top, pageSize } = plan;
    if (top !== undefined) {
      // A target that does not apply $top pages at its own size, if at all: that boundary is the one to cross.
      const probe = await graph.send({ method: 'GET', query: `$top=${top}`, as });
      if (probe.status === 200 && Graph.items(probe).length > top) {
        ({ own, pageSize } = await crossOwnBoundary(graph, as, own, Graph.items(probe).length));
        top = undefined;
      }
    }

    // A gap may be a record not listed yet (eventual consistency): the list is read again before it is a verdict.
    const query = top === undefined ? undefined : `$top=${top}`;
    const asked = query ? `GET ?${query}` : 'the list';
    for (let reading = 1; ; reading++) {
      let failure: CheckFailure | undefined;
      let unreachable: string | undefined;
      try {
        const judged = judgeReading(check, await readAllPages(graph, check, as, query), own, pageSize, asked);
        if (judged === 'judged') return;
        unreachable = judged;
      } catch (e) {
        if (!(e instanceof CheckFailure)) throw e;
        failure = e;
      }
      if (reading === PAGING_READINGS) {
        if (failure) throw failure;
        blockedBy(test, true, 'RAA-LIST-CONTAINS', unreachable!);
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** reading));
    }
  });
});
