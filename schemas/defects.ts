// The shape of fixtures/defects.json: the reference server's defect modes, each with the requirements a run
// against the server with only that defect must mark failed (the defect matrix in tests/self proves it).
import type { FromSchema } from 'json-schema-to-ts';

/** Where each defect lives in the API's behaviour; the matrix table groups by it. */
export const DEFECT_AREAS = ['status-media', 'echo', 'validation', 'auth', 'errors', 'protocol', 'read', 'update', 'delete'] as const;

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
  },
} as const;

export type DefectsFile = FromSchema<typeof defectsFileSchema>;
export type Defect = DefectsFile['defects'][number];
