// Schemas for the suite's own data files: the permission matrix, the requirement catalogue, principals,
// negative cases, defects and the environment. Validated before anything runs, so bad input fails early.
import { DIALECT, SCHEMA_BASE } from './entity';

/** What every row of a cases file (create-cases.json, request-surface.json, regressions.json) names: what it is, the requirement it cites. */
const caseRow = {
  description: { type: 'string', minLength: 3 },
  requirement: { type: 'string', pattern: '^RAA(-[A-Z0-9]+)+$' },
} as const;
/** The statuses a case allows. */
const statuses = { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 }, minItems: 1 } as const;

export const OPERATIONS = ['list', 'get', 'create', 'update', 'delete'] as const;
export const PRINCIPAL_TYPES = ['delegated-work', 'delegated-personal', 'application'] as const;
export const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;

const permissionList = { type: 'array', items: { type: 'string', pattern: '^[A-Za-z]+\\.[A-Za-z]+(\\.[A-Za-z]+)*$' }, uniqueItems: true } as const;

const cell = {
  type: 'object',
  additionalProperties: false,
  required: ['permissions', 'uncertain', 'undocumented'],
  properties: { permissions: permissionList, uncertain: permissionList, undocumented: permissionList },
} as const;

const opEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['source', ...PRINCIPAL_TYPES],
  properties: { source: { type: 'string', minLength: 1 }, 'delegated-work': cell, 'delegated-personal': cell, application: cell },
} as const;

export const permissionMatrixSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}permission-matrix`,
  type: 'object',
  required: ['operations'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    operations: {
      type: 'object',
      additionalProperties: false,
      required: [...OPERATIONS],
      properties: { list: opEntry, get: opEntry, create: opEntry, update: opEntry, delete: opEntry },
    },
  },
} as const;

export const requirementCatalogueSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}requirement-catalogue`,
  type: 'object',
  required: ['requirements'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    requirements: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'operation', 'level', 'tentative', 'title', 'source'],
        properties: {
          id: { type: 'string', pattern: '^RAA(-[A-Z0-9]+)+$' },
          operation: { enum: [...OPERATIONS, 'any'] },
          level: { enum: LEVELS },
          tentative: { type: 'boolean' },
          title: { type: 'string', minLength: 3, pattern: '^[^\\n]+$' },
          // The Web Fuzzing Commons fault code (WebFuzzing/Commons fault_categories.json) a failure of this
          // requirement is, where one fits: 100-104 HTTP semantics, 200-210 security.
          wfc: { type: 'integer', minimum: 100, maximum: 999 },
          source: {
            oneOf: [
              { type: 'object', additionalProperties: false, required: ['kind', 'quote'], properties: { kind: { const: 'seed' }, quote: { type: 'string', minLength: 3 } } },
              { type: 'object', additionalProperties: false, required: ['kind', 'section', 'quote'], properties: { kind: { const: 'graph-facts' }, section: { type: 'string', pattern: '^§[0-9]+$' }, quote: { type: 'string', minLength: 3 } } },
            ],
          },
        },
      },
    },
  },
} as const;

export const principalsFileSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}principals-file`,
  type: 'object',
  required: ['principals'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    principals: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'type', 'permissions'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
          type: { enum: PRINCIPAL_TYPES },
          permissions: permissionList,
          token: { type: 'string', minLength: 1 },
          tokenEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
          tokenState: { enum: ['valid', 'expired', 'wrong-audience'] },
          /**
           * The tenant the principal's requests run in (GRAPH-FACTS §11): any id, compared as given. When absent, a
           * JWT's `tid` claim (read without verifying the token); an opaque token without it is in the default tenant,
           * which every such principal shares. Principals in two tenants let the suite check tenant isolation.
           */
          tenant: { type: 'string', minLength: 1 },
          /** Only for the embedded reference target: the token is minted by the reference server at start. */
          mint: { const: true },
          /**
           * An application token from Entra (client credentials), authenticated by exactly one of: a client secret in
           * an environment variable, a certificate, or a federated token (workload identity federation, no secret held).
           */
          clientCredentials: {
            type: 'object',
            additionalProperties: false,
            required: ['tenantId', 'clientId'],
            properties: {
              tenantId: { type: 'string', minLength: 1 },
              clientId: { type: 'string', minLength: 1 },
              /** The environment variable holding the client secret. */
              clientSecretEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
              /** A PEM file with the certificate (and its key, unless privateKeyPath names the key's file). */
              certificatePath: { type: 'string', minLength: 1 },
              certificateThumbprint: { type: 'string', pattern: '^[0-9A-Fa-f]{40}$' },
              privateKeyPath: { type: 'string', minLength: 1 },
              /**
               * A file holding a federated token, sent as the client assertion: Azure workload identity mounts it at
               * /var/run/secrets/azure/tokens/azure-identity-token (AZURE_FEDERATED_TOKEN_FILE). Read again for each
               * token request, since the kubelet rotates it.
               */
              clientAssertionFile: { type: 'string', minLength: 1 },
              /**
               * `github-oidc`: a federated token from GitHub Actions' OIDC endpoint (ACTIONS_ID_TOKEN_REQUEST_URL and
               * ACTIONS_ID_TOKEN_REQUEST_TOKEN, set for a job with `permissions: id-token: write`), audience
               * api://AzureADTokenExchange, fetched for each token request.
               */
              clientAssertion: { enum: ['github-oidc'] },
            },
            // src/auth/principals.ts names the conflict in one line before this is checked.
            oneOf: [
              { required: ['clientSecretEnv'] },
              { anyOf: [{ required: ['certificatePath'] }, { required: ['privateKeyPath'] }] },
              { required: ['clientAssertionFile'] },
              { required: ['clientAssertion'] },
            ],
          },
        },
        oneOf: [
          { required: ['token'] },
          { required: ['tokenEnv'] },
          { required: ['clientCredentials'] },
          { required: ['mint'] },
        ],
      },
    },
  },
} as const;

/** A negative or edge case: data only, turned into one test each by a short loop. */
export const casesFileSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}cases-file`,
  type: 'object',
  required: ['cases'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    cases: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['description', 'requirement', 'request', 'expect'],
        properties: {
          ...caseRow,
          request: {
            type: 'object',
            additionalProperties: false,
            properties: {
              /** Merged over the seed's example body; a `null` here sends null. */
              patch: { type: 'object' },
              /** Properties removed from the seed's example body. */
              remove: { type: 'array', items: { type: 'string' } },
              /** Sent verbatim instead of a JSON body. */
              raw: { type: 'string' },
              contentType: { type: 'string' },
              headers: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
          expect: {
            type: 'object',
            additionalProperties: false,
            required: ['status'],
            properties: {
              status: statuses,
            },
          },
        },
      },
    },
  },
} as const;

/**
 * Requests that vary what a client can vary beyond the body (fixtures/request-surface.json): the key segment, the
 * media-type parameters of Content-Type, Accept, Prefer, and the query options the contract names. A short loop
 * turns each row into a test.
 */
export const surfaceCasesFileSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}surface-cases-file`,
  type: 'object',
  required: ['cases'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['description', 'requirement', 'request', 'expect'],
        properties: {
          ...caseRow,
          request: {
            type: 'object',
            additionalProperties: false,
            required: ['method', 'path'],
            properties: {
              method: { enum: ['GET', 'POST', 'PATCH', 'DELETE'] },
              /**
               * Under the collection, sent as written: '' (the collection), '/{own}' (a record this test creates),
               * '/{own-swapcase}' (its id in other casing), or a literal segment such as '/%E0%A4%A' or "('..')".
               */
              path: { type: 'string' },
              query: { type: 'string' },
              /** `create`: the seed's example (POST); `update`: a small PATCH body. Marked as the run's. */
              body: { enum: ['create', 'update'] },
              contentType: { type: 'string' },
              /** Request headers; an `Accept` of null sends none. */
              headers: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
            },
          },
          expect: {
            type: 'object',
            additionalProperties: false,
            required: ['status'],
            properties: {
              status: statuses,
              /** A 2xx other than 204 carries a body labelled JSON. */
              json: { type: 'boolean' },
            },
          },
        },
      },
    },
  },
} as const;

const flag = { enum: ['0', '1', 'true', 'false', ''] } as const;

/** The user's settings (after dotenv): their values. Names, descriptions and the other variables read: src/core/settings.ts. */
export const environmentSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}environment`,
  type: 'object',
  additionalProperties: false,
  properties: {
    TARGET_BASE_URL: { type: 'string', pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' },
    PRINCIPALS_FILE: { type: 'string', minLength: 1 },
    GRAPH_CLOUD: { enum: ['global', 'usgov-l4', 'usgov-l5-dod', 'china'] },
    CONFORMANCE_SEED: { type: 'string', pattern: '^-?[0-9]{1,10}$' },
    CONFORMANCE_PROFILE: { enum: ['quick', 'deep', 'tenant'] },
    CONFORMANCE_REPORT_DIR: { type: 'string', minLength: 1 },
    CONFORMANCE_STRICT: flag,
    CONFORMANCE_ALLOW_WRITES: flag,
    CONFORMANCE_ALLOW_PARTIAL: flag,
    CONFORMANCE_REQUIRE_METADATA: flag,
    CONFORMANCE_RETRY_BUDGET_S: { type: 'string', pattern: '^[0-9]{1,5}$' },
    /** Read by playwright.config.ts: test workers in a run (the matrix sets it for its own run). */
    CONFORMANCE_WORKERS: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' },
    CONFORMANCE_NUM_RUNS: { type: 'string', pattern: '^[1-9][0-9]{0,6}$' },
    CONFORMANCE_TIMEOUT_MS: { type: 'string', pattern: '^[1-9][0-9]{2,6}$' },
    CONFORMANCE_RATE_LIMIT: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' },
    CONFORMANCE_EXPECTATIONS: { type: 'string', minLength: 1 },
    CONFORMANCE_HISTORY_DIR: { type: 'string', minLength: 1 },
    CONFORMANCE_REGRESSIONS: { type: 'string', minLength: 1 },
    REFERENCE_DEFECTS: { type: 'string', pattern: '^[a-z0-9-]*(,[a-z0-9-]+)*$' },
    REFERENCE_FAULTS: { type: 'string' },
    REFERENCE_CONTRACT: { enum: ['today', 'seed'] },
    REFERENCE_VARIANTS: { type: 'string', pattern: '^[a-z0-9-]*(,[a-z0-9-]+)*$' },
  },
} as const;


/** Known deviations of a target: kept out of the tests, applied by the reporter (INTERPRETING.md). */
export const expectationsFileSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}expectations-file`,
  type: 'object',
  required: ['expectations'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    target: { type: 'string' },
    expectations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['requirement', 'status', 'reason'],
        properties: {
          requirement: { type: 'string', pattern: '^RAA(-[A-Z0-9]+)+$' },
          /** Narrows the entry to tests whose title contains this text; absent = every test of the requirement. */
          test: { type: 'string', minLength: 1 },
          status: { enum: ['failed'] },
          reason: { type: 'string', minLength: 3 },
          link: { type: 'string' },
        },
      },
    },
  },
} as const;

/** Counterexamples pinned as regressions: replayed first in every profile. */
export const regressionsFileSchema = {
  $schema: DIALECT,
  $id: `${SCHEMA_BASE}regressions-file`,
  type: 'object',
  required: ['regressions'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    regressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['description', 'requirement', 'body', 'expect'],
        properties: {
          ...caseRow,
          body: {},
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          expect: {
            type: 'object',
            additionalProperties: false,
            required: ['status'],
            properties: { status: { type: 'array', items: { type: 'integer' }, minItems: 1 }, echo: { type: 'boolean' }, schema: { type: 'boolean' } },
          },
          pinnedFrom: { type: 'object', properties: { seed: { type: 'integer' }, path: { type: 'string' } } },
        },
      },
    },
  },
} as const;
