// Nightly features end to end: shards merge to the same verdict, expectations, pinned regressions, diff.
import { expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceReport } from '../../src/core/report-types';
import { cli, explain, runSuite, statuses } from './support/run-suite';
import { readValidReport } from './support/report-texts';

test.describe.configure({ timeout: 600_000 });

/** A report without what legitimately differs between runs: timings, ports, record counts. */
function verdict(r: ConformanceReport | undefined) {
  return (r?.requirements ?? []).map((q) => ({ id: q.id, status: q.status, tests: q.tests.map((t) => `${t.status} ${t.title}`).sort() }));
}

test('a sharded run merges into the same conformance.json as a single run', async () => {
  const seed = ['--seed', '7707'];
  const [single, one, two] = await Promise.all([runSuite(['run', ...seed]), runSuite(['run', ...seed, '--shard', '1/2']), runSuite(['run', ...seed, '--shard', '2/2'])]);
  expect(single.code, explain(single)).toBe(0);
  expect(one.report?.shard).toBe('1/2');
  const mergedDir = mkdtempSync(join(tmpdir(), 'raa-merged-'));
  const merge = await cli(['merge', '--report-dir', mergedDir, one.reportDir, two.reportDir]);
  expect(merge.code, merge.stderr).toBe(0);
  const merged = readValidReport(join(mergedDir, 'conformance.json'));
  expect(verdict(merged)).toEqual(verdict(single.report));
  expect(merged.seed).toBe(7707);
  for (const f of ['conformance.md', 'conformance.html', 'junit.xml', 'html/index.html']) expect(existsSync(join(mergedDir, f)), f).toBe(true);
});

test('known deviations are expected; one that passes again, or an entry naming nothing, fails the run', async () => {
  const defective = await runSuite(['run', '--seed', '99', '--defects', 'device-imei-dropped']);
  expect(defective.code, explain(defective)).toBe(1);
  const failed = defective.report!.requirements.filter((q) => q.status === 'failed').map((q) => q.id);
  expect(failed).toContain('RAA-CREATE-ECHO');
  const dir = mkdtempSync(join(tmpdir(), 'raa-exp-'));
  const file = join(dir, 'expectations.json');
  writeFileSync(file, JSON.stringify({ expectations: failed.map((id) => ({ requirement: id, status: 'failed', reason: 'deviceIMEI is not stored yet', link: 'https://example.invalid/issue/1' })) }));
  const [known, fixed] = await Promise.all([
    runSuite(['run', '--seed', '99', '--defects', 'device-imei-dropped'], { CONFORMANCE_EXPECTATIONS: file }),
    runSuite(['run', '--seed', '99'], { CONFORMANCE_EXPECTATIONS: file }),
  ]);
  expect(known.code, explain(known)).toBe(0);
  expect(statuses(known.report)['RAA-CREATE-ECHO']).toBe('expected-failure');
  // What the known deviation hides is said, not passed: CONFORMANT when nothing is hidden, PARTIAL otherwise.
  expect(known.report!.verdict).toMatch(/^(CONFORMANT|PARTIAL)$/);
  expect(fixed.code, explain(fixed)).toBe(1);
  expect(fixed.stdout).toContain('UNEXPECTED PASS: RAA-CREATE-ECHO');
  writeFileSync(file, JSON.stringify({ expectations: [{ requirement: 'RAA-CREATE-ECHO', test: 'no test has this title', status: 'failed', reason: 'stale entry' }] }));
  const stale = await runSuite(['run', '--seed', '99'], { CONFORMANCE_EXPECTATIONS: file });
  expect(stale.code, explain(stale)).toBe(1);
  expect(stale.stdout).toContain('EXPECTATION MATCHES NOTHING');
  writeFileSync(file, JSON.stringify({ expectations: [{ requirement: 'RAA-NOT-A-REQUIREMENT', status: 'failed', reason: 'typo' }] }));
  const typo = await runSuite(['run'], { CONFORMANCE_EXPECTATIONS: file });
  expect(typo.code, explain(typo)).toBe(2);
  expect(typo.stderr).toContain('RAA-NOT-A-REQUIREMENT');
});

test('a shrunk counterexample pinned with one command replays first and bites', async () => {
  const failing = await runSuite(['run', '--seed', '5150', '--defects', 'long-strings-truncated']);
  expect(failing.code, explain(failing)).toBe(1);
  expect(failing.report?.counterexamples?.length).toBeGreaterThan(0);
  const out = join(mkdtempSync(join(tmpdir(), 'raa-pin-')), 'regressions.json');
  const pinned = await cli(['pin', '--report', join(failing.reportDir, 'conformance.json'), '--out', out]);
  expect(pinned.code, pinned.stderr).toBe(0);
  expect(pinned.stdout).toMatch(/pinned [1-9]/);
  const pinnedCount = Number(/pinned ([0-9]+)/.exec(pinned.stdout)![1]);
  const written = (JSON.parse(readFileSync(out, 'utf8')) as { regressions: { requirement: string }[] }).regressions;
  expect(written, 'the regressions file holds what pin said it pinned').toHaveLength(pinnedCount);
  const failedIds = new Set(failing.report!.counterexamples!.map((c) => c.requirement));
  expect(written.filter((r) => !failedIds.has(r.requirement)), 'each pinned case is a counterexample of the run').toEqual([]);
  const [clean, broken, listed] = await Promise.all([
    runSuite(['run', '--', '--grep', 'pinned'], { CONFORMANCE_REGRESSIONS: out }),
    runSuite(['run', '--defects', 'long-strings-truncated', '--', '--grep', 'pinned'], { CONFORMANCE_REGRESSIONS: out }),
    // The whole suite in the order its workers take it: the pinned regressions head the list.
    runSuite(['run', '--', '--list'], { CONFORMANCE_REGRESSIONS: out }),
  ]);
  const order = listed.stdout.split('\n').filter((l) => / › /.test(l)).map((l) => l.trim());
  const pinnedAt = order.flatMap((l, i) => (l.startsWith('regressions/') ? [i] : []));
  expect(pinnedAt.length, `the pinned regressions are in the suite's list:\n${order.slice(0, 5).join('\n')}`).toBeGreaterThan(0);
  expect(order.length, 'the rest of the suite is listed after them').toBeGreaterThan(pinnedAt.length);
  expect(pinnedAt, 'the pinned regressions come before every other test').toEqual(pinnedAt.map((_, i) => i));
  expect(clean.code, explain(clean)).toBe(0);
  expect(clean.stdout).toMatch(/[1-9][0-9]* passed/);
  expect(broken.code, explain(broken)).toBe(1);
  // It bites where it was pinned: the requirements of the pinned cases fail again.
  for (const id of new Set(written.map((r) => r.requirement))) expect(statuses(broken.report)[id], id).toBe('failed');
});

test('diff names the regression between two runs and exits 1', async () => {
  const [base, head] = await Promise.all([runSuite(['run', '--seed', '31']), runSuite(['run', '--seed', '31', '--defects', 'no-request-id'])]);
  const md = join(mkdtempSync(join(tmpdir(), 'raa-diff-')), 'diff.md');
  const d = await cli(['diff', join(base.reportDir, 'conformance.json'), join(head.reportDir, 'conformance.json'), '--markdown', md]);
  expect(d.code).toBe(1);
  expect(d.stdout).toContain('RAA-HDR-REQUEST-ID');
  expect(readFileSync(md, 'utf8')).toContain('`RAA-HDR-REQUEST-ID`');
  const same = await cli(['diff', join(base.reportDir, 'conformance.json'), join(base.reportDir, 'conformance.json')]);
  expect(same.code).toBe(0);
});
