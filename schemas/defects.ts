// The shape of fixtures/defects.json: the reference server's defect modes, each with the requirements a run
// against the server with only that defect must mark failed (the defect matrix in tests/self proves it).
import type { FromSchema } from 'json-schema-to-ts';

/** Where each defect lives in the API's behaviour; the matrix table groups by it. */
export const DEFECT_AREAS = ['status-media', 'echo', 'validation', 'auth', 'errors', 'protocol', 'read', 'update', 'delete'] as const;

/** The fault model's layers, in the order docs/FAULT-MODEL.md presents them, each with its heading there. */
export const FAULT_LAYERS = [
  ['transport', 'Transport'], ['authentication', 'Authentication'], ['authorisation', 'Authorisation'], ['tenancy', 'Tenancy'],
  ['parsing', 'Parsing'], ['validation', 'Validation'], ['storage', 'Storage'], ['representation', 'Representation'],
  ['description', 'Description ($metadata)'], ['paging', 'Paging'], ['lifecycle', 'Lifecycle'], ['concurrency', 'Concurrency'],
  ['every-response', 'Every response (oracles)'],
] as const;

export const defectsFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:raa-conformance:schema:defects-file',
  title: 'reference server defect modes',
  type: 'object',
  required: ['defects'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    defects: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'area', 'description', 'requirements'],
        properties: {
          /** The name `--defects` and REFERENCE_DEFECTS take, and the one server/ consults. */
          name: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
          area: { type: 'string', enum: DEFECT_AREAS },
          /** One line: the bug as a real implementation would have it. */
          description: { type: 'string', minLength: 10, pattern: '^[^\\n]+$' },
          /** Requirement ids that must be marked failed; any other MUST failing is an overlap the matrix reports. */
          requirements: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^RAA(-[A-Z0-9]+)+$' } },
          /**
           * Requirements the defect may also make fail, depending on what the seed's random payloads reach (e.g.
           * RAA-MODEL's few sequences for a bug only some strings trigger): neither required nor counted as overlap.
           */
          incidental: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^RAA(-[A-Z0-9]+)+$' } },
        },
      },
    },
    /**
     * The fault model (docs/FAULT-MODEL.md's tables are generated from it): each fault a real backend can have, in
     * the layer where it lives, the requirements that catch it, what exercises it, and the defect modes that prove
     * it caught. `requirementText` and `defectText` stand where a cell says more than ids (e.g. "none yet").
     */
    faults: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['layer', 'fault', 'requirements', 'exercisedBy', 'defects'],
        properties: {
          layer: { enum: FAULT_LAYERS.map((l) => l[0]) },
          fault: { type: 'string', minLength: 3 },
          requirements: { type: 'array', items: { type: 'string', pattern: '^RAA(-[A-Z0-9]+)+$' } },
          requirementText: { type: 'string' },
          exercisedBy: { type: 'string' },
          defects: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' } },
          defectText: { type: 'string' },
        },
      },
    },
  },
} as const;

export type DefectsFile = FromSchema<typeof defectsFileSchema>;
export type Defect = DefectsFile['defects'][number];
export type Fault = NonNullable<DefectsFile['faults']>[number];
