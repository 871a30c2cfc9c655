// Named deviations a real implementation could plausibly ship. Each is consulted in the layer where that
// behaviour lives, so a defect breaks the server the way a real bug would. The catalogue is data:
// fixtures/defects.json lists each with the requirements it must make fail (the defect matrix checks it).
import { readFileSync } from 'node:fs';
import { ConfigError, ROOT } from '../schemas/contract';

/**
 * Every defect's name, so that a misspelt `defects.has('…')` anywhere in server/ fails to compile. The catalogue
 * (fixtures/defects.json) stays the source: tests/self/catalogue.spec.ts fails when the two lists differ.
 */
export const DEFECT_NAMES = [
  'create-returns-200', 'content-type-text-plain', 'location-missing', 'method-not-allowed-400',
  'device-imei-dropped', 'user-name-from-initiator', 'action-state-as-number', 'astral-characters-replaced',
  'id-missing', 'id-reused', 'datetime-millisecond-precision', 'datetime-microsecond-precision',
  'datetime-offset-preserved', 'datetime-offset-minutes-ignored', 'datetime-sql-datetime-range',
  'datetime-unix-32bit', 'datetime-offset-overflow-500', 'long-strings-truncated', 'empty-string-stored-as-null',
  'strings-nfc-normalised', 'strings-trimmed', 'newer-properties-ignored', 'newer-properties-refused',
  'nulls-omitted', 'enum-case-insensitive', 'enum-whitespace-trimmed', 'action-state-shares-enum-table',
  'category-enum-unchecked', 'types-coerced', 'nulls-accepted', 'unknown-properties-swallowed',
  'odata-type-unchecked', 'datetime-unchecked', 'datetime-offset-optional', 'malformed-json-accepted',
  'media-type-unchecked', 'sentinel-accepted', 'auth-missing-accepted', 'auth-signature-unchecked',
  'auth-expiry-unchecked', 'auth-audience-unchecked', 'auth-error-code-generic', 'personal-accounts-allowed',
  'tenant-isolation-dropped', 'listed-permission-refused', 'read-permission-can-write',
  'undocumented-permission-allowed', 'denied-with-401', 'error-body-not-graph', 'apostrophe-in-device-id-crashes',
  'no-request-id', 'client-request-id-not-echoed', 'enum-tail-leaked', 'newer-members-refused', 'get-leaks-tail',
  'odata-context-missing', 'metadata-property-missing', 'metadata-wrong-type', 'metadata-enum-reordered',
  'metadata-sentinel-misplaced', 'metadata-text-plain', 'metadata-navigation-uncontained', 'list-first-page-only',
  'nextlink-skips-record', 'nextlink-repeats-record', 'top-ignored', 'get-serves-stale-cache',
  'read-drops-newer-properties', 'get-unknown-id-200', 'update-replaces-record', 'update-skips-validation',
  'update-returns-stale', 'update-sentinel-stored', 'update-upserts', 'update-returns-204',
  'update-minimal-200-empty', 'update-id-applied', 'update-id-overwrites', 'delete-returns-200', 'delete-soft',
  'delete-unknown-id-204',
  // issue-oracles: the every-response oracles
  'www-authenticate-missing', 'allow-header-missing', 'error-envelope-innererror-mismatch', 'stack-trace-in-error', 'parser-exception-in-error', 'request-id-missing-on-errors', 'location-names-other-record', 'error-content-type-missing',
  // issue-surface (issue 22): the request surface beyond the body, and paging across the server's own boundary
  'key-percent-decoding-500', 'content-type-parameters-refused', 'accept-parameters-406', 'prefer-unknown-refused', 'create-minimal-201-empty', 'own-pages-skip-record', 'own-pages-repeat-record',
  // issue-model: what a write leaves behind, and races between concurrent requests
  'refused-patch-half-applied', 'deleted-still-listed', 'concurrent-create-id-race', 'concurrent-patch-lost-update', 'concurrent-delete-blanks-first',
] as const;

export type DefectName = (typeof DEFECT_NAMES)[number];

export type Defects = ReadonlySet<DefectName>;

export const NO_DEFECTS: Defects = new Set();

/** Every defect name fixtures/defects.json declares. */
export function knownDefects(): string[] {
  const file = JSON.parse(readFileSync(`${ROOT}fixtures/defects.json`, 'utf8')) as { defects: { name: string }[] };
  return file.defects.map((d) => d.name);
}

/** A comma-separated list of defect names; a name the catalogue does not declare is a typo, not a clean server. */
export function parseDefects(list: string | undefined): Set<DefectName> {
  const names = new Set((list ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  if (names.size === 0) return new Set();
  const known = new Set(knownDefects());
  const unknown = [...names].filter((n) => !known.has(n));
  if (unknown.length) throw new ConfigError(`unknown defect${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: see fixtures/defects.json`);
  return names as Set<DefectName>;
}

/** What a server that implements exactly the seed's contract does differently from today's Graph (REFERENCE_CONTRACT=seed). */
export const SEED_CONTRACT: readonly DefectName[] = ['newer-properties-refused', 'newer-members-refused'];
