// Named deviations a real implementation could plausibly ship. Each is consulted in the layer where that
// behaviour lives, so a defect breaks the server the way a real bug would. The catalogue is data:
// fixtures/defects.json lists each with the requirements it must make fail (the defect matrix checks it).
import { readFileSync } from 'node:fs';
import { ConfigError, ROOT } from '../schemas/contract';

export type Defects = ReadonlySet<string>;

export const NO_DEFECTS: Defects = new Set();

/** Every defect name fixtures/defects.json declares. */
export function knownDefects(): string[] {
  const file = JSON.parse(readFileSync(`${ROOT}fixtures/defects.json`, 'utf8')) as { defects: { name: string }[] };
  return file.defects.map((d) => d.name);
}

/** A comma-separated list of defect names; a name the catalogue does not declare is a typo, not a clean server. */
export function parseDefects(list: string | undefined): Set<string> {
  const names = new Set((list ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  if (names.size === 0) return names;
  const known = new Set(knownDefects());
  const unknown = [...names].filter((n) => !known.has(n));
  if (unknown.length) throw new ConfigError(`unknown defect${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: see fixtures/defects.json`);
  return names;
}

/** What a server that implements exactly the seed's contract does differently from today's Graph (REFERENCE_CONTRACT=seed). */
export const SEED_CONTRACT: readonly string[] = ['newer-properties-refused', 'newer-members-refused'];
