// The run's verdict and exit code, from its conformance report: shared by `run`, `merge`, the reporter and the
// defect matrix. One word a pipeline can gate on, and one line a person can act on.
import type { ConformanceReport, RequirementResult, Verdict } from '../core/report-types';

export const EXIT = { ok: 0, nonConformant: 1, badInput: 2, error: 3, incomplete: 4 } as const;

export interface RunVerdict {
  verdict: Verdict;
  exit: number;
  /** The last line of the run: the verdict and why. */
  line: string;
}

const isGating = (r: Pick<RequirementResult, 'level' | 'tentative'>, strict: boolean) => r.level !== 'MAY' && (strict || (r.level === 'MUST' && !r.tentative));

const list = (ids: string[], max = 6) => `${ids.slice(0, max).join(', ')}${ids.length > max ? `, … (${ids.length - max} more)` : ''}`;

/** What stood in the way of the untested gating requirements, grouped by reason: the line says how to fix it. */
function untestedWhy(reqs: RequirementResult[]): string {
  const byReason = new Map<string, string[]>();
  for (const r of reqs) {
    const why = r.status === 'blocked' ? `blocked by ${(r.blockedBy ?? []).join(', ') || 'another requirement'}` : (r.reason ?? 'not tested');
    byReason.set(why, [...(byReason.get(why) ?? []), r.id]);
  }
  return [...byReason].map(([why, ids]) => `${why}: ${list(ids)}`).join('; ');
}

export function verdictFor(report: ConformanceReport, strict: boolean, allowPartial = report.allowPartial ?? false): RunVerdict {
  const reqs = report.requirements;
  // A run that ran nothing has nothing to say, whatever it was asked.
  if (!reqs.some((r) => r.tests.length > 0)) {
    return { verdict: 'INCONCLUSIVE', exit: EXIT.error, line: `INCONCLUSIVE: no test ran${report.selection ? ` (the selection ${report.selection} matched none)` : ' (the suite did not load its tests: see the errors above)'}` };
  }
  const gating = reqs.filter((r) => r.status === 'failed' && isGating(r, strict));
  const errored = report.summary.errored ?? 0;
  const inconclusive = reqs.filter((r) => r.status === 'inconclusive');
  const noVerdict = errored + inconclusive.length > 0 ? ` (and ${inconclusive.length || errored} ${inconclusive.length ? 'requirement(s) inconclusive' : 'test(s) errored'})` : '';
  const narrowed = report.selection ? ` in a narrowed run (${report.selection})` : '';
  if (gating.length) {
    return { verdict: 'NOT CONFORMANT', exit: EXIT.nonConformant, line: `NOT CONFORMANT: ${gating.length} ${strict ? 'MUST/SHOULD' : 'MUST'} requirement(s) failed${narrowed}: ${list(gating.map((r) => r.id))}${noVerdict}` };
  }
  // Expectations that no longer hold fail the run until the file is updated.
  const stale = [...(report.expectations?.unexpectedPasses ?? []), ...(report.expectations?.unknownEntries ?? [])];
  if (stale.length) return { verdict: 'NOT CONFORMANT', exit: EXIT.nonConformant, line: `NOT CONFORMANT: the expectations file no longer matches the target: ${list(stale)}` };
  if (errored || inconclusive.length) {
    const why = inconclusive.map((r) => r.reason).find(Boolean);
    return { verdict: 'INCONCLUSIVE', exit: EXIT.error, line: `INCONCLUSIVE: ${inconclusive.length} requirement(s) reached no verdict${errored ? `, ${errored} test(s) errored` : ''}${why ? ` (${why})` : ''}: ${list(inconclusive.map((r) => r.id))}` };
  }
  // Blocked only by failures the expectations file accepts: the known deviation covers what it hides.
  const expected = new Set(reqs.filter((r) => r.status === 'expected-failure').map((r) => r.id));
  const behindKnown = (r: RequirementResult) => r.status === 'blocked' && (r.blockedBy ?? []).length > 0 && r.blockedBy!.every((b) => expected.has(b));
  const hidden = reqs.filter((r) => isGating(r, strict) && behindKnown(r));
  // Whatever kept it from running (configuration, the target's answers, the profile), a gating requirement that
  // was not wholly tested is never CONFORMANT; only one the user left out on purpose (a narrowed run) is.
  const untested = reqs.filter((r) => isGating(r, strict) && !behindKnown(r) && (r.status === 'blocked' || r.status === 'partial'
    || ((r.status === 'not-tested' || r.status === 'skipped' || r.status === 'untested') && (r.notTested === undefined ? !report.selection : r.notTested !== 'filtered' && r.notTested !== 'inapplicable'))));
  const level = strict ? 'MUST/SHOULD' : 'MUST';
  if (untested.length && !allowPartial) {
    return { verdict: 'INCOMPLETE', exit: EXIT.incomplete, line: `INCOMPLETE: ${untested.length} ${level} requirement(s) not wholly tested (${untestedWhy(untested)}); --allow-partial accepts this` };
  }
  const selected = reqs.filter((r) => r.notTested !== 'filtered').length;
  const informational = reqs.filter((r) => r.status === 'failed');
  const nonGating = informational.length ? `; ${informational.length} failed without gating (${list(informational.map((r) => `${r.id} ${r.level}${r.tentative ? ' tentative' : ''}`))})` : '';
  if (untested.length || hidden.length || report.selection) {
    const parts = [report.selection ? `${selected} of ${reqs.length} requirements selected (${report.selection})` : '',
      untested.length ? `${untested.length} ${level} requirement(s) not tested, accepted by --allow-partial (${untestedWhy(untested)})` : '',
      hidden.length ? `${hidden.length} ${level} requirement(s) blocked by known deviations of the expectations file (${untestedWhy(hidden)})` : ''].filter(Boolean);
    return { verdict: 'PARTIAL', exit: EXIT.ok, line: `PARTIAL: ${parts.join('; ')}; nothing that ran and gates failed${nonGating}` };
  }
  const counts = (['MUST', 'SHOULD', 'MAY'] as const).map((l) => `${reqs.filter((r) => r.level === l).length} ${l}`).join(', ');
  return { verdict: 'CONFORMANT', exit: EXIT.ok, line: `CONFORMANT: every requirement that gates${strict ? ' (strict)' : ''} was tested and passed (${counts})${nonGating}` };
}

export function exitCodeFor(report: ConformanceReport, strict: boolean): number {
  return verdictFor(report, strict).exit;
}
