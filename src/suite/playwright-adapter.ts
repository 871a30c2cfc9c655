// Every use the suite makes of Playwright beyond its documented API, in one place. The lockfile pins
// @playwright/test; tests/self/playwright-adapter.spec.ts proves each behaviour below on that version, so an
// upgrade that changes one fails there, by name, rather than as a slow or wrong run.
//
// 1. `_baseTest`: Playwright's base test type, without the browser fixtures of `test` (page, context, trace
//    recording). The suite drives no browser, and those fixtures' two automatic steps per test were a third of
//    a matrix run's CPU. It is exported and typed by @playwright/test.
// 2. Keeping the worker after a finding. Playwright replaces a worker process after every failed test (a new
//    process, the worker's fixtures set up again). Against a target that fails most checks that was most of the
//    run's time (87 s against 5.6 s for a clean run). A failed check is the finding the run exists for, not a
//    broken worker: the worker marks such a test as expected to fail, which keeps it, and the first reporter
//    (this module's default export) restores the expectation before any other reporter sees the test, so the
//    console, the JUnit file, Playwright's HTML report and the conformance report all show a failure.
import { _baseTest, type TestInfo } from '@playwright/test';
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export const baseTest = _baseTest;

/** The annotation a kept worker leaves on the test, for the reporter that restores the expectation. */
export const KEPT_WORKER = 'raa-kept-worker';

/** Call as a test ends: a failed test whose error is a finding (not a suite bug) keeps its worker. */
export function keepWorkerAfterFinding(testInfo: TestInfo, isFinding: (error: TestInfo['error']) => boolean): void {
  if (testInfo.status !== 'failed' || testInfo.expectedStatus !== 'passed' || !isFinding(testInfo.error)) return;
  testInfo.expectedStatus = 'failed';
  testInfo.annotations.push({ type: KEPT_WORKER });
}

/** Listed first among the reporters: a test that kept its worker was expected to pass, and failed. */
export default class RestoreExpectations implements Reporter {
  onTestEnd(test: TestCase, result: TestResult): void {
    if (!result.annotations.some((a) => a.type === KEPT_WORKER)) return;
    (test as { expectedStatus: TestCase['expectedStatus'] }).expectedStatus = 'passed';
    // The marker is the adapter's business: no report shows it.
    const drop = (list: TestResult['annotations']) => list.splice(0, list.length, ...list.filter((a) => a.type !== KEPT_WORKER));
    drop(result.annotations);
    drop(test.annotations);
  }

  printsToStdio(): boolean {
    return false;
  }
}
