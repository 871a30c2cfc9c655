// The published shape of compare.json, the report of `raa-conformance compare`: the two sides, the noise learnt
// from the reference, and every difference left after normalisation, grouped by cause with samples to replay.
import { SCHEMA_BASE, count } from './entity';

export const COMPARE_REPORT_VERSION = 1;

const headers = { type: 'object', additionalProperties: { type: 'string' } } as const;
const KINDS = ['status', 'header', 'body field', 'sequence outcome', 'every-response oracle'] as const;

const side = {
  type: 'object', additionalProperties: false, required: ['url', 'embedded'],
  properties: {
    url: { type: 'string' }, embedded: { type: 'boolean' },
    defects: { type: 'array', items: { type: 'string' } }, variants: { type: 'array', items: { type: 'string' } },
    requests: count,
  },
} as const;

/** One side's answer as the report shows it: redacted, the body cut to a readable length. */
const answer = {
  type: 'object', additionalProperties: false, required: ['status', 'headers', 'body'],
  properties: { status: { type: 'integer' }, headers, body: { type: 'string' }, error: { type: 'string' } },
} as const;

export const compareReportSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `${SCHEMA_BASE}compare-report`,
  title: 'raa-conformance compare report',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'version', 'seed', 'profile', 'startedAt', 'durationMs', 'reference', 'target', 'steps', 'noise', 'differences', 'groups', 'samples', 'exitCode'],
  properties: {
    schemaVersion: { const: COMPARE_REPORT_VERSION },
    version: { type: 'string' },
    seed: { type: 'integer' },
    profile: { type: 'string' },
    startedAt: { type: 'string', format: 'date-time' },
    durationMs: count,
    reference: side,
    target: side,
    /** Steps in the stream (a replay: the steps sent, up to the one replayed). */
    steps: count,
    replay: { type: 'integer', minimum: 0 },
    /** Paths the reference answered differently on two runs of the same stream: not compared. */
    noise: {
      type: 'object', additionalProperties: false, required: ['learnt', 'fields'],
      properties: {
        learnt: { enum: ['reference twice', 'two references', 'not learnt'] },
        fields: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['field', 'samples'], properties: { field: { type: 'string' }, samples: count } } },
      },
    },
    differences: count,
    groups: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['kind', 'path', 'change', 'count', 'stepKinds', 'example', 'replay'],
        properties: {
          kind: { enum: KINDS }, path: { type: 'string' }, change: { type: 'string' }, count: { type: 'integer', minimum: 1 },
          requirement: { type: 'string' }, stepKinds: { type: 'array', items: { type: 'string' } }, example: count, replay: { type: 'string' },
        },
      },
    },
    samples: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['step', 'stepKind', 'kind', 'path', 'referenceValue', 'targetValue', 'request', 'reference', 'target', 'replay'],
        properties: {
          step: count, stepKind: { type: 'string' }, kind: { enum: KINDS }, path: { type: 'string' }, requirement: { type: 'string' },
          referenceValue: { type: 'string' }, targetValue: { type: 'string' },
          request: { type: 'object', additionalProperties: false, required: ['method', 'path', 'as'], properties: { method: { type: 'string' }, path: { type: 'string' }, as: { type: 'string' }, headers, body: { type: 'string' } } },
          reference: answer, target: answer, replay: { type: 'string' },
        },
      },
    },
    exitCode: { enum: [0, 1, 2, 3] },
  },
} as const;
