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
}
