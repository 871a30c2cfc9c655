// Graph's correlation headers: request-id on every response, client-request-id echoed (GRAPH-FACTS §5).
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import * as check from '../../../src/checks';
import { cite, requireWrites, test, type Graph, type SendOptions } from '../../../src/suite';

const RESPONSES: { what: string; writes: boolean; request: (g: Graph) => SendOptions }[] = [
  { what: 'a 201 create', writes: true, request: (g) => ({ method: 'POST', json: g.mark(SEED_EXAMPLE_REQUEST), as: g.actor('create') }) },
  { what: 'a 400 create', writes: true, request: (g) => ({ method: 'POST', json: g.mark({ ...SEED_EXAMPLE_REQUEST, action: 'notAnAction' }), as: g.actor('create') }) },
  { what: 'a 401', writes: false, request: () => ({ method: 'GET', as: null }) },
  { what: 'a 200 list', writes: false, request: (g) => ({ method: 'GET', query: '$top=1', as: g.actor('list') }) },
];

test.describe('headers', () => {
  for (const { what, writes, request } of RESPONSES) {
    test(`${what} carries request-id`, cite('RAA-HDR-REQUEST-ID'), async ({ graph }) => {
      if (writes) requireWrites(test, graph.runtime);
      check.hasHeader('RAA-HDR-REQUEST-ID', await graph.send(request(graph)), 'request-id');
    });

    test(`${what} echoes client-request-id`, cite('RAA-HDR-CLIENT-REQUEST-ID'), async ({ graph }) => {
      if (writes) requireWrites(test, graph.runtime);
      const id = randomUUID();
      const req = request(graph);
      const ex = await graph.send({ ...req, headers: { ...(req.headers ?? {}), 'client-request-id': id } });
      check.headerEquals('RAA-HDR-CLIENT-REQUEST-ID', ex, 'client-request-id', id);
    });
  }
});
