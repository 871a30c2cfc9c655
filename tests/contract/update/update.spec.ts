// Update (PATCH): 200 with the entity (204 only when the client prefers return=minimal); partial bodies change
// only what they send; the create rules for values apply.
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { blockedBy, cite, recordFor, test, type Graph } from '../../../src/suite/suite';

const created = (graph: Graph) => recordFor(test, graph, SEED_EXAMPLE_REQUEST, 'update');

const CHANGE = { actionState: 'done', deviceIMEI: '356938035643809' };

test.describe('update', () => {
  test('a partial PATCH without Prefer: return=minimal is answered 200 with the updated entity', cite('RAA-UPDATE-200'), async ({ graph, check }) => {
    const { id } = await created(graph);
    const ex = await graph.patch(id, CHANGE);
    check.statusIs(ex, [200]);
    check.hasEntity(ex);
    check.echoes(ex, CHANGE);
  });

  test('a PATCH with Prefer: return=minimal is answered 204 without a body or 200 with the updated entity', cite('RAA-UPDATE-MINIMAL'), async ({ graph, check }) => {
    const { id } = await created(graph);
    const ex = await graph.patch(id, CHANGE, { headers: { Prefer: 'return=minimal' } });
    check.statusIs(ex, [200, 204]);
    if (ex.status === 204) {
      check.hasNoBody(ex);
    } else {
      check.hasEntity(ex);
      check.echoes(ex, CHANGE);
    }
  });

  test('a PATCH changes only the properties sent', cite('RAA-UPDATE-PARTIAL'), async ({ graph, check }) => {
    const { id, ex: made } = await created(graph);
    const ex = await graph.patch(id, CHANGE);
    blockedBy(test, ex.status !== 200 && ex.status !== 204, 'RAA-UPDATE-200', `PATCH answered ${ex.status}`);
    const after = await graph.get(id);
    blockedBy(test, after.status !== 200, 'RAA-GET-200', `get answered ${after.status}`);
    check.sameRecord(after, { ...(made.json as Record<string, unknown>), ...CHANGE });
  });

  for (const [what, body, requirement] of [
    ['an actionState outside the enum', { actionState: 'Done' }, 'RAA-UPDATE-INVALID'],
    ['an action outside the enum', { action: 'wipe' }, 'RAA-UPDATE-INVALID'],
    ['a number for deviceIMEI', { deviceIMEI: 356938035643809 }, 'RAA-UPDATE-INVALID'],
    ['an object for requestDateTime', { requestDateTime: { value: '2017-01-01T00:00:00Z' } }, 'RAA-UPDATE-INVALID'],
    ['null for actionState', { actionState: null }, 'RAA-UPDATE-NONNULL'],
    ['null for requestDateTime', { requestDateTime: null }, 'RAA-UPDATE-NONNULL'],
  ] as const) {
    test(`a PATCH with ${what} is rejected with 400`, cite(requirement), async ({ graph, check }) => {
      const { id } = await created(graph);
      check.statusIs(await graph.patch(id, body), [400]);
    });
  }

  test('unknownFutureValue in a PATCH leaves the value unchanged', cite('RAA-UPDATE-SENTINEL'), async ({ graph, check }) => {
    const { id } = await created(graph);
    const ex = await graph.patch(id, { action: 'unknownFutureValue' });
    check.statusIs(ex, [200, 204]);
    const after = await graph.get(id);
    check.propertyEquals(after, 'action', SEED_EXAMPLE_REQUEST.action);
  });

  test('a PATCH of an id that does not exist is answered 404', cite('RAA-UPDATE-404', { needs: ['writes', 'update'] }), async ({ graph, check }) => {
    check.statusIs(await graph.patch(randomUUID(), CHANGE), [404]);
  });
});
