// The shape of the runtime file the command line hands to Playwright and its workers (src/config/runtime.ts): what
// the run process validated, schema-checked once more when read back, never re-validated field by field.
import { DIALECT, SCHEMA_BASE, count } from './entity';
import { failureSchema } from './report';

const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;

const principal = {
  type: 'object', additionalProperties: false, required: ['name', 'type', 'permissions', 'tokenState', 'token'],
  properties: {
    name: str, type: { enum: ['application', 'delegated-work', 'delegated-personal'] }, permissions: strings,
    tokenState: { enum: ['valid', 'expired', 'wrong-audience'] }, token: str, tenant: str,
    renewal: { type: 'object', required: ['clientCredentials', 'cloud', 'expiresAt'], properties: { clientCredentials: { type: 'object' }, cloud: str, expiresAt: { type: 'number' } } },
  },
} as const;

const preflight = {
  type: 'object', additionalProperties: false, required: ['findings', 'hints'],
  properties: {
    findings: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['requirement', 'failure'], properties: { requirement: str, failure: { $ref: failureSchema.$id } } } },
    hints: strings,
  },
} as const;

export const runtimeSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}runtime`,
  type: 'object',
  additionalProperties: false,
  required: ['runId', 'marker', 'target', 'embedded', 'principals', 'seed', 'profile', 'numRuns', 'propertyBudgetMs', 'strict', 'allowWrites', 'timeoutMs', 'rateLimit', 'reportDir', 'suiteVersion', 'defects', 'secrets'],
  properties: {
    runId: str, marker: str, target: str, embedded: { type: 'boolean' }, principals: { type: 'array', items: principal },
    seed: { type: 'integer' }, profile: { enum: ['quick', 'deep', 'tenant'] }, numRuns: count, propertyBudgetMs: count, strict: { type: 'boolean' },
    allowWrites: { type: 'boolean' }, timeoutMs: count, rateLimit: { type: 'number', minimum: 0 }, retryBudgetMs: { type: 'number', minimum: 0 }, reportDir: str, suiteVersion: str,
    defects: strings, secrets: strings, expectationsFile: str, historyDir: str, regressionsFile: str, allowPartial: { type: 'boolean' },
    requireMetadata: { type: 'boolean' }, selection: str, renewedTokensFile: str, project: str,
    projects: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['name', 'target', 'defects', 'reportDir'], properties: { name: str, target: str, defects: strings, reportDir: str, preflight, requirements: strings } },
    },
    marks: { type: 'object', additionalProperties: { type: 'number' } },
    preflight,
  },
} as const;
