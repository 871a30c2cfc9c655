// The defect matrix's verdicts: given the conformance report of a run against the reference server with one
// defect, was the defect caught? Caught means: every requirement fixtures/defects.json lists for it is marked
// failed, no other MUST requirement failed (except those it names as incidental), no test errored, and the
// run's exit code under --strict is what it must be (1; or 0 for a defect that only breaks MAY requirements,
// since MAY never gates). `raa-conformance matrix` and tests/self/defect-matrix.spec.ts both judge with this.
import { loadDefectsFile, requirementsById } from '../contract';
import type { ConformanceReport } from '../core/report-types';
import { exitCodeFor } from './exit-code';
import type { DefectsFile } from '../../schemas/defects';
import { renderRows, type TableRow } from './self-reporter';
import { defectReplay } from '../core/replay';

export type Defect = DefectsFile['defects'][number];


/** The catalogue's defect modes, schema-checked (schemas/contract.ts loadDefectsFile). */
export function loadDefects(): Defect[] {
  return loadDefectsFile().defects;
}

/** The project name of the reference server without defects. */
export const CLEAN = 'clean';

/** compare's verdict on one defect mode: the differences from a clean reference, the first group, its replay. */
export interface CompareColumn {
  differences: number;
  first?: string;
  replay: string;
}

export interface Verdict {
  /** `clean` or the defect's name. */
  name: string;
  area: string;
  /** Requirements that must be marked failed (none for the clean server). */
  expected: string[];
  incidental: string[];
  ok: boolean;
  /** caught | MISSED … | OVERLAP | ERRORED … | passed | FAILED … : one word a table cell can hold. */
  result: string;
  missed: string[];
  /** MUST requirements that failed outside the defect's list (for the clean server: every failed requirement). */
  unexpected: string[];
  errored: number;
  /** The exit code `raa-conformance run --strict` gives this report, and the one it must give. */
  exit: number;
  wantExit: number;
  seconds: number;
  seed?: number;
  /** The one command that reruns this server alone with the same payloads. */
  replay: string;
  /** The differential run against this defect mode (src/cli/matrix-compare.ts); absent with --no-compare. */
  compare?: CompareColumn;
}

/** A defect's verdict with compare's column: a defect compare does not tell apart from the clean server is a miss too. */
export function withCompare(v: Verdict, c: CompareColumn | undefined): Verdict {
  if (!c) return v;
  const missed = v.name !== CLEAN && c.differences === 0;
  return { ...v, compare: c, ...(missed ? { ok: false, result: v.ok ? 'NOT TOLD APART by compare' : v.result } : {}) };
}

export function judge(defect: Defect | undefined, report: ConformanceReport | undefined, refusedByPreflight?: string): Verdict {
  const name = defect?.name ?? CLEAN;
  const expected = defect?.requirements ?? [];
  const incidental = defect?.incidental ?? [];
  // MAY never gates a run: a defect that only breaks MAY requirements shows in the report, not the exit code.
  const gating = expected.some((id) => requirementsById.get(id)?.level !== 'MAY');
  const wantExit = gating ? 1 : 0;
  const replay = defectReplay(defect ? name : undefined, report?.seed);
  const base = { name, area: defect?.area ?? '-', expected, incidental, wantExit, replay };
  if (!report) return { ...base, ok: false, result: 'ERRORED (no report)', missed: [...expected], unexpected: [], errored: 0, exit: 3, seconds: 0 };
  // A user's run would have stopped before any test, blaming the input: the defect is not caught.
  if (refusedByPreflight) return { ...base, ok: false, result: `EXIT 2 (${refusedByPreflight})`, missed: [...expected], unexpected: [], errored: 0, exit: 2, seconds: 0, seed: report.seed };
  const status = new Map(report.requirements.map((r) => [r.id, r.status]));
  const errored = report.summary.errored ?? 0;
  const exit = exitCodeFor(report, true);
  const seconds = report.durationMs / 1000;
  if (!defect) {
    const failed = report.requirements.filter((r) => r.status === 'failed').map((r) => r.id);
    const ok = failed.length === 0 && errored === 0 && exit === 0;
    return { ...base, ok, result: ok ? 'passed' : errored ? `ERRORED (${errored} errored)` : `FAILED (exit ${exit})`, missed: [], unexpected: failed, errored, exit, seconds, seed: report.seed };
  }
  const missed = expected.filter((id) => status.get(id) !== 'failed');
  const allowed = new Set([...expected, ...incidental]);
  const unexpected = report.requirements.filter((r) => r.status === 'failed' && r.level === 'MUST' && !allowed.has(r.id)).map((r) => r.id);
  const ok = missed.length === 0 && unexpected.length === 0 && errored === 0 && exit === wantExit;
  const result = ok ? 'caught'
    : errored ? `ERRORED (${errored} errored)`
    : missed.length ? `MISSED ${short(missed)}`
    : unexpected.length ? 'OVERLAP'
    : `exit ${exit}, not ${wantExit}`;
  return { ...base, ok, result, missed, unexpected, errored, exit, seconds, seed: report.seed };
}

export const short = (ids: readonly string[]) => ids.map((i) => i.replace(/^RAA-/, '')).join(' ') || '-';

/** The table's cells for one verdict: the same columns in `raa-conformance matrix` and in `npm test`. */
export function cells(v: Verdict): Record<string, string> {
  return {
    defect: v.name === CLEAN ? '(clean server)' : v.name,
    area: v.area,
    expected: v.name === CLEAN ? 'nothing fails' : [short(v.expected), ...v.incidental.map((i) => `${short([i])}?`)].join(' '),
    result: v.result,
    'other MUST failed': short(v.unexpected),
    compare: v.compare ? (v.compare.differences ? `${v.compare.differences} difference(s)` : 'no difference') : '-',
    seconds: v.seconds.toFixed(0),
    seed: String(v.seed ?? '-'),
  };
}

/** Why a verdict is not ok, in words a contributor can act on. */
export function explainVerdict(v: Verdict): string[] {
  const out: string[] = [];
  if (v.result.startsWith('ERRORED')) out.push(v.errored ? `${v.errored} test(s) errored (no verdict)` : 'the run produced no conformance report');
  if (v.missed.length) out.push(`listed requirements not marked failed: ${v.missed.join(', ')}`);
  if (v.unexpected.length) out.push(v.name === CLEAN ? `requirements failed against the clean server: ${v.unexpected.join(', ')}` : `MUST requirements failed that ${v.name} does not list (overlapping checks, or a defect broader than its name): ${v.unexpected.join(', ')}`);
  if (v.exit !== v.wantExit && !out.length) out.push(`the run would exit ${v.exit}, not ${v.wantExit}`);
  if (v.compare && v.name !== CLEAN && v.compare.differences === 0) out.push(`compare found no difference between the clean server and this one: ${v.compare.replay}`);
  out.push(`replay: ${v.replay}`);
  return out;
}

/** The matrix as a text table with its score (`defects caught: N/M`), each failure's reasons, and as Markdown. */
export function renderMatrix(verdicts: Verdict[]): { text: string; markdown: string } {
  const rows: TableRow[] = verdicts.map((v, i) => ({ order: i, cells: cells(v), ...(v.name === CLEAN ? {} : { score: 'defects caught', ok: v.ok }) }));
  const bad = verdicts.filter((v) => !v.ok).map((v) => [`${v.name}: ${v.result}`, ...explainVerdict(v).map((l) => `  ${l}`)].join('\n'));
  const text = [renderRows('defect matrix', rows), ...(bad.length ? ['', ...bad] : [])].join('\n');
  const columns = Object.keys(rows[0]?.cells ?? {});
  const markdown = ['# Defect matrix', '', `| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${columns.map((c) => r.cells[c]!.replace(/\|/g, '\\|')).join(' | ')} |`),
    '', `defects caught: ${verdicts.filter((v) => v.name !== CLEAN && v.ok).length}/${verdicts.filter((v) => v.name !== CLEAN).length}`, ''].join('\n');
  return { text, markdown };
}
