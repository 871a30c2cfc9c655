// How a reader replays what the suite did: the one place that words a replay (a run's seed, a property's seed and
// path, a defect of the matrix), so every report, page and console line says it the same way.
export interface PropertyRun { seed: number; path: string; numRuns: number }

/** The setting that replays a run, every generated payload included: `CONFORMANCE_SEED=42`. */
export const seedSetting = (seed: number) => `CONFORMANCE_SEED=${seed}`;

/** A property's replay: the run's seed, and where fast-check's path leads within it. */
export const propertyReplay = (p: PropertyRun) => `${seedSetting(p.seed)} (fast-check seed ${p.seed}, path "${p.path}", ${p.numRuns} runs)`;

/** The command that runs the suite against one defect mode (or the clean server) alone, with the matrix's seed. */
export const defectReplay = (defect: string | undefined, seed: number | undefined) =>
  `node bin/raa-conformance.mjs run --strict${defect ? ` --defects ${defect}` : ''}${seed !== undefined ? ` --seed ${seed}` : ''}`;
