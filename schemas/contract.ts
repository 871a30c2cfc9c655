// The contract's one Ajv 2020 instance: every schema compiled once and shared by the reference server, the checks
// and the arbitraries' self-check. Types derive from the schemas, never the reverse. Also what the project's data
// files are read through (the permission matrix, the requirement catalogue), and where the project's root is.
// This layer imports nothing else of the project (ARCHITECTURE.md).
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FromSchema } from 'json-schema-to-ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectionSchema, createBodySchema, entitySchema, errorSchema, updateBodySchema } from './entity';
import {
  casesFileSchema, environmentSchema, expectationsFileSchema, permissionMatrixSchema, principalsFileSchema, regressionsFileSchema, requirementCatalogueSchema,
  surfaceCasesFileSchema,
  OPERATIONS, PRINCIPAL_TYPES, LEVELS,
} from './suite';
import { REPORT_SCHEMAS, conformanceReportSchema, failureSchema, oraclesSchema } from './report';
import { compareReportSchema } from './compare-report';
import { runtimeSchema } from './runtime';
import { defectsFileSchema, type DefectsFile } from './defects';

// ajv-formats ships CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => Ajv2020;

export const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
addFormats(ajv);

for (const s of [entitySchema, createBodySchema, updateBodySchema, collectionSchema, errorSchema,
  permissionMatrixSchema, requirementCatalogueSchema, principalsFileSchema, casesFileSchema, environmentSchema,
  expectationsFileSchema, regressionsFileSchema, surfaceCasesFileSchema]) {
  ajv.addSchema(s as object);
}
for (const s of [...REPORT_SCHEMAS, compareReportSchema, runtimeSchema, defectsFileSchema]) ajv.addSchema(s as object);

function compiled<T>(id: string): ValidateFunction<T> {
  const v = ajv.getSchema<T>(id);
  if (!v) throw new Error(`schema ${id} is not registered`);
  return v;
}

export type Entity = FromSchema<typeof entitySchema>;
export type CreateBody = FromSchema<typeof createBodySchema>;
export type UpdateBody = FromSchema<typeof updateBodySchema>;
export type GraphErrorBody = FromSchema<typeof errorSchema>;
export type Operation = (typeof OPERATIONS)[number];
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];
export type Level = (typeof LEVELS)[number];
export type PermissionMatrix = FromSchema<typeof permissionMatrixSchema>;
export type RequirementCatalogue = FromSchema<typeof requirementCatalogueSchema>;
export type Requirement = RequirementCatalogue['requirements'][number];
export type PrincipalsFile = FromSchema<typeof principalsFileSchema>;
export type PrincipalSpec = PrincipalsFile['principals'][number];
export type CasesFile = FromSchema<typeof casesFileSchema>;
export type Case = CasesFile['cases'][number];
export type SurfaceCasesFile = FromSchema<typeof surfaceCasesFileSchema>;
export type SurfaceCase = SurfaceCasesFile['cases'][number];
export type ExpectationsFile = FromSchema<typeof expectationsFileSchema>;
export type Expectation = ExpectationsFile['expectations'][number];
export type RegressionsFile = FromSchema<typeof regressionsFileSchema>;
export type Regression = RegressionsFile['regressions'][number];

/** Each compiled on first use: a process compiles only the schemas it needs (a server process needs few). */
function lazy<T>(schema: { $id: string }): ValidateFunction<T> {
  let v: ValidateFunction<T> | undefined;
  const call = ((data: unknown) => {
    v ??= compiled<T>(schema.$id);
    const ok = v(data);
    call.errors = v.errors;
    return ok;
  }) as ValidateFunction<T>;
  call.schema = schema;
  return call;
}

export const validators = {
  entity: lazy<Entity>(entitySchema),
  createBody: lazy<CreateBody>(createBodySchema),
  updateBody: lazy<UpdateBody>(updateBodySchema),
  collection: lazy<{ value: Entity[] }>(collectionSchema),
  error: lazy<GraphErrorBody>(errorSchema),
  permissionMatrix: lazy<PermissionMatrix>(permissionMatrixSchema),
  requirementCatalogue: lazy<RequirementCatalogue>(requirementCatalogueSchema),
  principalsFile: lazy<PrincipalsFile>(principalsFileSchema),
  casesFile: lazy<CasesFile>(casesFileSchema),
  surfaceCasesFile: lazy<SurfaceCasesFile>(surfaceCasesFileSchema),
  environment: lazy<Record<string, string>>(environmentSchema),
  expectationsFile: lazy<ExpectationsFile>(expectationsFileSchema),
  regressionsFile: lazy<RegressionsFile>(regressionsFileSchema),
  /** Any conformance.json this version reads (schemas/report.ts); src/core/read-report.ts brings version 1 up to date. */
  conformanceReport: lazy<unknown>(conformanceReportSchema),
  failure: lazy<unknown>(failureSchema),
  oracles: lazy<unknown>(oraclesSchema),
  /** compare.json (schemas/compare-report.ts). */
  compareReport: lazy<unknown>(compareReportSchema),
  /** The runtime file a run hands its workers (schemas/runtime.ts). */
  runtime: lazy<unknown>(runtimeSchema),
  /** fixtures/defects.json: the defect modes and the fault model (schemas/defects.ts). */
  defectsFile: lazy<DefectsFile>(defectsFileSchema),
};

/** fixtures/defects.json, schema-checked: the one way anything reads the defect catalogue. */
export function loadDefectsFile(): DefectsFile {
  return loadValidated(`${ROOT}fixtures/defects.json`, validators.defectsFile, 'defect catalogue');
}

/** One line per ajv error: `/path: message`, the way a failure report shows it. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'enum' ? ` (${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues).slice(0, 80)}…)`
      : e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
    return `${e.instancePath || '/'}: ${e.message}${extra} [schema ${e.schemaPath}]`;
  });
}

/** Running the package's compiled JavaScript (dist/schemas/contract.js, scripts/build.mjs) rather than a clone's sources. */
export const COMPILED = import.meta.url.endsWith('.js');
/** The project's root, with a trailing separator: package.json, schemas/ and fixtures/ (a clone's, or the installed package's). */
export const ROOT = fileURLToPath(new URL(COMPILED ? '../..' : '..', import.meta.url));

/** A module of the suite by its source path ('server/process.ts'): the source in a clone, its compiled file in dist/ in the package. */
export function modulePath(source: string): string {
  return COMPILED ? join(ROOT, 'dist', source.replace(/\.ts$/, '.js')) : join(ROOT, source);
}

/** Reads a JSON data file and validates it, failing with one readable message naming the file. */
export function loadValidated<T>(path: string, validate: ValidateFunction<T>, what: string): T {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${what} ${path} cannot be read as JSON: ${(e as Error).message}`);
  }
  if (!validate(data)) throw new ConfigError(`${what} ${path} is invalid:\n  ${describeErrors(validate.errors).join('\n  ')}`);
  return data as T;
}

/** Bad input from the user (environment, files): printed as one message, exit code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const permissionMatrix = loadValidated(`${ROOT}schemas/permissions.json`, validators.permissionMatrix, 'permission matrix');
type Cell = { permissions: string[]; uncertain: string[]; undocumented: string[] };
/** Every permission name the matrix knows, in any cell (allowed, uncertain or undocumented): what a principals file may name. */
export const KNOWN_PERMISSIONS: readonly string[] = [...new Set(Object.values(permissionMatrix.operations).flatMap((op) =>
  PRINCIPAL_TYPES.flatMap((t) => { const cell = op[t] as Cell; return [...cell.permissions, ...cell.uncertain, ...cell.undocumented]; })))].sort();
export const catalogue = loadValidated(`${ROOT}schemas/requirements.json`, validators.requirementCatalogue, 'requirement catalogue');
export const requirementsById = new Map<string, Requirement>(catalogue.requirements.map((r) => [r.id, r]));

export function requirement(id: string): Requirement {
  const r = requirementsById.get(id);
  if (!r) throw new Error(`unknown requirement ${id}: add it to schemas/requirements.json`);
  return r;
}

export type Decision = 'allowed' | 'denied' | 'uncertain' | 'undocumented';

/**
 * What the matrix says about a principal calling an operation: allowed when it holds a listed permission,
 * uncertain when it only holds one the sources disagree on, undocumented when it only holds one no source lists
 * for this operation but the neighbouring operations accept (it should be refused, tentatively), denied
 * otherwise (personal accounts: always).
 */
export function decide(op: Operation, type: PrincipalType, permissions: readonly string[]): Decision {
  const cell = permissionMatrix.operations[op][type] as Cell;
  if (permissions.some((p) => cell.permissions.includes(p))) return 'allowed';
  if (permissions.some((p) => cell.uncertain.includes(p))) return 'uncertain';
  if (permissions.some((p) => cell.undocumented.includes(p))) return 'undocumented';
  return 'denied';
}

/** The collection under the target's base URL. */
export const COLLECTION = '/deviceManagement/remoteActionAudits';
