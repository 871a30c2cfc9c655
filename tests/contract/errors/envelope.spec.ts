// Every error the suite provokes carries Graph's error envelope; only its shape is asserted, never the wording.
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { notTested, cite, test, type Graph, type Need, type SendOptions } from '../../../src/suite/suite';

const PROVOKED: { what: string; needs: Need[]; request: (g: Graph) => SendOptions }[] = [
  { what: 'a 401 for a missing token', needs: [], request: () => ({ method: 'GET', as: null }) },
  { what: 'a 401 for a malformed token', needs: [], request: () => ({ method: 'GET', authorization: 'Bearer not-a-token' }) },
  { what: 'a 400 for an action outside the enum', needs: ['writes', 'create'], request: (g) => ({ method: 'POST', as: g.actor('create'), json: g.mark({ ...SEED_EXAMPLE_REQUEST, action: 'notAnAction' }) }) },
  { what: 'a 400 for malformed JSON', needs: ['writes', 'create'], request: (g) => ({ method: 'POST', as: g.actor('create'), raw: '{"action":' }) },
  { what: 'a 400 for a wrong JSON type', needs: ['writes', 'create'], request: (g) => ({ method: 'POST', as: g.actor('create'), json: g.mark({ ...SEED_EXAMPLE_REQUEST, deviceIMEI: 12345 }) }) },
  { what: 'a refusal for a principal without permission', needs: ['writes', 'refused:create'], request: (g) => ({ method: 'POST', as: g.principalsWith('create', 'denied')[0]!, json: g.mark(SEED_EXAMPLE_REQUEST) }) },
];

test.describe('errors: the Graph error envelope', () => {
  for (const { what, needs, request } of PROVOKED) {
    test(`${what} carries the error envelope`, cite('RAA-ERROR-ENVELOPE', { needs }), async ({ graph, check }) => {
      const ex = await graph.send(request(graph));
      notTested(test, ex.status < 400, 'target', `no error to inspect (status ${ex.status})`);
      check.isGraphError(ex);
    });
  }
});
