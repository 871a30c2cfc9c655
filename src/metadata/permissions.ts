// Microsoft's published permissions data (Kibali format: permission → schemes, pathSets of methods and paths) for
// /deviceManagement/remoteActionAudits: cutting the resource's slice out of a whole document, deriving who may call
// each operation, and comparing that with schemas/permissions.json (the matrix the suite judges targets by).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ROOT, permissionMatrix as suiteMatrix, type Operation, type PermissionMatrix, type PrincipalType } from '../contract';
import { OPERATIONS, PRINCIPAL_TYPES } from '../../schemas/suite';

export interface PathSet { schemeKeys: string[]; methods: string[]; paths: Record<string, unknown>; [member: string]: unknown }
export interface Permission { schemes: Record<string, unknown>; pathSets: PathSet[]; [member: string]: unknown }
export interface PermissionsDocument { $schema?: string; $comment?: string; permissions: Record<string, Permission> }

/** The checked-in slice, its provenance and the cells where the docs pages and the data disagree. */
export const SLICE_FILE = join(ROOT, 'fixtures/permissions/remoteActionAudits.permissions.json');
export const DISAGREEMENTS_FILE = join(ROOT, 'fixtures/permissions/disagreements.json');

/** The data's scheme keys, as the matrix names principal types. */
export const SCHEME_TYPES: Record<string, PrincipalType> = { Application: 'application', DelegatedWork: 'delegated-work', DelegatedPersonal: 'delegated-personal' };
/** "N/A" marks a scheme nothing grants (DelegatedPersonal in older files): not a permission. */
const NOT_A_PERMISSION = 'N/A';

/** `collection` or `item` for the resource's two paths, whatever their case or the name of the key parameter. */
export function resourcePath(path: string): 'collection' | 'item' | undefined {
  const p = path.toLowerCase().replace(/\{[^}]*\}/g, '{id}').replace(/\/+$/, '');
  if (p === '/devicemanagement/remoteactionaudits') return 'collection';
  if (p === '/devicemanagement/remoteactionaudits/{id}') return 'item';
  return undefined;
}

/** The operation a method on one of the resource's paths is; undefined for a method the suite has no operation for. */
export function operationOf(method: string, path: 'collection' | 'item'): Operation | undefined {
  const m = method.toUpperCase();
  if (path === 'collection') return m === 'GET' ? 'list' : m === 'POST' ? 'create' : undefined;
  return m === 'GET' ? 'get' : m === 'PATCH' ? 'update' : m === 'DELETE' ? 'delete' : undefined;
}

/** Checks the shape this module reads; anything else is one line naming the source (exit 2). */
export function asPermissionsDocument(data: unknown, source: string): PermissionsDocument {
  const bad = (why: string) => new ConfigError(`drift: ${source} is not a permissions document (${why})`);
  const perms = (data as { permissions?: unknown })?.permissions;
  if (!perms || typeof perms !== 'object' || Array.isArray(perms)) throw bad('no "permissions" object');
  for (const [name, p] of Object.entries(perms as Record<string, Permission>)) {
    if (!Array.isArray(p?.pathSets)) throw bad(`${name} has no pathSets array`);
    for (const s of p.pathSets) if (!Array.isArray(s.schemeKeys) || !Array.isArray(s.methods) || !s.paths || typeof s.paths !== 'object') throw bad(`a pathSet of ${name} lacks schemeKeys, methods or paths`);
  }
  return data as PermissionsDocument;
}

/**
 * The document cut down to the resource: each permission keeps its members verbatim, its pathSets only those that
 * name one of the resource's paths, and those only the resource's paths. Permissions left with no pathSet go.
 */
export function sliceForResource(doc: PermissionsDocument): PermissionsDocument {
  const permissions: Record<string, Permission> = {};
  for (const [name, p] of Object.entries(doc.permissions)) {
    const pathSets = p.pathSets.map((s) => ({ ...s, paths: Object.fromEntries(Object.entries(s.paths).filter(([path]) => resourcePath(path))) }))
      .filter((s) => Object.keys(s.paths).length);
    if (pathSets.length) permissions[name] = { ...p, pathSets };
  }
  return { ...(doc.$schema ? { $schema: doc.$schema } : {}), permissions };
}

/** Several documents as one (Microsoft has published one file per permission family, and one file for all). */
export function mergeDocuments(docs: PermissionsDocument[]): PermissionsDocument {
  const permissions: Record<string, Permission> = {};
  for (const d of docs) for (const [name, p] of Object.entries(d.permissions)) {
    permissions[name] = permissions[name] ? { ...permissions[name]!, pathSets: [...permissions[name]!.pathSets, ...p.pathSets] } : p;
  }
  return { ...(docs[0]?.$schema ? { $schema: docs[0].$schema } : {}), permissions };
}

/** One thing the data grants: a permission, under a scheme, a method on one of the resource's paths. */
export interface Grant { permission: string; scheme: string; method: string; path: 'collection' | 'item'; operation: Operation | undefined }

export function grantsOf(doc: PermissionsDocument): Grant[] {
  const out = new Map<string, Grant>();
  for (const [permission, p] of Object.entries(doc.permissions)) {
    if (permission === NOT_A_PERMISSION) continue;
    for (const s of p.pathSets) for (const rawPath of Object.keys(s.paths)) {
      const path = resourcePath(rawPath);
      if (!path) continue;
      for (const scheme of s.schemeKeys) for (const m of s.methods) {
        // "GET,POST" in one string is how the spec's own example writes two methods.
        for (const method of m.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean)) {
          out.set(`${permission}|${scheme}|${method}|${path}`, { permission, scheme, method, path, operation: operationOf(method, path) });
        }
      }
    }
  }
  return [...out.values()];
}

export type DerivedMatrix = Record<Operation, Record<PrincipalType, string[]>>;

/** Who may call each operation according to the data, per principal type, sorted. */
export function derivedMatrix(doc: PermissionsDocument): DerivedMatrix {
  const m = Object.fromEntries(OPERATIONS.map((op) => [op, Object.fromEntries(PRINCIPAL_TYPES.map((t) => [t, new Set<string>()]))])) as Record<Operation, Record<PrincipalType, Set<string>>>;
  for (const g of grantsOf(doc)) {
    const type = SCHEME_TYPES[g.scheme];
    if (g.operation && type) m[g.operation][type].add(g.permission);
  }
  return Object.fromEntries(OPERATIONS.map((op) => [op, Object.fromEntries(PRINCIPAL_TYPES.map((t) => [t, [...m[op][t]].sort()]))])) as DerivedMatrix;
}

export type MatrixPlace = 'permissions' | 'uncertain' | 'undocumented' | 'absent';
type Cell = { permissions: string[]; uncertain: string[]; undocumented: string[] };

/** Where the matrix puts a permission for an operation and principal type. */
export function placeIn(matrix: PermissionMatrix, op: Operation, type: PrincipalType, permission: string): MatrixPlace {
  const cell = matrix.operations[op][type] as Cell;
  return cell.permissions.includes(permission) ? 'permissions' : cell.uncertain.includes(permission) ? 'uncertain' : cell.undocumented.includes(permission) ? 'undocumented' : 'absent';
}

/** A cell where the docs pages (schemas/permissions.json) and the data disagree, with the side the suite takes. */
export interface Disagreement {
  operation: Operation;
  principalType: PrincipalType;
  permission: string;
  /** Whether the data grants the permission for this operation and principal type. */
  data: 'grants' | 'does not grant';
  /** Where schemas/permissions.json puts it. */
  matrix: MatrixPlace;
  side: 'docs' | 'data' | 'neither';
  why: string;
}

/** The disagreements as the data and the matrix give them now: a permission the data grants that the matrix does not allow, or the reverse. */
export function disagreementsBetween(derived: DerivedMatrix, matrix: PermissionMatrix): Omit<Disagreement, 'side' | 'why'>[] {
  const out: Omit<Disagreement, 'side' | 'why'>[] = [];
  for (const operation of OPERATIONS) for (const principalType of PRINCIPAL_TYPES) {
    const granted = derived[operation][principalType];
    const allowed = (matrix.operations[operation][principalType] as Cell).permissions;
    for (const permission of granted) if (!allowed.includes(permission)) out.push({ operation, principalType, permission, data: 'grants', matrix: placeIn(matrix, operation, principalType, permission) });
    for (const permission of allowed) if (!granted.includes(permission)) out.push({ operation, principalType, permission, data: 'does not grant', matrix: 'permissions' });
  }
  return out;
}

/**
 * Cell by cell, the matrix against the data: every difference must be listed in the disagreements (with the same
 * reading of both sides), and every listed disagreement must still be one. Empty when they agree.
 */
export function compareWithMatrix(derived: DerivedMatrix, matrix: PermissionMatrix, listed: Disagreement[]): string[] {
  const key = (d: Pick<Disagreement, 'operation' | 'principalType' | 'permission'>) => `${d.operation} ${d.principalType} ${d.permission}`;
  const actual = new Map(disagreementsBetween(derived, matrix).map((d) => [key(d), d]));
  const problems: string[] = [];
  for (const [k, d] of actual) {
    const l = listed.find((x) => key(x) === k);
    if (!l) problems.push(`${k}: the data ${d.data === 'grants' ? 'grants it' : 'does not grant it'}, the matrix has it ${d.matrix === 'absent' ? 'nowhere' : `in ${d.matrix}`}, and fixtures/permissions/disagreements.json does not list it`);
    else if (l.data !== d.data || l.matrix !== d.matrix) problems.push(`${k}: listed as data ${l.data} / matrix ${l.matrix}, but now data ${d.data} / matrix ${d.matrix}`);
  }
  for (const l of listed) if (!actual.has(key(l))) problems.push(`${key(l)}: listed as a disagreement, but the data and the matrix agree on it`);
  return problems;
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

export function loadSlice(): PermissionsDocument {
  return asPermissionsDocument(readJson(SLICE_FILE), SLICE_FILE);
}

export function loadDisagreements(): Disagreement[] {
  return (readJson(DISAGREEMENTS_FILE) as { disagreements: Disagreement[] }).disagreements;
}

export { suiteMatrix };
