// Principals and their tenants: the file's `tenant`, else a JWT's tid, else the default tenant; the suite acts in
// the tenant of its first valid work or application principal, and deletes each record from the tenant that made it.
import { test, expect } from '@playwright/test';
import { SEED_EXAMPLE_REQUEST } from '../../src/contract';
import { Transport } from '../../src/transport/http';
import { resolvePrincipals, type Principal } from '../../src/auth/principals';
import type { Runtime } from '../../src/config/runtime';
import { Graph } from '../../src/suite/suite';
import { ReferenceServer } from '../../server/app';
import { PERSONAL_ACCOUNT_TENANT, REFERENCE_TENANT, TokenIssuer } from '../../server/tokens';

const RW = ['DeviceManagementManagedDevices.ReadWrite.All'];

test('a principal\'s tenant is the file\'s, else the JWT\'s tid, else the default tenant', async () => {
  const issuer = new TokenIssuer();
  const jwt = await issuer.mint({ type: 'application', permissions: RW, tenant: 'from-the-token' });
  const [named, fromTid, opaque] = await resolvePrincipals([
    { name: 'named', type: 'application', permissions: RW, token: jwt, tenant: 'from-the-file' },
    { name: 'tid', type: 'application', permissions: RW, token: jwt },
    { name: 'opaque', type: 'application', permissions: RW, token: 'opaque-selftest-token-0123456789' },
  ]);
  expect(named!.tenant).toBe('from-the-file');
  expect(fromTid!.tenant).toBe('from-the-token');
  expect(opaque!.tenant).toBeUndefined();
});

test.describe('a Graph over principals in two tenants', () => {
  let server: ReferenceServer;
  let graph: Graph;
  let home: Principal;
  let other: Principal;

  test.beforeAll(async () => {
    server = new ReferenceServer();
    const target = await server.listen(0);
    const mint = (type: Principal['type'], tenant?: string) => server.issuer.mint({ type, permissions: RW, ...(tenant ? { tenant } : {}) });
    // The personal account comes first: it is in a tenant of its own and never the suite's.
    const principals = await resolvePrincipals([
      { name: 'personal', type: 'delegated-personal', permissions: RW, token: await mint('delegated-personal') },
      { name: 'home-user', type: 'delegated-work', permissions: RW, token: await mint('delegated-work') },
      { name: 'other-app', type: 'application', permissions: RW, token: await mint('application', 'tenant-b') },
      { name: 'home-app', type: 'application', permissions: RW, token: await mint('application') },
    ]);
    [, , other, home] = principals as [Principal, Principal, Principal, Principal];
    graph = new Graph({ target, principals, marker: 'raa-conformance/principal-tenants/' } as unknown as Runtime, new Transport({ timeoutMs: 5_000 }));
  });

  test.afterAll(async () => {
    await graph.transport.close();
    await server.close();
  });

  test('the suite acts in the tenant of its first work or application principal', () => {
    expect(graph.homeTenant).toBe(REFERENCE_TENANT);
    expect(graph.tenants).toEqual([REFERENCE_TENANT, 'tenant-b']);
    expect(graph.actor('create')!.name).toBe('home-app');
    expect(graph.principalsWith('get', 'allowed').map((p) => p.name)).toEqual(['home-app', 'home-user']);
    expect(graph.actorIn('delete', 'tenant-b')!.name).toBe('other-app');
    expect(graph.actorIn('delete', PERSONAL_ACCOUNT_TENANT)).toBeUndefined();
  });

  test('records are deleted from the tenant that created them', async () => {
    const mine = await graph.createRecord(SEED_EXAMPLE_REQUEST);
    const theirs = await graph.createRecord(SEED_EXAMPLE_REQUEST, { as: other });
    expect([mine.ex.status, theirs.ex.status]).toEqual([201, 201]);
    expect(await graph.cleanup()).toEqual([]);
    expect((await graph.get(mine.id!, { as: home })).status).toBe(404);
    expect((await graph.get(theirs.id!, { as: other })).status).toBe(404);
    expect([...graph.left]).toEqual([]);
  });
});
