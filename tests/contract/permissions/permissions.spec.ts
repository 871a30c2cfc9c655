// Every configured principal against the permission matrix (schemas/permissions.json): the expected outcome
// comes from the matrix, never from the test. Cells the sources disagree on assert nothing.
import { SEED_EXAMPLE_REQUEST, decide, permissionMatrix, type Operation } from '../../../src/contract';
import type { Principal } from '../../../src/auth/principals';
import { loadRuntime } from '../../../src/config/runtime';
import { notTested, blockedBy, cite, needs, principalFor, principalRefused, requirePrincipal, test, type Graph, type SendOptions } from '../../../src/suite/suite';

const rt = loadRuntime();

/** For item operations the record is created first by the suite's own actor, then acted on by the principal. */
const OPS: { op: Operation; writes: boolean; success: number[]; request: (g: Graph, p: Principal) => SendOptions | Promise<SendOptions> }[] = [
  { op: 'create', writes: true, success: [201], request: (g) => ({ method: 'POST', json: g.mark(SEED_EXAMPLE_REQUEST) }) },
  { op: 'list', writes: false, success: [200], request: () => ({ method: 'GET', query: '$top=1' }) },
  { op: 'get', writes: true, success: [200], request: async (g, p) => ({ method: 'GET', path: `/${await record(g, p, 'get')}` }) },
  { op: 'update', writes: true, success: [200, 204], request: async (g, p) => ({ method: 'PATCH', path: `/${await record(g, p, 'update')}`, json: { actionState: 'done' } }) },
  { op: 'delete', writes: true, success: [204], request: async (g, p) => ({ method: 'DELETE', path: `/${await record(g, p, 'delete')}` }) },
];

/**
 * A record in the principal's tenant when a principal there may create it: another tenant's record is not found
 * (RAA-TENANT-READ), whatever the permissions. A principal the matrix refuses is refused wherever the record lives.
 */
async function record(g: Graph, p: Principal, op: Operation): Promise<string> {
  const allowed = decide(op, p.type, p.permissions) === 'allowed';
  const creator = g.actorIn('create', p.tenant) ?? (allowed ? undefined : g.actor('create'));
  requirePrincipal(test, creator, `${principalFor('create')}${allowed && p.tenant !== g.homeTenant ? ` in the tenant of "${p.name}" (${p.tenant ?? 'the default tenant'})` : ''}`);
  const { id, ex } = await g.createRecord(SEED_EXAMPLE_REQUEST, { as: creator });
  blockedBy(test, id === undefined, 'RAA-CREATE-201', `no record to act on (create answered ${ex.status})`);
  return encodeURIComponent(id!);
}

const valid = rt.principals.filter((p) => p.tokenState === 'valid');

for (const { op, writes, success, request } of OPS) {
  test.describe(`permissions: ${op}`, needs(...(writes ? ['writes' as const] : [])), () => {
    for (const p of valid) {
      const label = `${p.name} (${p.type}: ${p.permissions.join(', ') || 'no permissions'})`;
      if (p.type === 'delegated-personal') {
        test(`${op} by the personal account ${label} is refused`, cite('RAA-PERM-PERSONAL'), async ({ graph, check }) => {
          check.refused(await graph.send({ ...(await request(graph, p)), as: p }));
        });
        continue;
      }
      const decision = decide(op, p.type, p.permissions);
      if (decision === 'allowed') {
        test(`${op} by ${label} is allowed`, cite('RAA-PERM-ALLOW'), async ({ graph, check }) => {
          check.statusIs(await graph.send({ ...(await request(graph, p)), as: p }), success);
        });
      } else if (decision === 'undocumented') {
        // Wider than documented: the operation's own page lists its permissions exactly, and this one is not there.
        test(`${op} by ${label} is refused: no source lists it for ${op}`, cite('RAA-PERM-UNDOCUMENTED'), async ({ graph, check }) => {
          const ex = await graph.send({ ...(await request(graph, p)), as: p });
          const documented = permissionMatrix.operations[op][p.type];
          if (ex.status !== 401 && ex.status !== 403) {
            check.fail(`${op} was allowed to ${p.name}, whose permissions no source lists for ${op}`, {
              expected: `401 or 403: ${permissionMatrix.operations[op].source} lists only ${documented.permissions.join(', ')}`, received: String(ex.status), exchange: ex });
          }
        });
      } else if (decision === 'denied') {
        test(`${op} by ${label} is refused`, cite('RAA-PERM-DENY'), async ({ graph, check }) => {
          check.refused(await graph.send({ ...(await request(graph, p)), as: p }));
        });
        test(`${op} by ${label} is refused with 403`, cite('RAA-PERM-DENY-403'), async ({ graph, check }) => {
          check.statusIs(await graph.send({ ...(await request(graph, p)), as: p }), [403]);
        });
      }
    }
  });
}

// Say which principals would enable the checks nobody can run with this principals file.
const wanted: [string, boolean, string][] = [
  ['RAA-PERM-ALLOW', valid.some((p) => p.type !== 'delegated-personal' && decide('create', p.type, p.permissions) === 'allowed'), principalFor('create')],
  ['RAA-PERM-DENY', valid.some((p) => p.type !== 'delegated-personal' && decide('create', p.type, p.permissions) === 'denied'), principalRefused('create')],
  ['RAA-PERM-DENY-403', valid.some((p) => p.type !== 'delegated-personal' && decide('create', p.type, p.permissions) === 'denied'), principalRefused('create')],
  ['RAA-PERM-PERSONAL', valid.some((p) => p.type === 'delegated-personal'), 'a principal of type delegated-personal'],
  ['RAA-PERM-UNDOCUMENTED', valid.some((p) => p.type !== 'delegated-personal' && OPS.some(({ op }) => decide(op, p.type, p.permissions) === 'undocumented')), 'a principal holding only DeviceManagementConfiguration.ReadWrite.All (no source lists it for Delete)'],
];
for (const [id, present, who] of wanted) {
  if (!present) test(`${id} has a principal to check`, cite(id), () => { notTested(test, true, 'principal', `no suitable principal is configured: add ${who} to the principals file`); });
}
