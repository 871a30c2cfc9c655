// A refused write has no side effect (WFC 104): a PATCH or DELETE answered with a 4xx leaves the record exactly as
// the get before it showed it. That the write is refused at all is another requirement's, named in each row.
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import type { Operation } from '../../../src/contract';
import type { Exchange } from '../../../src/transport/http';
import { blockedBy, cite, recordFor, test, type Graph, type Need } from '../../../src/suite/suite';

interface RefusedWrite {
  what: string;
  op: Operation;
  /** The requirement that says the write is refused: a write that succeeds is its finding, not this one's. */
  refusedBy: string;
  needs: Need[];
  send: (graph: Graph, id: string) => Promise<Exchange>;
}

// Each invalid property comes after a valid one: a handler that writes as it validates has stored the first by then.
const WRITES: RefusedWrite[] = [
  { what: 'a PATCH of a valid deviceIMEI and an actionState outside the enum', op: 'update', refusedBy: 'RAA-UPDATE-INVALID', needs: [],
    send: (g, id) => g.patch(id, { deviceIMEI: '490154203237518', actionState: 'Done' }) },
  { what: 'a PATCH of a valid actionState and a number for deviceIMEI', op: 'update', refusedBy: 'RAA-UPDATE-INVALID', needs: [],
    send: (g, id) => g.patch(id, { actionState: 'failed', deviceIMEI: 356938035643809 }) },
  { what: 'a PATCH by a principal refused update', op: 'update', refusedBy: 'RAA-PERM-DENY', needs: ['refused:update'],
    send: (g, id) => g.patch(id, { actionState: 'failed' }, { as: g.principalsWith('update', 'denied')[0]! }) },
  { what: 'a DELETE by a principal refused delete', op: 'delete', refusedBy: 'RAA-PERM-DENY', needs: ['refused:delete'],
    send: (g, id) => g.remove(id, { as: g.principalsWith('delete', 'denied')[0]! }) },
];

test.describe('refused writes', () => {
  for (const w of WRITES) {
    test(`${w.what} leaves the record as it was`, cite('RAA-WRITE-REFUSED-INTACT', { needs: ['writes', w.op, 'get', ...w.needs] }), async ({ graph, check }) => {
      const { id } = await recordFor(test, graph, SEED_EXAMPLE_REQUEST, w.op, 'get');
      const before = await graph.get(id);
      blockedBy(test, before.status !== 200, 'RAA-GET-200', `get of the record ${id} answered ${before.status}`);
      const ex = await w.send(graph, id);
      blockedBy(test, ex.status < 400 || ex.status >= 500, ex.status >= 500 ? 'RAA-NO-5XX' : w.refusedBy, `${w.what} answered ${ex.status}`);
      check.foundAfter(ex, await graph.get(id), `the record ${id}`, before.json as Record<string, unknown>);
    });
  }
});
