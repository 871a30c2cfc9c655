// A test names its requirement once: cite() tags it with the requirement, its level and whether it is tentative (so
// `--grep @MUST` and `--grep-invert @tentative` select by them), the `check` fixture's checks are bound to it, and
// what a test needs of the run (writes, a principal) is a declared option whose skip reason comes from the matrix.
import { expect, test } from '@playwright/test';
import { catalogue, permissionMatrix, requirementsById, type Operation } from '../../src/contract';
import { checksFor, VALID_CREATE_CHECKS } from '../../src/checks/checks';
import { isCheckFailure, type CheckFailure } from '../../src/checks/failure';
import { Transport, type Exchange } from '../../src/transport/http';
import type { Principal } from '../../src/auth/principals';
import type { Runtime } from '../../src/config/runtime';
import { WRITES_SKIP } from '../../src/suite/suite-constants';
import { cite, Graph, needs, principalFor, unmetNeed } from '../../src/suite/suite';
import { explain, runSuite } from './support/run-suite';

test.describe.configure({ timeout: 300_000 });

const QUICK = { CONFORMANCE_NUM_RUNS: '30' };

const exchange = (status: number): Exchange => ({
  request: { method: 'POST', url: 'http://127.0.0.1:9/beta/deviceManagement/remoteActionAudits', headers: {} },
  status, headers: {}, text: '', durationMs: 0, throttled: 0,
});

/** The failure `f` throws (undefined when it throws none). */
function failureOf(f: () => unknown): CheckFailure | undefined {
  try { f(); } catch (e) { if (isCheckFailure(e as Error)) return e as CheckFailure; throw e; }
  return undefined;
}

test('cite tags the requirement, its level and the tentative flag; an unknown id fails at once', () => {
  const must = catalogue.requirements.find((r) => r.level === 'MUST' && !r.tentative)!;
  const tentative = catalogue.requirements.find((r) => r.level === 'SHOULD' && r.tentative)!;
  expect(cite(must.id).tag).toEqual([`@${must.id}`, '@MUST']);
  expect(cite(tentative.id).tag).toEqual([`@${tentative.id}`, '@SHOULD', '@tentative']);
  expect(cite(must.id).annotation).toEqual([{ type: 'requirement', description: must.id }]);
  expect(() => cite('RAA-NO-SUCH-REQUIREMENT')).toThrow(/unknown requirement RAA-NO-SUCH-REQUIREMENT/);
  // Needs travel as an annotation the graph fixture reads; none leaves no annotation.
  expect(cite(must.id, { needs: ['writes', 'create'] }).annotation.at(-1)).toEqual({ type: 'raa-needs', description: 'writes create' });
  expect(needs().annotation).toEqual([]);
});

test('bound checks fail under the requirement they were bound to; the shared create checks each under their own', () => {
  const check = checksFor('RAA-CREATE-201');
  expect(check.requirement).toBe('RAA-CREATE-201');
  expect(failureOf(() => check.statusIs(exchange(500), [201]))?.requirementId).toBe('RAA-CREATE-201');
  expect(failureOf(() => check.fail('a finding no named check covers'))).toMatchObject({ requirementId: 'RAA-CREATE-201', summary: 'a finding no named check covers' });
  expect(() => checksFor('RAA-NO-SUCH-REQUIREMENT')).toThrow(/unknown requirement/);
  // A 500 to a create breaks 201 and 5xx; the schema and echo checks are blocked, not failed.
  const failed = Object.entries(VALID_CREATE_CHECKS).map(([id, judge]) => [id, failureOf(() => judge({}, exchange(500)))?.requirementId]);
  expect(failed).toEqual([['RAA-CREATE-201', 'RAA-CREATE-201'], ['RAA-CREATE-SCHEMA', undefined], ['RAA-CREATE-ECHO', undefined], ['RAA-NO-5XX', 'RAA-NO-5XX']]);
});

test.describe('needs: the reason a test is not tested comes from the run and the permission matrix', () => {
  const runtime = (o: Partial<Runtime>): Runtime => ({
    runId: 'cite', marker: 'raa-conformance/cite/', target: 'http://127.0.0.1:9/beta', embedded: true, principals: [],
    seed: 1, profile: 'quick', numRuns: 1, propertyBudgetMs: 0, strict: false, allowWrites: false, timeoutMs: 1000, rateLimit: 0,
    reportDir: '/tmp/raa-cite', suiteVersion: 'cite', defects: [], secrets: [], ...o,
  });
  const principal = (name: string, permissions: string[]): Principal => ({ name, type: 'application', permissions, tokenState: 'valid', token: `stand-in-token-${name}` });
  // Never used to send: an idle transport holds no connection to close.
  const transport = new Transport();

  test('each operation names every permission the matrix lists for it', () => {
    for (const op of Object.keys(permissionMatrix.operations) as Operation[]) {
      const listed = permissionMatrix.operations[op].application.permissions;
      for (const p of listed) expect(principalFor(op)).toContain(p);
      expect(principalFor(op)).toContain(`schemas/permissions.json lists for ${op}`);
    }
  });

  test('writes first, then each principal in the order declared; a run that meets them all has nothing to say', () => {
    const none = new Graph(runtime({}), transport);
    expect(unmetNeed(none, ['writes', 'create', 'get'])).toEqual({ kind: 'principal', reason: `no suitable principal is configured: add ${principalFor('create')} to the principals file` });
    expect(unmetNeed(none, ['list'])?.reason).toContain(principalFor('list'));
    const remote = new Graph(runtime({ embedded: false, principals: [principal('reader', ['DeviceManagementManagedDevices.Read.All'])] }), transport);
    expect(unmetNeed(remote, ['writes', 'create'])).toMatchObject({ kind: 'writes', reason: expect.stringMatching(new RegExp(`^${WRITES_SKIP}`)) });
    expect(unmetNeed(remote, ['get', 'list'])).toBeUndefined();
    expect(unmetNeed(remote, ['get', 'refused:create'])).toBeUndefined();
    expect(unmetNeed(remote, ['refused:get'])).toMatchObject({ kind: 'principal', reason: expect.stringContaining('none of the permissions schemas/permissions.json lists for get') });
  });
});

// The tags at work, through the command line as a user would narrow a run: a narrowed run's verdict is PARTIAL.
test('run -- --grep @MUST runs exactly the MUST requirements', async () => {
  const run = await runSuite(['run', '--seed', '6', '--', '--grep', '@MUST'], QUICK);
  expect(run.code, explain(run)).toBe(0);
  expect(run.report!.verdict).toBe('PARTIAL');
  const selected = run.report!.requirements.filter((r) => r.notTested !== 'filtered');
  expect(selected.map((r) => r.id).sort()).toEqual(catalogue.requirements.filter((r) => r.level === 'MUST').map((r) => r.id).sort());
  expect(selected.filter((r) => r.status !== 'passed').map((r) => `${r.id} ${r.status}`)).toEqual([]);
});

test('run -- --grep-invert @tentative leaves the tentative requirements out', async () => {
  // Narrowed to SHOULD as well, where most tentative requirements are, to keep the run short.
  const run = await runSuite(['run', '--seed', '6', '--', '--grep', '@SHOULD', '--grep-invert', '@tentative'], QUICK);
  expect(run.code, explain(run)).toBe(0);
  expect(run.report!.verdict).toBe('PARTIAL');
  const selected = run.report!.requirements.filter((r) => r.notTested !== 'filtered').map((r) => r.id).sort();
  expect(selected).toEqual(catalogue.requirements.filter((r) => r.level === 'SHOULD' && !r.tentative).map((r) => r.id).sort());
  expect(selected.every((id) => !requirementsById.get(id)!.tentative)).toBe(true);
});
