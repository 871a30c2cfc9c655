// A failure is data from the check to the report: the object a check throws carries the evidence, a worker hands
// it to the reporter as a JSON attachment, and the reporter files it under the requirement it names, flagging a
// test that failed on a requirement it does not cite.
import { expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FullResult, TestCase, TestResult } from '@playwright/test/reporter';
import { validators } from '../../src/contract';
import { CheckFailure, FAILURE_ATTACHMENT, namePrincipals } from '../../src/checks/failure';
import type { Exchange } from '../../src/transport/http';
import { redactor } from '../../src/core/redact';
import ConformanceReporter from '../../src/report/reporter';
import type { Runtime } from '../../src/config/runtime';
import { explain, runSuite } from './support/run-suite';
import { readValidReport } from './support/report-texts';

test.describe.configure({ timeout: 300_000 });

const SECRET = 'selftest-secret-token-0123456789';
const URL_ = 'http://127.0.0.1:9/beta/deviceManagement/remoteActionAudits';
const exchange: Exchange = {
  request: { method: 'POST', url: URL_, headers: { Accept: 'application/json', Authorization: `Bearer ${SECRET}`, 'Content-Type': 'application/json' }, body: '{"action":"factoryReset"}' },
  status: 500, headers: { 'content-type': 'application/json', 'request-id': 'r-1' }, text: '{"error":{"code":"InternalServerError"}}', durationMs: 1, throttled: 0,
};

test('a check failure carries requirement, level, expected vs received, the redacted exchange and a reproduce line naming the principal', () => {
  redactor.add(SECRET);
  namePrincipals([{ name: 'app-rw', token: SECRET }]);
  try {
    const f = new CheckFailure('RAA-CREATE-201', 'status 500 where 201 is due', {
      expected: '201', received: '500', schemaErrors: ['/id: must be string'], exchange,
      property: { seed: 7, path: '3:0', numRuns: 100, counterexample: { action: 'factoryReset' }, pin: { expectStatus: [201] } },
    });
    const r = f.record;
    expect(validators.failure(r), JSON.stringify(validators.failure.errors)).toBe(true);
    expect(r).toMatchObject({
      kind: 'check', requirement: 'RAA-CREATE-201', level: 'MUST', tentative: false, summary: 'status 500 where 201 is due',
      expected: '201', received: '500', schemaErrors: ['/id: must be string'],
      exchange: { request: { method: 'POST', url: URL_, headers: { Authorization: 'Bearer [REDACTED]' }, body: '{"action":"factoryReset"}' },
        response: { status: 500, headers: { 'request-id': 'r-1' }, body: '{"error":{"code":"InternalServerError"}}' } },
      property: { seed: 7, path: '3:0', numRuns: 100, counterexample: { action: 'factoryReset' }, pin: { expectStatus: [201] } },
    });
    expect(r.reproduce).toBe(`curl -sS -i -X POST '${URL_}' -H 'Accept: application/json' -H "Authorization: Bearer $TOKEN_APP_RW" -H 'Content-Type: application/json' --data-binary '{"action":"factoryReset"}'`);
    // The message is the same report as text, for Playwright's console; neither holds the token.
    expect(r.message).toBe(f.message);
    expect(f.message).toMatch(/^\[RAA-CREATE-201 MUST\] status 500 where 201 is due\n/);
    expect(`${JSON.stringify(r)}\n${f.message}`).not.toContain(SECRET);
  } finally {
    namePrincipals([]);
  }
});

test('an unknown Authorization value is reproduced as sent, redacted; no principal is guessed', () => {
  const f = new CheckFailure('RAA-AUTH-INVALID', 'status 200 where 401 is due', { exchange: { ...exchange, request: { ...exchange.request, headers: { Authorization: 'Bearer' } } } });
  expect(f.record.reproduce).toContain(`-H 'Authorization: Bearer'`);
  expect(f.record.reproduce).not.toContain('$TOKEN');
});

test('a failed property reaches conformance.json through its attachment: seed, path, shrunk counterexample, exchange, reproduce line', async () => {
  const run = await runSuite(['run', '--defects', 'device-imei-dropped', '--seed', '11', '--', '--grep', '@RAA-CREATE-ECHO'], { CONFORMANCE_NUM_RUNS: '60' });
  expect(run.code, explain(run)).toBe(1);
  const tests = run.report!.requirements.find((q) => q.id === 'RAA-CREATE-ECHO')!.tests;
  const property = tests.find((t) => t.failure?.property)?.failure;
  expect(property, explain(run)).toMatchObject({ kind: 'check', requirement: 'RAA-CREATE-ECHO', level: 'MUST', tentative: false, property: { seed: 11, numRuns: 60 } });
  expect(typeof property!.property!.path).toBe('string');
  expect(property!.property!.counterexample).toHaveProperty('deviceIMEI');
  expect(property!.exchange!.response.status).toBe(201);
  expect(property!.reproduce).toContain('"Authorization: Bearer $TOKEN_APP_RW"');
  expect(property!.expected).toBeDefined();
  expect(property!.received).toBeDefined();
  // The counterexample to pin comes from the same attachment; no side file is left behind.
  expect(run.report!.counterexamples?.map((c) => c.requirement)).toContain('RAA-CREATE-ECHO');
  expect(existsSync(join(run.reportDir, '.counterexamples'))).toBe(false);
  // The Markdown shows expected beside received, the exchange and the reproduce line, and no stack frame.
  const md = readFileSync(join(run.reportDir, 'conformance.md'), 'utf8');
  expect(md).toContain('| Expected | Received |');
  expect(md).toMatch(/Reproduce with:\n\n```sh\ncurl /);
  expect(md).not.toMatch(/^\s+at .*\.ts:\d+/m);
});

/** The reporter fed by hand: a test citing one requirement that failed on another's check. */
test('a test that fails on a requirement it does not cite is filed under the failure\'s requirement and flagged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raa-failure-data-'));
  const runtime = { runId: 'r', marker: 'raa-conformance/r/', target: 'http://127.0.0.1:9/beta', embedded: true, principals: [], seed: 5, profile: 'quick',
    numRuns: 1, propertyBudgetMs: 0, strict: false, allowWrites: true, timeoutMs: 1000, rateLimit: 0, reportDir: dir, suiteVersion: '0.0.0', defects: [], secrets: [] } satisfies Runtime;
  const runtimeFile = join(dir, 'runtime.json');
  writeFileSync(runtimeFile, JSON.stringify(runtime));
  const before = process.env.RAA_RUNTIME;
  process.env.RAA_RUNTIME = runtimeFile;
  const failure = new CheckFailure('RAA-CREATE-201', 'status 500 where 201 is due', { expected: '201', received: '500', exchange });
  const testCase = { parent: { project: () => ({ name: '' }) }, annotations: [{ type: 'requirement', description: 'RAA-GET-200' }],
    titlePath: () => ['', '', 'get.spec.ts', 'a record is read back'], location: { file: '/x/tests/contract/get.spec.ts', line: 3, column: 1 } } as unknown as TestCase;
  const result = { status: 'failed', duration: 5, startTime: new Date(), annotations: [], errors: [{ message: `${failure.name}: ${failure.message}` }],
    attachments: [{ name: FAILURE_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify(failure.record)) }] } as unknown as TestResult;
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => { out.push(String(s)); return true; }) as typeof process.stdout.write;
  try {
    const reporter = new ConformanceReporter();
    reporter.onTestEnd(testCase, result);
    reporter.onEnd({ status: 'failed', duration: 5, startTime: new Date() } as FullResult);
  } finally {
    process.stdout.write = write;
    if (before === undefined) delete process.env.RAA_RUNTIME; else process.env.RAA_RUNTIME = before;
  }
  const report = readValidReport(join(dir, 'conformance.json'));
  const byId = Object.fromEntries(report.requirements.map((q) => [q.id, q]));
  expect(byId['RAA-CREATE-201']).toMatchObject({ status: 'failed', tests: [{ title: 'get.spec.ts › a record is read back', status: 'failed', failure: { requirement: 'RAA-CREATE-201' } }] });
  expect(byId['RAA-GET-200']).toMatchObject({ status: 'blocked', blockedBy: ['RAA-CREATE-201'], tests: [{ status: 'blocked', blockedBy: 'RAA-CREATE-201' }] });
  expect(report.citeMismatches).toEqual([{ test: 'get.spec.ts › a record is read back', location: 'tests/contract/get.spec.ts:3', cited: ['RAA-GET-200'], raised: 'RAA-CREATE-201' }]);
  expect(out.join('')).toContain('CITE MISMATCH: "get.spec.ts › a record is read back" (tests/contract/get.spec.ts:3) cites RAA-GET-200 but failed on RAA-CREATE-201');
});
