// Evolvable enums (GRAPH-FACTS §4): members after unknownFutureValue only reach clients that send
// Prefer: include-unknown-enum-members. Without it a write is rejected, or accepted and masked.
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { ENUMS, SENTINEL, tailMembers } from '../../../schemas/enums';
import { cite, needs, test } from '../../../src/suite/suite';

test.describe('enums: evolvable members', needs('writes', 'create'), () => {
  for (const member of tailMembers(ENUMS.remoteAction).filter((m) => !ENUMS.remoteAction.newerThanSeed.includes(m))) {
    test(`action ${member} without Prefer is rejected or masked`, cite('RAA-ENUM-EVOLVABLE'), async ({ graph, check }) => {
      const ex = await graph.create(graph.mark({ ...SEED_EXAMPLE_REQUEST, action: member }));
      if (ex.status === 400) return;
      check.statusIs(ex, [400, 201]);
      const got = (ex.json as { action?: unknown } | undefined)?.action;
      if (got !== SENTINEL) {
        check.fail(`the evolvable member ${member} reached a client that did not opt in`, { expected: `400, or 201 with "action": "${SENTINEL}"`, received: `201 with "action": ${JSON.stringify(got)}`, exchange: ex });
      }
    });
  }

  test('a tail member with Prefer is echoed and Preference-Applied is returned', cite('RAA-ENUM-EVOLVABLE'), async ({ graph, check }) => {
    const ex = await graph.create(graph.mark({ ...SEED_EXAMPLE_REQUEST, action: 'launchRemoteHelp' }), { headers: { Prefer: 'include-unknown-enum-members' } });
    check.statusIs(ex, [201]);
    check.propertyEquals(ex, 'action', 'launchRemoteHelp');
    check.headerEquals(ex, 'preference-applied', 'include-unknown-enum-members');
  });

  // Newer than the seed: tried and reported, never required (a server built from the seed refuses them and still conforms).
  for (const member of ENUMS.remoteAction.newerThanSeed) {
    test(`the newer member ${member} round-trips with Prefer`, cite('RAA-ENUM-NEWER-MEMBERS'), async ({ graph, check }) => {
      const ex = await graph.create(graph.mark({ ...SEED_EXAMPLE_REQUEST, action: member }), { headers: { Prefer: 'include-unknown-enum-members' } });
      check.statusIs(ex, [201]);
      check.propertyEquals(ex, 'action', member);
    });
  }
});
