// The defect matrix runs once per self-test run: a worker restarted after a failed verdict reads the run its
// predecessor stored instead of starting another. The stored run is reused only when its stamp names this very
// self-test run (RAA_SELF_RUN, fresh per run: src/core/settings.ts selfRunName).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface StoredRun<R> { selfRun: string; run: R }

/** The run stored in `stampFile` when it was made by the self-test run `selfRun`; undefined otherwise. */
export function storedRun<R>(stampFile: string, selfRun: string | undefined): R | undefined {
  if (!selfRun || !existsSync(stampFile)) return undefined;
  const earlier = JSON.parse(readFileSync(stampFile, 'utf8')) as StoredRun<R>;
  return earlier.selfRun === selfRun ? earlier.run : undefined;
}

export function storeRun<R>(stampFile: string, selfRun: string | undefined, run: R): void {
  writeFileSync(stampFile, JSON.stringify({ selfRun: selfRun ?? '', run }));
}
