// Shape of reports/conformance.json. Shared by the reporter, diff and HTML page; keep in sync with the writer.

export type RequirementLevel = 'MUST' | 'SHOULD' | 'MAY';
/**
 * `not-tested`: nothing was observed (the reason says why); `blocked`: another requirement's failure stood in the
 * way; `inconclusive`: the target only said "try later" past the budget, or a test errored. `skipped` and
 * `untested` appear only in reports written before these words existed.
 */
export type RequirementStatus = 'passed' | 'failed' | 'not-tested' | 'blocked' | 'inconclusive' | 'expected-failure' | 'skipped' | 'untested';
export type TestStatus = 'passed' | 'failed' | 'not-tested' | 'blocked' | 'inconclusive' | 'errored' | 'expected-failure' | 'skipped';

/** Why a requirement or test was not tested (src/outcomes.ts). */
export type NotTestedKind = 'principal' | 'writes' | 'tenants' | 'filtered' | 'target';

/** The run's verdict in one word (src/exit-code.ts). */
export type Verdict = 'CONFORMANT' | 'NOT CONFORMANT' | 'INCOMPLETE' | 'PARTIAL' | 'INCONCLUSIVE';

export interface TestResult {
  title: string;
  status: TestStatus;
  reason?: string;
  /** For `not-tested`: the kind of reason. */
  notTested?: NotTestedKind;
  /** For `blocked`: the requirement whose failure stood in the way. */
  blockedBy?: string;
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
  /** For not-tested, blocked and inconclusive requirements: why, in one line. */
  reason?: string;
  notTested?: NotTestedKind;
  blockedBy?: string[];
  tests: TestResult[];
}

/** Per level: how many requirements the run tested (passed, failed or expected to fail) and how many it did not. */
export interface LevelCoverage {
  total: number;
  tested: number;
  notTested: number;
  blocked: number;
  inconclusive: number;
}

export interface ConformanceSummary {
  passed: number;
  failed: number;
  skipped: number;
  errored?: number;
  expectedFailures?: number;
  /** Requirements (not tests) by outcome; `skipped` above is notTested + blocked, kept for older readers. */
  notTested?: number;
  blocked?: number;
  inconclusive?: number;
  coverage?: Record<RequirementLevel, LevelCoverage>;
  /** 429/503 answers waited out, and the time spent waiting (ms). */
  waitedOut?: number;
  waitedMs?: number;
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
  /** The verdict and its one-line explanation, as printed last; exit code as documented in INTERPRETING.md. */
  verdict?: Verdict;
  verdictLine?: string;
  exitCode?: number;
  /** Set when the user narrowed the run (--grep, --shard, file filters). */
  selection?: string;
  /** MUST requirements left untested by configuration were accepted (--allow-partial). */
  allowPartial?: boolean;
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
  /**
   * When the run reached each step (epoch ms), in order: the command's start (processStart, commandStart,
   * configured, targetReady, preflight, runtimeWritten), then collected, firstTest, lastTest and reporting
   * (this report being written, after Playwright's own reporters). `npm run bench` turns them into figure 3c.
   */
  timings?: Record<string, number>;
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
