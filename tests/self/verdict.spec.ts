// The verdict a pipeline gates on: a run that tested nothing is never CONFORMANT, a narrowed run says PARTIAL,
// a requirement that could not be observed is blocked or not tested (never passed), and a server that implements
// exactly the seed's contract passes --strict. Each scenario runs the CLI as a user would.
import { expect, test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReferenceServer } from '../../server/app';
import { requirementsById } from '../../src/contract';
import { verdictFor } from '../../src/report/exit-code';
import { aggregate } from '../../src/report/reporter';
import type { ConformanceReport, RequirementResult, TestResult as ReportTest } from '../../src/core/report-types';
import { explain, runSuite, statuses } from './support/run-suite';

test.describe.configure({ timeout: 300_000 });

const QUICK = { CONFORMANCE_NUM_RUNS: '30', CONFORMANCE_RATE_LIMIT: '0' };

test('a principals file with no principals gives INCOMPLETE (exit 4), naming what would enable the tests', async () => {
  const server = new ReferenceServer();
  const base = await server.listen(0);
  try {
    const dir = mkdtempSync(join(tmpdir(), 'raa-verdict-'));
    const principals = join(dir, 'principals.json');
    writeFileSync(principals, JSON.stringify({ principals: [] }));
    const run = await runSuite(['run', '--target', base, '--principals', principals, '--seed', '3', '--allow-writes'], QUICK);
    expect(run.code, explain(run)).toBe(4);
    expect(run.report!.verdict).toBe('INCOMPLETE');
    expect(run.report!.summary.coverage!.MUST.tested).toBeLessThan(run.report!.summary.coverage!.MUST.total);
    const last = run.stdout.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^INCOMPLETE: \d+ MUST requirement\(s\) not wholly tested \(no suitable principal is configured: add a principal holding DeviceManagementManagedDevices/);
    expect(run.stdout).toMatch(/^coverage: MUST \d+ of \d+ tested, SHOULD \d+ of \d+, MAY \d+ of \d+$/m);
  } finally {
    await server.close();
  }
});

test('a run narrowed with --grep says PARTIAL (k of N requirements selected) and exits on what ran', async () => {
  const run = await runSuite(['run', '--seed', '4', '--', '--grep', '@RAA-CREATE-201(\\s|$)'], QUICK);
  expect(run.code, explain(run)).toBe(0);
  expect(run.report!.verdict).toBe('PARTIAL');
  expect(run.report!.verdictLine).toMatch(/^PARTIAL: 1 of \d+ requirements selected \(--grep @RAA-CREATE-201/);
  expect(statuses(run.report)['RAA-CREATE-201']).toBe('passed');
  expect(run.report!.requirements.find((r) => r.id === 'RAA-GET-200')).toMatchObject({ status: 'not-tested', notTested: 'filtered' });
  // Before any test, the run says what it will cost.
  expect(run.stdout).toMatch(/^raa-conformance: about \d[\d,]* requests \(no client-side rate limit\)$/m);
});

test('the tenant profile tests every requirement with a small request budget', async () => {
  const run = await runSuite(['run', '--profile', 'tenant', '--seed', '9'], {});
  expect(run.code, explain(run)).toBe(0);
  expect(run.report!.verdict).toBe('CONFORMANT');
  expect(run.report!.profile).toBe('tenant');
  // Every requirement of the catalogue, whatever its level, was tested and passed: none left out to save requests.
  const untested = run.report!.requirements.filter((r) => r.status !== 'passed').map((r) => `${r.id} ${r.status}`);
  expect(untested, 'requirements the tenant profile did not test').toEqual([]);
  expect(run.report!.requirements.map((r) => r.id).sort()).toEqual([...requirementsById.keys()].sort());
  for (const level of ['MUST', 'SHOULD', 'MAY'] as const) {
    const c = run.report!.summary.coverage![level];
    expect(c.tested, `${level} requirements tested`).toBe(c.total);
  }
  expect(run.report!.records!.requests, 'the tenant profile stays under its stated budget of 900 requests').toBeLessThan(900);
});

test('a server implementing exactly the seed contract passes --strict; newer members and properties are reported as MAY', async () => {
  const run = await runSuite(['run', '--strict', '--seed', '5'], { ...QUICK, REFERENCE_CONTRACT: 'seed' });
  expect(run.code, explain(run)).toBe(0);
  expect(run.report!.verdict).toBe('CONFORMANT');
  const s = statuses(run.report);
  expect(s['RAA-ENUM-NEWER-MEMBERS']).toBe('failed');
  expect(s['RAA-CREATE-NEWER-PROPS']).toBe('failed');
  expect(s['RAA-ENUM-EVOLVABLE']).toBe('passed');
  expect(run.report!.verdictLine).toMatch(/2 failed without gating \(.*RAA-ENUM-NEWER-MEMBERS MAY tentative/);
});

test('when create fails, what needs a created record is blocked by RAA-CREATE-201, and echo properties are never passed', async () => {
  const run = await runSuite(['run', '--seed', '6', '--defects', 'create-returns-200'], QUICK);
  expect(run.code, explain(run)).toBe(1);
  const byId = new Map(run.report!.requirements.map((r) => [r.id, r]));
  expect(byId.get('RAA-CREATE-201')!.status).toBe('failed');
  for (const id of ['RAA-CREATE-ECHO', 'RAA-CREATE-SCHEMA', 'RAA-GET-READBACK', 'RAA-DELETE-GONE']) {
    expect(byId.get(id), id).toMatchObject({ status: 'blocked', blockedBy: ['RAA-CREATE-201'] });
  }
  expect(run.stdout).toMatch(/blkd RAA-CREATE-ECHO .*\n\s+blocked by RAA-CREATE-201/);
});

test('a date-time precision bug fails RAA-CREATE-ECHO, not the newer-properties requirement', async () => {
  const run = await runSuite(['run', '--seed', '7', '--defects', 'datetime-millisecond-precision', '--', '--grep', '@RAA-CREATE-ECHO|@RAA-CREATE-NEWER-PROPS'], QUICK);
  const s = statuses(run.report);
  expect(s['RAA-CREATE-ECHO'], explain(run)).toBe('failed');
  expect(s['RAA-CREATE-NEWER-PROPS'], explain(run)).toBe('passed');
});

test('a date-time range bug fails the range and create requirements, not the evolvable or newer-property ones', async () => {
  const run = await runSuite(['run', '--seed', '10', '--defects', 'datetime-sql-datetime-range', '--', '--grep', '@RAA-CREATE-DATETIME-RANGE|@RAA-ENUM-EVOLVABLE|@RAA-CREATE-NEWER-PROPS'], QUICK);
  const s = statuses(run.report);
  expect(s['RAA-CREATE-DATETIME-RANGE'], explain(run)).toBe('failed');
  expect([s['RAA-ENUM-EVOLVABLE'], s['RAA-CREATE-NEWER-PROPS']], explain(run)).toEqual(['passed', 'passed']);
});

test('a selection that matches no test is INCONCLUSIVE (exit 3), never a pass', async () => {
  const run = await runSuite(['run', '--seed', '8', '--', '--grep', '@RAA-NO-SUCH-REQUIREMENT'], QUICK);
  expect(run.code, explain(run)).toBe(3);
  expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('INCONCLUSIVE: no test ran (the selection --grep @RAA-NO-SUCH-REQUIREMENT matched none)');
});

// The rule itself, on reports made by hand: which verdict wins when several apply.
const req = (id: string, level: RequirementResult['level'], status: RequirementResult['status'], extra: Partial<RequirementResult> = {}): RequirementResult =>
  ({ id, level, tentative: false, operation: 'create', title: id, status, tests: [{ title: `${id} test`, status: status === 'inconclusive' ? 'inconclusive' : 'passed' }], ...extra });
const report = (requirements: RequirementResult[], extra: Partial<ConformanceReport> = {}): ConformanceReport =>
  ({ schemaVersion: 3, suiteVersion: 'x', target: 't', profile: 'quick', seed: 1, startedAt: '', durationMs: 0, strict: false, summary: { passed: 0, failed: 0, skipped: 0 }, requirements, ...extra });

test('a requirement none of whose tests ran in a run nobody narrowed is inconclusive, not passed or skipped', () => {
  expect(aggregate([])).toMatchObject({ status: 'inconclusive' });
  expect(aggregate([], '--grep x')).toMatchObject({ status: 'not-tested', notTested: 'filtered' });
  expect(verdictFor(report([req('A', 'MUST', 'inconclusive')]), false)).toMatchObject({ verdict: 'INCONCLUSIVE', exit: 3 });
});

test('a requirement passes only when every one of its tests passed: one not run beside passing ones makes it partial', () => {
  const t = (status: ReportTest['status'], extra: Partial<ReportTest> = {}): ReportTest => ({ title: status, status, ...extra });
  expect(aggregate([t('passed'), t('passed')])).toEqual({ status: 'passed' });
  expect(aggregate([t('passed'), t('not-tested', { notTested: 'principal', reason: 'no principal' })]))
    .toEqual({ status: 'partial', notTested: 'principal', reason: '1 of 2 tests did not run (no principal)' });
  expect(aggregate([t('passed'), t('blocked', { blockedBy: 'RAA-CREATE-201', reason: 'no record' })]))
    .toMatchObject({ status: 'partial', blockedBy: ['RAA-CREATE-201'] });
  expect(aggregate([t('passed'), t('failed'), t('not-tested')])).toEqual({ status: 'failed' });
  expect(aggregate([t('blocked', { blockedBy: 'X' }), t('blocked', { blockedBy: 'Y' })])).toMatchObject({ status: 'blocked', blockedBy: ['X', 'Y'] });
  expect(aggregate([t('not-tested', { notTested: 'target', reason: 'r' }), t('not-tested', { notTested: 'writes', reason: 'w' })])).toEqual({ status: 'not-tested', notTested: 'writes', reason: 'w' });
  // Nothing to judge because the target left out what it may leave out: neutral beside other tests, never gating.
  const none = t('not-tested', { notTested: 'inapplicable', reason: 'no Location' });
  expect(aggregate([t('passed'), none])).toEqual({ status: 'passed' });
  expect(aggregate([none])).toEqual({ status: 'not-tested', notTested: 'inapplicable', reason: 'no Location' });
  expect(verdictFor(report([req('A', 'MUST', 'passed'), req('L', 'SHOULD', 'not-tested', { notTested: 'inapplicable', reason: 'no Location' })]), true).verdict).toBe('CONFORMANT');
});

test('verdict precedence: a failed MUST beats errors; errors beat untested; configuration gaps are INCOMPLETE; a filter is PARTIAL', () => {
  const untested = req('B', 'MUST', 'not-tested', { notTested: 'principal', reason: 'no suitable principal is configured' });
  expect(verdictFor(report([req('A', 'MUST', 'failed'), req('C', 'MUST', 'inconclusive')], { summary: { passed: 0, failed: 1, skipped: 0, errored: 2 } }), false))
    .toMatchObject({ verdict: 'NOT CONFORMANT', exit: 1, line: 'NOT CONFORMANT: 1 MUST requirement(s) failed: A (and 1 requirement(s) inconclusive)' });
  expect(verdictFor(report([req('C', 'MUST', 'inconclusive', { reason: '429 past the budget' }), untested]), false)).toMatchObject({ verdict: 'INCONCLUSIVE', exit: 3 });
  expect(verdictFor(report([req('A', 'MUST', 'passed'), untested]), false)).toMatchObject({ verdict: 'INCOMPLETE', exit: 4 });
  expect(verdictFor(report([req('A', 'MUST', 'passed'), untested]), false, true)).toMatchObject({ verdict: 'PARTIAL', exit: 0 });
  // A MUST the target kept from being tested (it never pages) is not the configuration's fault, and still not proven:
  // never CONFORMANT, and the line says what went untested and why.
  expect(verdictFor(report([req('A', 'MUST', 'passed'), req('B', 'MUST', 'not-tested', { notTested: 'target', reason: 'the target never paged' })]), false))
    .toMatchObject({ verdict: 'INCOMPLETE', exit: 4, line: expect.stringContaining('(the target never paged: B)') });
  // Partly tested is not tested: one test passed, another was not run.
  expect(verdictFor(report([req('A', 'MUST', 'passed'), req('P', 'MUST', 'partial', { notTested: 'principal', reason: '1 of 2 tests did not run (no principal)' })]), false))
    .toMatchObject({ verdict: 'INCOMPLETE', exit: 4, line: expect.stringContaining('1 of 2 tests did not run (no principal): P') });
  // An untested SHOULD gates only in strict mode.
  const should = req('S', 'SHOULD', 'not-tested', { notTested: 'writes' });
  expect(verdictFor(report([req('A', 'MUST', 'passed'), should]), false).verdict).toBe('CONFORMANT');
  expect(verdictFor(report([req('A', 'MUST', 'passed'), should]), true).verdict).toBe('INCOMPLETE');
  // Blocked only by a failure the expectations file accepts: the run is PARTIAL and says why.
  expect(verdictFor(report([req('E', 'MUST', 'expected-failure'), req('B', 'MUST', 'blocked', { blockedBy: ['E'] })]), false))
    .toMatchObject({ verdict: 'PARTIAL', exit: 0, line: expect.stringContaining('1 MUST requirement(s) blocked by known deviations of the expectations file (blocked by E: B)') });
  expect(verdictFor(report([req('E', 'MUST', 'expected-failure'), req('F', 'MUST', 'failed'), req('B', 'MUST', 'blocked', { blockedBy: ['E', 'F'] })]), false).verdict).toBe('NOT CONFORMANT');
  expect(verdictFor(report([req('E', 'MUST', 'expected-failure'), req('F', 'SHOULD', 'failed'), req('B', 'MUST', 'blocked', { blockedBy: ['E', 'F'] })]), false).verdict).toBe('INCOMPLETE');
  expect(verdictFor(report([req('A', 'MUST', 'passed'), req('F', 'MUST', 'not-tested', { notTested: 'filtered' })], { selection: '--grep A' }), false))
    .toMatchObject({ verdict: 'PARTIAL', exit: 0, line: expect.stringContaining('1 of 2 requirements selected (--grep A)') });
  // A narrowed run never says "nothing failed" over a failure that does not gate.
  expect(verdictFor(report([req('A', 'MUST', 'passed'), req('T', 'SHOULD', 'failed', { tentative: true }), req('F', 'MUST', 'not-tested', { notTested: 'filtered' })], { selection: '--grep A|T' }), false).line)
    .toMatch(/nothing that ran and gates failed; 1 failed without gating \(T SHOULD tentative\)$/);
});
