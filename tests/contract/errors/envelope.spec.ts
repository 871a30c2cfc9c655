// Every error the suite provokes carries Graph's error envelope; only its shape is asserted, never the wording.
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import * as check from '../../../src/checks';
import { notTested, cite, requirePrincipal, requireWrites, test, type Graph, type SendOptions } from '../../../src/suite';

const PROVOKED: { what: string; writes: boolean; request: (g: Graph) => SendOptions | undefined }[] = [
  { what: 'a 401 for a missing token', writes: false, request: () => ({ method: 'GET', as: null }) },
  { what: 'a 401 for a malformed token', writes: false, request: () => ({ method: 'GET', authorization: 'Bearer not-a-token' }) },
  { what: 'a 400 for an action outside the enum', writes: true, request: (g) => ({ method: 'POST', as: g.actor('create'), json: g.mark({ ...SEED_EXAMPLE_REQUEST, action: 'notAnAction' }) }) },
  { what: 'a 400 for malformed JSON', writes: true, request: (g) => ({ method: 'POST', as: g.actor('create'), raw: '{"action":' }) },
  { what: 'a 400 for a wrong JSON type', writes: true, request: (g) => ({ method: 'POST', as: g.actor('create'), json: g.mark({ ...SEED_EXAMPLE_REQUEST, deviceIMEI: 12345 }) }) },
  { what: 'a refusal for a principal without permission', writes: true, request: (g) => { const p = g.principalsWith('create', 'denied')[0]; return p && { method: 'POST', as: p, json: g.mark(SEED_EXAMPLE_REQUEST) }; } },
];

test.describe('errors: the Graph error envelope', () => {
  for (const { what, writes, request } of PROVOKED) {
    test(`${what} carries the error envelope`, cite('RAA-ERROR-ENVELOPE'), async ({ graph }) => {
      if (writes) requireWrites(test, graph.runtime);
      const req = request(graph);
      requirePrincipal(test, req, 'a principal holding no listed permission and one allowed to create');
      requirePrincipal(test, req.as === undefined ? req : req.as ?? req, 'a principal allowed to create');
      const ex = await graph.send(req);
      notTested(test, ex.status < 400, 'target', `no error to inspect (status ${ex.status})`);
      check.isGraphError('RAA-ERROR-ENVELOPE', ex);
    });
  }
});
