// Graph's correlation headers: request-id on every response, client-request-id echoed (GRAPH-FACTS §5).
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { cite, test, type Graph, type Need, type SendOptions } from '../../../src/suite/suite';

const RESPONSES: { what: string; needs: Need[]; request: (g: Graph) => SendOptions }[] = [
  { what: 'a 201 create', needs: ['writes'], request: (g) => ({ method: 'POST', json: g.mark(SEED_EXAMPLE_REQUEST), as: g.actor('create') }) },
  { what: 'a 400 create', needs: ['writes'], request: (g) => ({ method: 'POST', json: g.mark({ ...SEED_EXAMPLE_REQUEST, action: 'notAnAction' }), as: g.actor('create') }) },
  { what: 'a 401', needs: [], request: () => ({ method: 'GET', as: null }) },
  { what: 'a 200 list', needs: [], request: (g) => ({ method: 'GET', query: '$top=1', as: g.actor('list') }) },
];

test.describe('headers', () => {
  for (const { what, needs, request } of RESPONSES) {
    test(`${what} carries request-id`, cite('RAA-HDR-REQUEST-ID', { needs }), async ({ graph, check }) => {
      check.hasHeader(await graph.send(request(graph)), 'request-id');
    });

    test(`${what} echoes client-request-id`, cite('RAA-HDR-CLIENT-REQUEST-ID', { needs }), async ({ graph, check }) => {
      const id = randomUUID();
      const req = request(graph);
      const ex = await graph.send({ ...req, headers: { ...(req.headers ?? {}), 'client-request-id': id } });
      check.headerEquals(ex, 'client-request-id', id);
    });
  }
});
