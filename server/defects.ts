// Named deviations a real implementation could plausibly ship. Each is consulted in the layer where that
// behaviour lives, so a defect breaks the server the way a real bug would. The catalogue is data:
// fixtures/defects.json lists each with the requirements it must make fail (the defect matrix checks it).
import { ConfigError, loadDefectsFile } from '../schemas/contract';

/**
 * Every defect's name, so that a misspelt `defects.has('…')` anywhere in server/ fails to compile. The names are
 * generated from the catalogue (fixtures/defects.json) by `npm run catalogue`; tests/self/catalogue.spec.ts fails when
 * the generated file is stale.
 */
import { DEFECT_NAMES } from './defect-names';

export { DEFECT_NAMES };

export type DefectName = (typeof DEFECT_NAMES)[number];

export type Defects = ReadonlySet<DefectName>;

export const NO_DEFECTS: Defects = new Set();

/** Every defect name fixtures/defects.json declares. */
export function knownDefects(): string[] {
  return loadDefectsFile().defects.map((d) => d.name);
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
