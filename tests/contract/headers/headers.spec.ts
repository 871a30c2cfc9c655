// Graph's correlation headers: request-id on every response, client-request-id echoed (GRAPH-FACTS §5). Each test
// first makes sure it got the response it names: another status is the finding of the requirement that asks for
// that status (the test is blocked by it), never a pass of the header on some other answer.
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import type { Exchange } from '../../../src/transport/http';
import { blockedBy, cite, test, type Graph, type Need, type SendOptions } from '../../../src/suite/suite';

const RESPONSES: { what: string; needs: Need[]; status: number; by: string; request: (g: Graph) => SendOptions }[] = [
  { what: 'a 201 create', needs: ['writes', 'create'], status: 201, by: 'RAA-CREATE-201', request: (g) => ({ method: 'POST', json: g.mark(SEED_EXAMPLE_REQUEST), as: g.actor('create') }) },
  { what: 'a 400 create', needs: ['writes', 'create'], status: 400, by: 'RAA-CREATE-ENUM-ACTION', request: (g) => ({ method: 'POST', json: g.mark({ ...SEED_EXAMPLE_REQUEST, action: 'notAnAction' }), as: g.actor('create') }) },
  { what: 'a 401', needs: [], status: 401, by: 'RAA-AUTH-MISSING', request: () => ({ method: 'GET', as: null }) },
  { what: 'a 200 list', needs: ['list'], status: 200, by: 'RAA-LIST-200', request: (g) => ({ method: 'GET', query: '$top=1', as: g.actor('list') }) },
];

test.describe('headers', () => {
  for (const { what, needs, status, by, request } of RESPONSES) {
    const named = (ex: Exchange) => blockedBy(test, ex.status !== status, by, `${what} was answered ${ex.status}`);

    test(`${what} carries request-id`, cite('RAA-HDR-REQUEST-ID', { needs }), async ({ graph, check }) => {
      const ex = await graph.send(request(graph));
      named(ex);
      check.hasHeader(ex, 'request-id');
    });

    test(`${what} echoes client-request-id`, cite('RAA-HDR-CLIENT-REQUEST-ID', { needs }), async ({ graph, check }) => {
      const id = randomUUID();
      const req = request(graph);
      const ex = await graph.send({ ...req, headers: { ...(req.headers ?? {}), 'client-request-id': id } });
      named(ex);
      check.headerEquals(ex, 'client-request-id', id);
    });
  }
});

