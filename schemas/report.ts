// The published shape of conformance.json (and of one test's failure, which crosses from a Playwright worker to
// the reporter as a JSON attachment). The writer, diff, merge, pin and the page validate against it; the
// TypeScript types in src/core/report-types.ts derive from it. INTERPRETING.md says when REPORT_SCHEMA_VERSION changes.
import { DIALECT, SCHEMA_BASE, count } from './entity';

/**
 * Version 1 is every report written before versions existed (no `schemaVersion`, a failure is a string). Version 3
 * added the `partial` requirement status (some tests passed, the rest did not run) and `hints`; a version 2 report
 * is a version 3 report without them, and reads as one.
 */
export const REPORT_SCHEMA_VERSION = 3;

const LEVEL = { enum: ['MUST', 'SHOULD', 'MAY'] } as const;
const headers = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** Requirement outcomes a conformance.json may carry; `skipped` and `untested` only in reports of version 1. */
export const REPORT_STATUSES = ['passed', 'failed', 'skipped', 'untested', 'expected-failure', 'not-tested', 'blocked', 'inconclusive', 'partial'] as const;
export const TEST_STATUSES = ['passed', 'failed', 'not-tested', 'blocked', 'inconclusive', 'errored', 'expected-failure', 'skipped'] as const;
const NOT_TESTED_KINDS = ['principal', 'writes', 'tenants', 'filtered', 'target', 'inapplicable'] as const;

/** The exchange a failure is about, secrets redacted. */
const exchangeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['request', 'response'],
  properties: {
    request: {
      type: 'object', additionalProperties: false, required: ['method', 'url', 'headers'],
      properties: { method: { type: 'string' }, url: { type: 'string' }, headers, body: { type: 'string' } },
    },
    response: {
      type: 'object', additionalProperties: false, required: ['status', 'headers', 'body'],
      properties: { status: { type: 'integer' }, headers, body: { type: 'string' } },
    },
  },
} as const;

/**
 * Why a test did not pass. `check`: a verdict on the target (src/checks/failure.ts), with the requirement it names;
 * `inconclusive`: only 429/503 past the retry budget; `error`: the suite's own fault or a request without an answer.
 */
const failureBody = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'summary', 'message'],
  properties: {
    kind: { enum: ['check', 'inconclusive', 'error'] },
    /** The requirement the failure names (a check's), its level and whether it is tentative. */
    requirement: { type: 'string' },
    level: LEVEL,
    tentative: { type: 'boolean' },
    /** What broke, in one line. */
    summary: { type: 'string' },
    /** The whole text as the console showed it, without stack frames. */
    message: { type: 'string' },
    expected: { type: 'string' },
    received: { type: 'string' },
    schemaErrors: { type: 'array', items: { type: 'string' } },
    exchange: exchangeSchema,
    /** One curl line that sends the request again; the token is an environment variable named after the principal. */
    reproduce: { type: 'string' },
    /** For a property: what replays it, and the shrunk counterexample. */
    property: {
      type: 'object',
      additionalProperties: false,
      required: ['seed', 'path', 'numRuns', 'counterexample'],
      properties: {
        seed: { type: 'integer' },
        path: { type: 'string' },
        numRuns: count,
        counterexample: {},
        /** What a pinned regression of it expects (`raa-conformance pin`). */
        pin: {
          type: 'object', additionalProperties: false, required: ['expectStatus'],
          properties: { expectStatus: { type: 'array', items: { type: 'integer' } }, headers },
        },
      },
    },
  },
} as const;

/** One test's failure on its own: the JSON attachment a worker hands to the reporter. */
export const failureSchema = { $schema: DIALECT, $id: `${SCHEMA_BASE}failure`, ...failureBody } as const;

const testSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'status'],
  properties: {
    title: { type: 'string' },
    status: { enum: TEST_STATUSES },
    reason: { type: 'string' },
    notTested: { enum: NOT_TESTED_KINDS },
    blockedBy: { type: 'string' },
    failure: failureBody,
    location: { type: 'string' },
    durationMs: count,
    /**
     * Set on an entry an every-response oracle filed (src/checks/oracles.ts): the test is the one whose exchanges the
     * oracle judged, not one that cites the requirement; `exchanges` is how many it applied to.
     */
    oracle: { type: 'object', additionalProperties: false, required: ['exchanges'], properties: { exchanges: count } },
  },
} as const;

/** One test's every-response oracle results: the JSON attachment a worker hands to the reporter. */
export const oraclesSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}oracles`,
  type: 'object',
  additionalProperties: false,
  required: ['observed', 'findings'],
  properties: {
    /** Per oracle requirement, the exchanges of the test it applied to. */
    observed: { type: 'object', additionalProperties: count },
    /** Per oracle requirement, its first finding, with the exchange as evidence. */
    findings: { type: 'object', additionalProperties: failureBody },
  },
} as const;

const requirementSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'level', 'tentative', 'operation', 'title', 'status', 'tests'],
  properties: {
    id: { type: 'string' },
    level: LEVEL,
    tentative: { type: 'boolean' },
    operation: { type: 'string' },
    title: { type: 'string' },
    status: { enum: REPORT_STATUSES },
    reason: { type: 'string' },
    notTested: { enum: NOT_TESTED_KINDS },
    blockedBy: { type: 'array', items: { type: 'string' } },
    tests: { type: 'array', items: testSchema },
  },
} as const;

const levelCoverage = {
  type: 'object', additionalProperties: false, required: ['total', 'tested', 'notTested', 'blocked', 'inconclusive'],
  properties: { total: count, tested: count, notTested: count, blocked: count, inconclusive: count, partial: count },
} as const;

const summarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['passed', 'failed', 'skipped'],
  properties: {
    passed: count, failed: count,
    /** notTested + blocked, kept for readers of version 1. */
    skipped: count,
    errored: count, expectedFailures: count, notTested: count, blocked: count, inconclusive: count, partial: count,
    coverage: { type: 'object', additionalProperties: false, required: ['MUST', 'SHOULD', 'MAY'], properties: { MUST: levelCoverage, SHOULD: levelCoverage, MAY: levelCoverage } },
    /** 429/503 answers waited out, and the time spent waiting (ms, fractional: clock readings are). */
    waitedOut: count,
    waitedMs: { type: 'number', minimum: 0 },
  },
} as const;

/** A shrunk counterexample of a failed property, ready to pin as a regression. */
const counterexampleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requirement', 'seed', 'path', 'numRuns', 'value', 'expectStatus'],
  properties: {
    requirement: { type: 'string' },
    seed: { type: 'integer' },
    path: { type: 'string' },
    numRuns: count,
    /** The request body (or `{ body, path }` for an invalid-body property) as the property generated it. */
    value: {},
    headers,
    expectStatus: { type: 'array', items: { type: 'integer' } },
  },
} as const;

/** A test that cites one requirement and failed on another's check: filed under the failure's, flagged here. */
const citeMismatchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['test', 'cited', 'raised'],
  properties: { test: { type: 'string' }, location: { type: 'string' }, cited: { type: 'array', items: { type: 'string' } }, raised: { type: 'string' } },
} as const;

/** conformance.json as this version writes it. */
export const conformanceReportV2Schema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}conformance-report-v2`,
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'suiteVersion', 'target', 'profile', 'seed', 'startedAt', 'durationMs', 'strict', 'summary', 'requirements'],
  properties: {
    schemaVersion: { enum: [2, REPORT_SCHEMA_VERSION] },
    suiteVersion: { type: 'string' },
    target: { type: 'string' },
    profile: { type: 'string' },
    seed: { type: 'integer' },
    startedAt: { type: 'string', format: 'date-time' },
    durationMs: count,
    strict: { type: 'boolean' },
    summary: summarySchema,
    /** The verdict and its one-line explanation, as printed last; the exit code as INTERPRETING.md documents it. */
    verdict: { enum: ['CONFORMANT', 'NOT CONFORMANT', 'INCOMPLETE', 'PARTIAL', 'INCONCLUSIVE'] },
    verdictLine: { type: 'string' },
    exitCode: { type: 'integer' },
    /** Set when the user narrowed the run (--grep, --shard, file filters). */
    selection: { type: 'string' },
    /** MUST requirements left untested by configuration were accepted (--allow-partial). */
    allowPartial: { type: 'boolean' },
    requirements: { type: 'array', items: requirementSchema },
    /** Defects the embedded reference server ran with (defect matrix runs only). */
    defects: { type: 'array', items: { type: 'string' } },
    /** Records this run created on the target and could not remove, and throttling met. */
    records: {
      type: 'object', additionalProperties: false, required: ['created', 'left', 'requests', 'throttled'],
      properties: { created: count, left: { type: 'array', items: { type: 'string' } }, requests: count, throttled: count },
    },
    /** Known deviations applied from the expectations file. */
    expectations: {
      type: 'object', additionalProperties: false, required: ['file', 'applied', 'unexpectedPasses', 'unknownEntries'],
      properties: { file: { type: 'string' }, applied: count, unexpectedPasses: { type: 'array', items: { type: 'string' } }, unknownEntries: { type: 'array', items: { type: 'string' } } },
    },
    counterexamples: { type: 'array', items: counterexampleSchema },
    citeMismatches: { type: 'array', items: citeMismatchSchema },
    playwrightStatus: { type: 'string' },
    /** What a person may check after the verdict (e.g. a token the target refused): advice, never a verdict. */
    hints: { type: 'array', items: { type: 'string' } },
    shard: { type: 'string' },
    /**
     * When the run reached each step (epoch ms): the command's start (processStart, commandStart, configured,
     * targetReady, preflight, runtimeWritten), then collected, firstTest, lastTest and reporting.
     */
    timings: { type: 'object', additionalProperties: { type: 'number' } },
  },
} as const;

/**
 * What diff, merge and pin need from a report of version 1 (written before `schemaVersion`): extra fields are
 * allowed, a failure is whatever it was.
 */
export const conformanceReportV1Schema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}conformance-report-v1`,
  type: 'object',
  required: ['suiteVersion', 'target', 'profile', 'seed', 'startedAt', 'summary', 'requirements'],
  properties: {
    suiteVersion: { type: 'string' },
    target: { type: 'string' },
    profile: { type: 'string' },
    seed: { type: 'integer' },
    startedAt: { type: 'string' },
    summary: { type: 'object' },
    requirements: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'level', 'title', 'operation', 'tentative', 'status', 'tests'],
        properties: {
          id: { type: 'string' },
          level: LEVEL,
          title: { type: 'string' },
          operation: { type: 'string' },
          tentative: { type: 'boolean' },
          status: { enum: REPORT_STATUSES },
          tests: { type: 'array', items: { type: 'object', required: ['title', 'status'], properties: { title: { type: 'string' }, status: { type: 'string' } } } },
        },
      },
    },
  },
} as const;

/** Any conformance.json this version reads: with a `schemaVersion`, the current shape; without, version 1. */
export const conformanceReportSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}conformance-report`,
  if: { type: 'object', required: ['schemaVersion'] },
  then: { $ref: conformanceReportV2Schema.$id },
  else: { $ref: conformanceReportV1Schema.$id },
} as const;

/** Every schema of this file, for registration with the one Ajv instance. */
export const REPORT_SCHEMAS = [failureSchema, oraclesSchema, conformanceReportV2Schema, conformanceReportV1Schema, conformanceReportSchema] as const;
