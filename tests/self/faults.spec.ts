// Faults: transient ones (429/503 with Retry-After, slow answers) do not change the verdict; non-transient
// ones (500s, dropped connections) are reported, never retried forever or silently resent.
import { expect, test } from '@playwright/test';
import { explain, runSuite, statuses } from './support/run-suite';

const SEED = ['--seed', '424242'];

// Each test runs the whole suite once or twice as a child process.
test.describe.configure({ timeout: 600_000 });

test('transient faults leave the verdict against the reference server unchanged', async () => {
  const [clean, faulty] = await Promise.all([
    runSuite(['run', ...SEED]),
    runSuite(['run', ...SEED], { REFERENCE_FAULTS: 'throttle=0.05,unavailable=0.05,slow=0.05,slowMs=40,retryAfter=0,seed=11' }),
  ]);
  expect(clean.code, explain(clean)).toBe(0);
  expect(faulty.code, explain(faulty)).toBe(0);
  expect(statuses(faulty.report)).toEqual(statuses(clean.report));
  const throttled = (faulty.report as unknown as { records: { throttled: number } }).records.throttled;
  expect(throttled, 'the run counts the throttled answers it waited out').toBeGreaterThan(0);
  expect(faulty.stdout).toMatch(/throttled responses [1-9]/);
});

test('server errors are reported as failures, not retried', async () => {
  const run = await runSuite(['run', ...SEED], { REFERENCE_FAULTS: 'error=0.02,seed=5' });
  expect(run.code, explain(run)).toBe(1);
  expect(statuses(run.report)['RAA-NO-5XX']).toBe('failed');
  expect((run.report as unknown as { records: { throttled: number } }).records.throttled).toBe(0);
});

test('a dropped connection is reported as an error, never silently resent', async () => {
  const run = await runSuite(['run', ...SEED], { REFERENCE_FAULTS: 'drop=0.01,seed=9' });
  expect(run.code, `a run with an unanswered request reaches no verdict\n${explain(run)}`).toBe(3);
  expect(run.report?.summary.errored).toBeGreaterThan(0);
  expect(run.stdout).toContain('failed without an HTTP response');
});
