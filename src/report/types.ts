// Shape of reports/conformance.json. Shared by the reporter, diff and HTML page; keep in sync with the writer.

export type RequirementLevel = 'MUST' | 'SHOULD' | 'MAY';
export type RequirementStatus = 'passed' | 'failed' | 'skipped' | 'untested' | 'expected-failure';
export type TestStatus = 'passed' | 'failed' | 'skipped' | 'errored' | 'expected-failure';

export interface TestResult {
  title: string;
  status: TestStatus;
  reason?: string;
  failure?: string;
  location?: string;
  durationMs?: number;
}

export interface RequirementResult {
  id: string;
  level: RequirementLevel;
  tentative: boolean;
  operation: string;
  title: string;
  status: RequirementStatus;
  tests: TestResult[];
}

export interface ConformanceSummary {
  passed: number;
  failed: number;
  skipped: number;
  errored?: number;
  expectedFailures?: number;
}

export interface ConformanceReport {
  suiteVersion: string;
  target: string;
  profile: string;
  seed: number;
  startedAt: string; // ISO 8601
  durationMs: number;
  strict: boolean;
  summary: ConformanceSummary;
  requirements: RequirementResult[];
  /** Defects the embedded reference server ran with (defect matrix runs only). */
  defects?: string[];
  /** Records this run created on the target and could not remove, and throttling met. */
  records?: { created: number; left: string[]; requests: number; throttled: number };
  /** Known deviations applied from the expectations file. */
  expectations?: { file: string; applied: number; unexpectedPasses: string[]; unknownEntries: string[] };
  /** Shrunk counterexamples of failed properties, ready to pin as regressions. */
  counterexamples?: Counterexample[];
  playwrightStatus?: string;
  shard?: string;
}

export interface Counterexample {
  requirement: string;
  seed: number;
  path: string;
  numRuns: number;
  /** The request body (or `{ body, path }` for an invalid-body property) as the property generated it. */
  value: unknown;
  headers?: Record<string, string>;
  expectStatus: number[];
}
