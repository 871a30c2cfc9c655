// Authentication: a request without a valid bearer token is answered 401, for a read and for a create.
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { loadRuntime } from '../../../src/config/runtime';
import { tamper } from '../../../src/auth/tokens';
import { notTested, blockedBy, cite, needs, test, type Graph, type Need, type SendOptions } from '../../../src/suite/suite';

const rt = loadRuntime();

/** The two calls every auth rule is checked on: a read (always) and a create (when writes are allowed). */
const CALLS: { name: 'list' | 'create'; needs: Need[]; request: (g: Graph) => SendOptions }[] = [
  { name: 'list', needs: [], request: () => ({ method: 'GET' }) },
  { name: 'create', needs: ['writes'], request: (g) => ({ method: 'POST', json: g.mark(SEED_EXAMPLE_REQUEST) }) },
];

for (const call of CALLS) {
  test.describe(`auth: ${call.name}`, needs(...call.needs), () => {
    test('a request without Authorization is answered 401', cite('RAA-AUTH-MISSING'), async ({ graph, check }) => {
      check.statusIs(await graph.send({ ...call.request(graph), as: null }), [401]);
    });

    for (const [what, header] of [['a malformed bearer token', 'Bearer not-a-token'], ['an empty bearer token', 'Bearer '], ['a Basic credential', 'Basic dXNlcjpwYXNzd29yZA==']] as const) {
      test(`${what} is answered 401`, cite('RAA-AUTH-INVALID'), async ({ graph, check }) => {
        check.statusIs(await graph.send({ ...call.request(graph), authorization: header }), [401]);
      });
    }

    test('a tampered token is answered 401', cite('RAA-AUTH-INVALID', { needs: [call.name] }), async ({ graph, check }) => {
      const actor = graph.actor(call.name)!;
      check.statusIs(await graph.send({ ...call.request(graph), authorization: `Bearer ${tamper(await graph.bearer(actor))}` }), [401]);
    });

    test('a 401 carries the code InvalidAuthenticationToken', cite('RAA-AUTH-CODE'), async ({ graph, check }) => {
      const ex = await graph.send({ ...call.request(graph), as: null });
      blockedBy(test, ex.status !== 401, 'RAA-AUTH-MISSING', `no 401 to inspect (status ${ex.status})`);
      check.errorCodeIs(ex, 'InvalidAuthenticationToken');
    });

    for (const [state, requirement] of [['expired', 'RAA-AUTH-EXPIRED'], ['wrong-audience', 'RAA-AUTH-AUDIENCE']] as const) {
      const principals = rt.principals.filter((p) => p.tokenState === state);
      if (principals.length === 0) {
        test(`a ${state} token is answered 401`, cite(requirement), () => {
          notTested(test, true, 'principal', `no suitable principal is configured: add a principal with "tokenState": "${state}" to the principals file`);
        });
      }
      for (const p of principals) {
        test(`the ${state} token of ${p.name} is answered 401`, cite(requirement), async ({ graph, check }) => {
          check.statusIs(await graph.send({ ...call.request(graph), as: p }), [401]);
        });
      }
    }
  });
}
