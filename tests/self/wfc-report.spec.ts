// wfc-report.json: the checked-in WFC schema is the published YAML, converted without change; a real run's report
// validates against it, names each failed requirement as a fault with its WFC code (or 900 and why), and carries the
// endpoints, the statuses seen on each and the number of calls; the catalogue's codes are ones WFC defines.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { ROOT, catalogue } from '../../src/contract';
import { acceptedFaultCodes, WFC_SCHEMA_FILE, wfcReportValidator } from '../../schemas/wfc';
import { OPERATION_ENDPOINTS, SUITE_FAULT_CODE } from '../../src/report/wfc';
import { explain, runSuite } from './support/run-suite';

type Wfc = {
  faults: { totalNumber: number; foundFaults: { operationId: string; endpointId: string; testCaseId: string; faultCategories: { code: number; context: string }[] }[] };
  problemDetails: { rest: { outputHttpCalls: number; endpointIds: string[]; coveredHttpStatus: { endpointId: string; httpStatus: number[] }[] } };
  totalTests: number; testFilePaths: string[]; warnings?: { message: string }[];
};

test('schemas/wfc-report.schema.json says what the verbatim report.yaml says', () => {
  const yaml = YAML.parse(readFileSync(join(ROOT, 'schemas/wfc/report.yaml'), 'utf8')) as unknown;
  expect(JSON.parse(readFileSync(WFC_SCHEMA_FILE, 'utf8'))).toEqual(yaml);
});

test('every wfc code in the catalogue is a fault WFC defines', () => {
  const defined = new Set((JSON.parse(readFileSync(join(ROOT, 'schemas/wfc/fault_categories.json'), 'utf8')) as { code: number }[]).map((f) => f.code));
  const coded = catalogue.requirements.filter((r) => r.wfc !== undefined);
  expect(coded.length).toBeGreaterThan(30);
  for (const r of coded) expect(defined.has(r.wfc!), `${r.id}: ${r.wfc}`).toBe(true);
});

test('the validator refuses what the schema refuses: a code outside its ranges, a fault with no category', () => {
  const validate = wfcReportValidator();
  const minimal = { schemaVersion: 'x', toolName: 't', toolVersion: '1', creationTime: '2026-01-01T00:00:00Z', problemDetails: {}, totalTests: 0, testFilePaths: [], testCases: [], executionTimeInSeconds: 0 };
  const fault = (code: number) => ({ ...minimal, faults: { totalNumber: 1, foundFaults: [{ endpointId: 'GET:/x', operationId: 'GET:/x', testCaseId: 't', faultCategories: [{ code }] }] } });
  expect(validate(fault(102)), JSON.stringify(validate.errors)).toBe(true);
  expect(validate(fault(207))).toBe(false);
  expect(acceptedFaultCodes()(207)).toBe(false);
  expect(validate({ ...minimal, faults: { totalNumber: 1, foundFaults: [{ endpointId: 'GET:/x', testCaseId: 't', faultCategories: [] }] } })).toBe(false);
});

test('a run writes a valid wfc-report.json: its failed requirements as faults, every endpoint with its statuses, the calls', async () => {
  test.setTimeout(300_000);
  // Two defects: one whose requirement has a code the schema accepts (102), one whose code it does not yet (207).
  const run = await runSuite(['run', '--defects', 'auth-missing-accepted,apostrophe-in-device-id-crashes']);
  expect(run.code, explain(run)).toBe(1);
  const wfc = JSON.parse(readFileSync(join(run.reportDir, 'wfc-report.json'), 'utf8')) as Wfc;
  const validate = wfcReportValidator();
  expect(validate(wfc), JSON.stringify(validate.errors, null, 2)).toBe(true);

  const failed = run.report!.requirements.filter((r) => r.status === 'failed').map((r) => r.id).sort();
  expect(failed).toEqual(expect.arrayContaining(['RAA-AUTH-MISSING', 'RAA-NO-5XX']));
  const byId = new Map(wfc.faults.foundFaults.map((f) => [f.faultCategories[0]!.context.split(' ')[0]!, f]));
  expect([...byId.keys()].sort()).toEqual(failed);
  expect(byId.get('RAA-NO-5XX')!.faultCategories[0]!.code).toBe(100);
  // 207 is in fault_categories.json but not in the schema's ranges: 900, the code named in the context and a warning.
  expect(byId.get('RAA-AUTH-MISSING')!.faultCategories[0]).toMatchObject({ code: SUITE_FAULT_CODE, context: expect.stringContaining('F207') });
  expect(wfc.warnings?.map((w) => w.message).join('\n')).toMatch(/RAA-AUTH-MISSING is WFC fault 207/);
  for (const f of wfc.faults.foundFaults) expect(f.operationId).toBe(f.endpointId);

  const rest = wfc.problemDetails.rest;
  for (const e of Object.values(OPERATION_ENDPOINTS)) expect(rest.endpointIds).toContain(e);
  const seen = new Map(rest.coveredHttpStatus.map((c) => [c.endpointId, c.httpStatus]));
  expect(seen.get(OPERATION_ENDPOINTS.create!)).toEqual(expect.arrayContaining([201, 400, 401, 500]));
  expect(seen.get(OPERATION_ENDPOINTS.delete!)).toEqual(expect.arrayContaining([204, 404]));
  expect(rest.outputHttpCalls).toBe(run.report!.records!.requests);
  expect(rest.outputHttpCalls).toBeGreaterThan(100);
  expect(wfc.totalTests).toBeGreaterThan(100);
  expect(wfc.testFilePaths.every((p) => p.endsWith('.spec.ts'))).toBe(true);
});
