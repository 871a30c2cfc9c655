// Every configured principal against the permission matrix (schemas/permissions.json): the expected outcome
// comes from the matrix, never from the test. Cells the sources disagree on assert nothing.
import { SEED_EXAMPLE_REQUEST, decide, type Operation } from '../../../src/contract';
import * as check from '../../../src/checks';
import { loadRuntime } from '../../../src/runtime';
import { notTested, blockedBy, cite, requirePrincipal, requireWrites, test, type Graph, type SendOptions } from '../../../src/suite';

const rt = loadRuntime();

/** For item operations the record is created first by the suite's own actor, then acted on by the principal. */
const OPS: { op: Operation; writes: boolean; success: number[]; request: (g: Graph) => SendOptions | Promise<SendOptions> }[] = [
  { op: 'create', writes: true, success: [201], request: (g) => ({ method: 'POST', json: g.mark(SEED_EXAMPLE_REQUEST) }) },
  { op: 'list', writes: false, success: [200], request: () => ({ method: 'GET', query: '$top=1' }) },
  { op: 'get', writes: true, success: [200], request: async (g) => ({ method: 'GET', path: `/${await record(g)}` }) },
  { op: 'update', writes: true, success: [200, 204], request: async (g) => ({ method: 'PATCH', path: `/${await record(g)}`, json: { actionState: 'done' } }) },
  { op: 'delete', writes: true, success: [204], request: async (g) => ({ method: 'DELETE', path: `/${await record(g)}` }) },
];

async function record(g: Graph): Promise<string> {
  requirePrincipal(test, g.actor('create'), 'a principal holding DeviceManagementManagedDevices.ReadWrite.All');
  const { id, ex } = await g.createRecord(SEED_EXAMPLE_REQUEST);
  blockedBy(test, id === undefined, 'RAA-CREATE-201', `no record to act on (create answered ${ex.status})`);
  return encodeURIComponent(id!);
}

const valid = rt.principals.filter((p) => p.tokenState === 'valid');

for (const { op, writes, success, request } of OPS) {
  test.describe(`permissions: ${op}`, () => {
    test.beforeEach(({ graph }) => { if (writes) requireWrites(test, graph.runtime); });

    for (const p of valid) {
      const label = `${p.name} (${p.type}: ${p.permissions.join(', ') || 'no permissions'})`;
      if (p.type === 'delegated-personal') {
        test(`${op} by the personal account ${label} is refused`, cite('RAA-PERM-PERSONAL'), async ({ graph }) => {
          check.refused('RAA-PERM-PERSONAL', await graph.send({ ...(await request(graph)), as: p }));
        });
        continue;
      }
      const decision = decide(op, p.type, p.permissions);
      if (decision === 'allowed') {
        test(`${op} by ${label} is allowed`, cite('RAA-PERM-ALLOW'), async ({ graph }) => {
          check.statusIs('RAA-PERM-ALLOW', await graph.send({ ...(await request(graph)), as: p }), success);
        });
      } else if (decision === 'denied') {
        test(`${op} by ${label} is refused`, cite('RAA-PERM-DENY'), async ({ graph }) => {
          check.refused('RAA-PERM-DENY', await graph.send({ ...(await request(graph)), as: p }));
        });
        test(`${op} by ${label} is refused with 403`, cite('RAA-PERM-DENY-403'), async ({ graph }) => {
          check.statusIs('RAA-PERM-DENY-403', await graph.send({ ...(await request(graph)), as: p }), [403]);
        });
      }
    }
  });
}

// Say which principals would enable the checks nobody can run with this principals file.
const wanted: [string, boolean, string][] = [
  ['RAA-PERM-ALLOW', valid.some((p) => p.type !== 'delegated-personal' && decide('create', p.type, p.permissions) === 'allowed'), 'a principal holding DeviceManagementManagedDevices.ReadWrite.All'],
  ['RAA-PERM-DENY', valid.some((p) => p.type !== 'delegated-personal' && decide('create', p.type, p.permissions) === 'denied'), 'a principal holding no listed permission (e.g. "permissions": [])'],
  ['RAA-PERM-PERSONAL', valid.some((p) => p.type === 'delegated-personal'), 'a principal of type delegated-personal'],
];
for (const [id, present, who] of wanted) {
  if (!present) test(`${id} has a principal to check`, cite(id), () => { notTested(test, true, 'principal', `no suitable principal is configured: add ${who} to the principals file`); });
}
