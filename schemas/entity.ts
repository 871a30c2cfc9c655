// The remoteActionAudit contract as JSON Schema 2020-12: the entity as returned, the create and update
// bodies, the collection and the Graph error envelope. Composed from shared pieces so each rule is written once.
import { ACTION_STATE, DEVICE_ACTION_CATEGORY, REMOTE_ACTION } from './enums';

export const SCHEMA_BASE = 'urn:raa-conformance:schema:';
/** Every schema of the project is JSON Schema 2020-12. */
export const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
/** A count, a duration in ms: a whole number, never negative. */
export const count = { type: 'integer', minimum: 0 } as const;

/** RFC 3339 date-time with any offset and 0–7 fractional digits (Edm.DateTimeOffset keeps 100 ns ticks). */
// Seconds stop at 59: Edm.DateTimeOffset (.NET) has no leap second, so 23:59:60 cannot be stored.
export const DATE_TIME_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-5][0-9])$';

const nullableString = { type: ['string', 'null'] } as const;

/** The seed's string properties (all nullable in the CSDL) plus today's `bulkDeviceActionId`. */
export const STRING_PROPERTIES = [
  'deviceDisplayName', 'userName', 'initiatedByUserPrincipalName', 'deviceOwnerUserPrincipalName',
  'deviceIMEI', 'managedDeviceId', 'bulkDeviceActionId',
] as const;

/** Properties that are newer than the seed: allowed, never required. */
export const NEWER_PROPERTIES = ['bulkDeviceActionId', 'deviceActionCategory'] as const;

/** Every property the seed lists besides `id`. */
export const SEED_PROPERTIES = [
  'deviceDisplayName', 'userName', 'initiatedByUserPrincipalName', 'action', 'requestDateTime',
  'deviceOwnerUserPrincipalName', 'deviceIMEI', 'actionState', 'managedDeviceId',
] as const;

const writableProperties = {
  deviceDisplayName: nullableString,
  userName: nullableString,
  initiatedByUserPrincipalName: nullableString,
  action: { type: 'string', enum: REMOTE_ACTION },
  requestDateTime: { type: 'string', pattern: DATE_TIME_PATTERN, format: 'date-time' },
  deviceOwnerUserPrincipalName: nullableString,
  deviceIMEI: nullableString,
  actionState: { type: 'string', enum: ACTION_STATE },
  managedDeviceId: nullableString,
  bulkDeviceActionId: nullableString,
  deviceActionCategory: { type: 'string', enum: DEVICE_ACTION_CATEGORY },
} as const;

const odataType = { const: '#microsoft.graph.remoteActionAudit' } as const;

/** The entity as a server returns it: extra properties and `@odata.*` annotations are tolerated. */
export const entitySchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}entity`,
  title: 'remoteActionAudit (response)',
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', minLength: 1 },
    '@odata.type': odataType,
    '@odata.context': { type: 'string' },
    ...writableProperties,
    // A server may send any RFC 3339 instant; only the request side limits the fraction to 7 digits.
    requestDateTime: { type: 'string', format: 'date-time' },
  },
} as const;

/** The POST body: only declared properties. `id` is accepted (the seed's table lists it) and ignored. */
export const createBodySchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}create-body`,
  title: 'remoteActionAudit (create request body)',
  type: 'object',
  additionalProperties: false,
  properties: {
    '@odata.type': odataType,
    id: nullableString,
    ...writableProperties,
  },
} as const;

/** The PATCH body: the same properties, all optional. */
export const updateBodySchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}update-body`,
  title: 'remoteActionAudit (update request body)',
  type: 'object',
  additionalProperties: false,
  properties: {
    '@odata.type': odataType,
    ...writableProperties,
  },
} as const;

export const collectionSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}collection`,
  title: 'remoteActionAudit collection',
  type: 'object',
  required: ['value'],
  properties: {
    '@odata.context': { type: 'string' },
    '@odata.nextLink': { type: 'string', format: 'uri' },
    '@odata.count': { type: 'integer', minimum: 0 },
    value: { type: 'array', items: { $ref: `${SCHEMA_BASE}entity` } },
  },
} as const;

/** Graph's error envelope (GRAPH-FACTS §5): code and message required, innerError optional. */
export const errorSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}error`,
  title: 'Graph error envelope',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', minLength: 1 },
        message: { type: 'string' },
        target: { type: 'string' },
        details: { type: 'array' },
        innerError: { type: 'object' },
      },
    },
  },
} as const;
