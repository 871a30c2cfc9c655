// wfc-report.json: a run in the Web Fuzzing Commons report format (schemas/wfc/report.yaml), so that its faults sit
// beside another tool's (EvoMaster, Schemathesis …) and open in the WFC web report. Each failed requirement is one
// fault, coded by the catalogue's `wfc` field; the endpoints, the statuses seen on each and the calls come from the
// transport's tally (the workers' files in .run/).
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, describeErrors, requirementsById } from '../contract';
import { acceptedFaultCodes, WFC_SCHEMA_VERSION, wfcReportValidator } from '../../schemas/wfc';
import { redactor } from '../core/redact';
import type { ConformanceReport, RequirementResult, TestResult } from '../core/report-types';

const COLLECTION = '/deviceManagement/remoteActionAudits';
/** Each operation's endpoint, as WFC names one: method and path template. */
export const OPERATION_ENDPOINTS: Record<string, string> = {
  list: `GET:${COLLECTION}`, create: `POST:${COLLECTION}`, get: `GET:${COLLECTION}/{id}`, update: `PATCH:${COLLECTION}/{id}`, delete: `DELETE:${COLLECTION}/{id}`,
};
/** A fault whose WFC code the schema does not accept, or that has none: the code WFC leaves to tools (900-999). */
export const SUITE_FAULT_CODE = 900;
/** The id of the one "test case" the statuses are tallied under: the transport counts per run, not per test. */
const WHOLE_RUN = 'the whole run (statuses are tallied per run)';

/** Answers by endpoint and status, summed over the run's workers. */
export type StatusTally = Record<string, Record<string, number>>;

const testId = (t: TestResult) => `${t.location ?? 'unknown'} › ${t.title}`;

/** The endpoint a failed requirement concerns: its operation's, else the failing request's, else the collection's. */
function endpointOfFailure(r: RequirementResult, t: TestResult | undefined): string {
  const byOp = OPERATION_ENDPOINTS[r.operation];
  if (byOp) return byOp;
  const req = t?.failure?.exchange?.request as { method?: string; url?: string } | undefined;
  if (req?.method && req.url) {
    const path = (() => { try { return new URL(req.url).pathname; } catch { return req.url; } })();
    const at = path.search(/\/deviceManagement\/remoteActionAudits(\/|$)/i);
    if (at >= 0) return `${req.method.toUpperCase()}:${path.slice(at).replace(/^(\/deviceManagement\/remoteActionAudits)\/[^/]+/i, '$1/{id}')}`;
  }
  return `ANY:${COLLECTION}`;
}

function faults(report: ConformanceReport, warnings: { message: string; category: string }[]) {
  const accepted = acceptedFaultCodes();
  return report.requirements.filter((r) => r.status === 'failed').map((r) => {
    const failed = r.tests.find((t) => t.status === 'failed');
    const wfc = requirementsById.get(r.id)?.wfc;
    let code = wfc ?? SUITE_FAULT_CODE;
    if (wfc !== undefined && !accepted(wfc)) {
      code = SUITE_FAULT_CODE;
      warnings.push({ category: 'fault code', message: `${r.id} is WFC fault ${wfc} (fault_categories.json), which the report schema's FaultCategoryId.code does not accept yet: written as ${SUITE_FAULT_CODE} with F${wfc} in its context` });
    }
    const endpoint = endpointOfFailure(r, failed);
    const context = `${r.id} (${r.level}${r.tentative ? ', tentative' : ''}${wfc !== undefined && code !== wfc ? `, F${wfc}` : ''}): ${r.title}`;
    // endpointId is what the schema requires, operationId what it declares and the web report reads: both, the same.
    return { operationId: endpoint, endpointId: endpoint, testCaseId: failed ? testId(failed) : r.id, faultCategories: [{ code, context }] };
  });
}

function testCases(report: ConformanceReport, reportDir: string) {
  const seen = new Map<string, { id: string; filePath?: string; name: string; startLine?: number }>();
  for (const t of report.requirements.flatMap((r) => r.tests)) {
    const id = testId(t);
    if (seen.has(id)) continue;
    // The preflight's findings have no file: they come from the command's first requests, not from a spec.
    const [file, line] = t.location && t.location !== 'preflight' ? t.location.split(':') : [];
    seen.set(id, { id, ...(file ? { filePath: relative(reportDir, join(ROOT, file)) } : {}), name: t.title, ...(line && Number(line) >= 0 ? { startLine: Number(line) } : {}) });
  }
  return [...seen.values()];
}

/** The WFC report of a run: faults, endpoints with the statuses seen on each, calls, tests. */
export function wfcReport(report: ConformanceReport, reportDir: string, statuses: StatusTally, calls: number): Record<string, unknown> {
  const warnings: { message: string; category: string }[] = [];
  const foundFaults = faults(report, warnings);
  const cases = testCases(report, reportDir);
  const endpointIds = [...new Set([...Object.values(OPERATION_ENDPOINTS), ...Object.keys(statuses)])];
  const coveredHttpStatus = Object.entries(statuses).map(([endpointId, byStatus]) => ({ endpointId, testCaseId: WHOLE_RUN, httpStatus: Object.keys(byStatus).map(Number).sort((a, b) => a - b) }));
  const faultKeys = new Set(foundFaults.map((f) => `${f.operationId}|${f.faultCategories[0]!.code}|${f.faultCategories[0]!.context}`));
  return {
    schemaVersion: WFC_SCHEMA_VERSION, toolName: 'raa-conformance', toolVersion: report.suiteVersion, creationTime: new Date().toISOString(),
    faults: { totalNumber: faultKeys.size, foundFaults },
    problemDetails: { rest: { outputHttpCalls: calls, evaluatedHttpCalls: calls, endpointIds, coveredHttpStatus } },
    totalTests: cases.length,
    testFilePaths: [...new Set(cases.flatMap((c) => (c.filePath ? [c.filePath] : [])))],
    testCases: cases,
    executionTimeInSeconds: Math.round(report.durationMs / 1000),
    warnings: [...warnings, { category: 'coverage', message: `verdict ${report.verdict ?? 'none'} against ${report.target}: ${report.summary.passed} requirement(s) passed, ${report.summary.failed} failed. HTTP statuses are tallied per endpoint for the whole run, not per test case.` }],
  };
}

/** Writes wfc-report.json beside conformance.json; a report the WFC schema refuses is a bug in this writer. */
export function writeWfcReport(reportDir: string, report: ConformanceReport, statuses: StatusTally, calls: number): void {
  const wfc = wfcReport(report, reportDir, statuses, calls);
  const validate = wfcReportValidator();
  if (!validate(wfc)) throw new Error(`wfc-report.json does not match the WFC report schema (a bug in the suite):\n  ${describeErrors(validate.errors).join('\n  ')}`);
  writeFileSync(join(reportDir, 'wfc-report.json'), redactor.redact(JSON.stringify(wfc, null, 2)) + '\n');
}
