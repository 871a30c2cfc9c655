// A real tenant is sacred: nothing is written unless writes are allowed; what the suite creates is marked
// and removed; `cleanup` deletes only marked records. Only the embedded reference server is a sandbox: the
// reference server started here and named with --target is a loopback URL like a local proxy to a tenant, and
// gets no writes without --allow-writes.
import { expect, test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReferenceServer } from '../../server/app';
import { startEmbedded, type Embedded } from '../../src/cli/target';
import { cli, explain, runSuite, writePrincipals } from './support/run-suite';

test.describe.configure({ timeout: 600_000 });

let server: Embedded;
let principals: string;
test.beforeAll(async () => {
  server = await startEmbedded([]);
  principals = writePrincipals(server.principals);
});
test.afterAll(async () => { await server.close(); });

/** A run against the reference server as a target on loopback, not as the embedded one. */
const runOnLoopback = (args: string[]) => {
  const dash = args.indexOf('--');
  const ours = ['run', '--target', server.baseUrl, '--principals', principals, '--seed', '12'];
  return runSuite(dash < 0 ? [...ours, ...args] : [...ours, ...args.slice(0, dash), ...args.slice(dash)], { CONFORMANCE_RATE_LIMIT: '0' });
};

test('against a loopback target that is not the embedded server nothing is written unless writes are allowed, and the run says it is INCOMPLETE', async () => {
  const run = await runOnLoopback([]);
  // MUST requirements that need writes went untested: that is no pass, it is a run to complete or to accept.
  expect(run.code, explain(run)).toBe(4);
  expect(run.report?.records?.created).toBe(0);
  const forWrites = run.report!.requirements.filter((q) => q.status === 'not-tested' && q.notTested === 'writes');
  expect(forWrites.length).toBeGreaterThan(20);
  expect(run.report!.verdict).toBe('INCOMPLETE');
  expect(run.stdout).toMatch(new RegExp(`${forWrites.length} requirement\\(s\\) not tested because writes are not allowed`));
  expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^INCOMPLETE: \d+ MUST requirement\(s\) not wholly tested \(writes not allowed: .*RAA-CREATE-201/);
});

test('without a rate limit set, a loopback target that is not the embedded server is paced like a tenant', async () => {
  const run = await runSuite(['run', '--target', server.baseUrl, '--principals', principals, '--allow-partial', '--', '--grep', '@RAA-AUTH-MISSING'], {});
  expect(run.stdout, explain(run)).toMatch(/at 8 req\/s about \d+ s/);
});

test('--allow-partial accepts what configuration left untested, and says so', async () => {
  const run = await runOnLoopback(['--allow-partial', '--', '--grep', '@RAA-AUTH|@RAA-CREATE-201']);
  expect(run.code, explain(run)).toBe(0);
  expect(run.report!.verdict).toBe('PARTIAL');
  expect(run.report!.allowPartial).toBe(true);
  expect(run.report!.verdictLine).toMatch(/requirements selected \(--grep .*accepted by --allow-partial/);
});

test('with writes allowed, every record created is marked and removed at the end', async () => {
  const run = await runOnLoopback(['--allow-writes']);
  expect(run.code, explain(run)).toBe(0);
  expect(run.report?.records?.created).toBeGreaterThan(100);
  expect(run.report?.records?.left).toEqual([]);
});

test('cleanup deletes only records carrying the marker, and --dry-run deletes nothing', async () => {
  const server = new ReferenceServer();
  const base = await server.listen(0);
  try {
    const token = await server.issuer.mint({ type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.All'] });
    // A second tenant's records are invisible to the first tenant's principal: cleanup acts in each tenant as itself.
    const tokenB = await server.issuer.mint({ type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.All'], tenant: 'tenant-b' });
    const dir = mkdtempSync(join(tmpdir(), 'raa-cleanup-'));
    const principals = join(dir, 'principals.json');
    writeFileSync(principals, JSON.stringify({ principals: [
      { name: 'app-rw', type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.All'], token },
      { name: 'app-rw-b', type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.All'], token: tokenB }] }));
    const names = ['raa-conformance/20260101T000000-abc/left over', 'raa-conformance/20260102T000000-def/', 'a real device', 'not raa-conformance/x/'];
    for (const deviceDisplayName of names) server.store.create({ deviceDisplayName, action: 'remoteLock' });
    const storeB = server.storeOf('tenant-b');
    storeB.create({ deviceDisplayName: 'raa-conformance/20260103T000000-ghi/in tenant b', action: 'remoteLock' });
    storeB.create({ deviceDisplayName: 'tenant b device', action: 'remoteLock' });
    // Asynchronous on purpose: the server lives in this process and must keep answering while cleanup runs.
    const cleanup = async (...extra: string[]) => {
      const r = await cli(['cleanup', '--target', base, '--principals', principals, ...extra]);
      return { ...r, status: r.code };
    };

    const dry = await cleanup('--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('2 record(s) carry the marker');
    expect(dry.stdout).toContain('tenant tenant-b: 1 record(s) carry the marker');
    expect(server.store.size).toBe(4);
    expect(storeB.size).toBe(2);

    const one = await cleanup('--run-id', '20260101T000000-abc', '--allow-writes');
    expect(one.status, one.stderr).toBe(0);
    expect(server.store.size).toBe(3);

    const refused = await cleanup();
    expect(refused.status, 'deleting on a loopback URL needs the user\'s word too').toBe(2);
    expect(refused.stderr).toMatch(/pass --allow-writes/);
    expect(server.store.size).toBe(3);

    const all = await cleanup('--allow-writes');
    expect(all.status, all.stderr).toBe(0);
    expect(server.store.size).toBe(2);
    expect(storeB.size, 'the second tenant is cleaned as itself').toBe(1);
    const left = server.store.page(0, 10).items.map((r) => r.deviceDisplayName);
    expect(left).toEqual(['a real device', 'not raa-conformance/x/']);
  } finally {
    await server.close();
  }
});
