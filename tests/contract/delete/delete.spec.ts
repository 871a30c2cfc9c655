// Delete: 204, then the record is gone: from get and from every page of the list (WFC 103).
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { blockedBy, cite, notTested, recordFor, test, type Graph } from '../../../src/suite/suite';

const MAX_PAGES = 200;

const created = async (graph: Graph) => (await recordFor(test, graph, SEED_EXAMPLE_REQUEST, 'delete')).id;

test.describe('delete', () => {
  test('deleting a record is answered 204', cite('RAA-DELETE-204'), async ({ graph, check }) => {
    check.statusIs(await graph.remove(await created(graph)), [204]);
  });

  test('a deleted record is answered 404 by get', cite('RAA-DELETE-GONE'), async ({ graph, check }) => {
    const id = await created(graph);
    const del = await graph.remove(id);
    blockedBy(test, del.status !== 204, 'RAA-DELETE-204', `delete answered ${del.status}`);
    check.statusIs(await graph.get(id), [404]);
  });

  test('a deleted record is absent from every page of the list', cite('RAA-DELETE-UNLISTED', { needs: ['list'] }), async ({ graph, check }) => {
    const { id } = await recordFor(test, graph, SEED_EXAMPLE_REQUEST, 'delete', 'list');
    const del = await graph.remove(id);
    blockedBy(test, del.status !== 204, 'RAA-DELETE-204', `delete answered ${del.status}`);
    let pages = 0;
    for await (const ex of graph.pages({ maxPages: MAX_PAGES, requirement: check.requirement })) {
      blockedBy(test, ex.status !== 200, 'RAA-LIST-200', `list answered ${ex.status}`);
      pages++;
      check.notListed(ex, id, `the deleted record ${id}`);
    }
    // Past the bound the record may still be on a page never read: no verdict.
    notTested(test, graph.truncated, 'target', `the list is longer than ${MAX_PAGES} pages; the deleted record ${id} was not on them`);
    blockedBy(test, pages === 0, 'RAA-LIST-200', 'the list was never answered');
  });

  test('deleting a record twice is answered 404 the second time', cite('RAA-DELETE-TWICE'), async ({ graph, check }) => {
    const id = await created(graph);
    const del = await graph.remove(id);
    blockedBy(test, del.status !== 204, 'RAA-DELETE-204', `delete answered ${del.status}`);
    check.statusIs(await graph.remove(id), [404]);
  });
});
