// Shared between the test fixtures and the reporter without pulling Playwright's test API into the reporter.

/** Prefix of the skip reason for tests that would write to a target where writes are not allowed. */
export const WRITES_SKIP = 'writes not allowed:';
