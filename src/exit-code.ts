// What a run's exit code is, from its conformance report: shared by `run`, `merge` and the defect matrix.
import type { ConformanceReport } from './report/types';

export const EXIT = { ok: 0, nonConformant: 1, badInput: 2, error: 3, incomplete: 4 } as const;

export function exitCodeFor(report: ConformanceReport, strict: boolean): number {
  if ((report.summary.errored ?? 0) > 0) return EXIT.error;
  // Expectations that no longer hold fail the run until the file is updated.
  if ((report.expectations?.unexpectedPasses.length ?? 0) + (report.expectations?.unknownEntries.length ?? 0) > 0) return EXIT.nonConformant;
  const gating = report.requirements.filter((r) => r.status === 'failed' && r.level !== 'MAY' && (strict || (r.level === 'MUST' && !r.tentative)));
  return gating.length > 0 ? EXIT.nonConformant : EXIT.ok;
}
