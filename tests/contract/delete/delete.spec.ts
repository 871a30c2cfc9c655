// Delete: 204, then the record is gone.
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { blockedBy, cite, recordFor, test, type Graph } from '../../../src/suite/suite';

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

  test('deleting a record twice is answered 404 the second time', cite('RAA-DELETE-TWICE'), async ({ graph, check }) => {
    const id = await created(graph);
    const del = await graph.remove(id);
    blockedBy(test, del.status !== 204, 'RAA-DELETE-204', `delete answered ${del.status}`);
    check.statusIs(await graph.remove(id), [404]);
  });
});
