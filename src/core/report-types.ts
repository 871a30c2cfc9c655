// Shape of reports/conformance.json, derived from its published schema (schemas/report.ts): shared by the
// reporter, diff, pin, the defect matrix and the HTML page.
import type { FromSchema } from 'json-schema-to-ts';
import type { conformanceReportV2Schema, failureSchema } from '../../schemas/report';

export type ConformanceReport = FromSchema<typeof conformanceReportV2Schema>;
export type ConformanceSummary = ConformanceReport['summary'];
export type RequirementResult = ConformanceReport['requirements'][number];
export type TestResult = RequirementResult['tests'][number];
/** Why a test did not pass: a check's verdict with its evidence, or the text of an error (schemas/report.ts). */
export type Failure = FromSchema<typeof failureSchema>;
export type Counterexample = NonNullable<ConformanceReport['counterexamples']>[number];
export type CiteMismatch = NonNullable<ConformanceReport['citeMismatches']>[number];
export type LevelCoverage = NonNullable<ConformanceSummary['coverage']>['MUST'];

export type RequirementLevel = RequirementResult['level'];
/**
 * `not-tested`: nothing was observed (the reason says why); `blocked`: another requirement's failure stood in the
 * way; `inconclusive`: the target only said "try later" past the budget, or a test errored. `skipped` and
 * `untested` appear only in reports written before these words existed.
 */
export type RequirementStatus = RequirementResult['status'];
export type TestStatus = TestResult['status'];
/** Why a requirement or test was not tested (src/core/outcomes.ts). */
export type NotTestedKind = NonNullable<TestResult['notTested']>;
/** The run's verdict in one word (src/report/exit-code.ts). */
export type Verdict = NonNullable<ConformanceReport['verdict']>;
