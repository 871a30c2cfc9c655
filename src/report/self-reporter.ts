// Closes `npm test` with the one line CI reads: `N passed, N failed, N skipped`, after any tables the
// self-tests attached (the defect matrix, catalogue coverage). A test attaches a whole table as `table:<title>`,
// or one row of a shared table as `row:<table>` (JSON, see TableRow): rows are grouped into one table per name,
// with a header and, when rows carry a score label, a closing `<label>: N/M` line (e.g. `defects caught: 24/24`).
import type { FullResult, Reporter, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setting } from '../core/settings';

/** The JSON body of a `row:<table>` attachment. */
export interface TableRow {
  /** Column name → cell text; the first row's keys give the column order. */
  cells: Record<string, string>;
  /** Rows are sorted by this, then by their first cell. */
  order?: number;
  /** Counts towards the score line when the row carries `score`. */
  ok?: boolean;
  /** The score line's label, e.g. `defects caught`. */
  score?: string;
}

export function renderRows(title: string, rows: TableRow[]): string {
  const sorted = [...rows].sort((a, b) => (a.order ?? 0) - (b.order ?? 0) || String(Object.values(a.cells)[0]).localeCompare(String(Object.values(b.cells)[0])));
  const columns = [...new Set(sorted.flatMap((r) => Object.keys(r.cells)))];
  const width = columns.map((c) => Math.max(c.length, ...sorted.map((r) => (r.cells[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(width[i]!))).join('  ').trimEnd();
  const out = [title, line(columns), line(width.map((w) => '-'.repeat(w))), ...sorted.map((r) => line(columns.map((c) => r.cells[c] ?? '')))];
  const label = sorted.find((r) => r.score)?.score;
  if (label) out.push('', `${label}: ${sorted.filter((r) => r.score && r.ok).length}/${sorted.filter((r) => r.score).length}`);
  return out.join('\n');
}

/** A skip CI expects (tests/self/expected-skips.json): the spec file, the test's title and why it may skip. */
export interface ExpectedSkip { file: string; title: string; reason: string }

/** A skipped test: where, and the reason it gave (its `skip` annotation). */
export interface Skip { file: string; title: string; reason: string }

export const EXPECTED_SKIPS_FILE = join('tests', 'self', 'expected-skips.json');

/** The allow-list of skips, validated by shape: every entry names a file, a title and a reason. */
export function loadExpectedSkips(path: string): ExpectedSkip[] {
  if (!existsSync(path)) return [];
  const { skips } = JSON.parse(readFileSync(path, 'utf8')) as { skips: ExpectedSkip[] };
  const bad = skips.filter((s) => !s.file || !s.title || !s.reason?.trim());
  if (bad.length) throw new Error(`${path}: every expected skip needs a file, a title and a reason (${JSON.stringify(bad[0])})`);
  return skips;
}

/** The skips no entry of `expected` allows: under CI each fails the run, named with the reason it gave. */
export function unexpectedSkips(skips: Skip[], expected: ExpectedSkip[]): Skip[] {
  return skips.filter((s) => !expected.some((e) => e.file === s.file && e.title === s.title));
}

/** The test's spec file from the project's root, e.g. `tests/self/nightly.spec.ts`. */
const specFile = (test: TestCase) => test.location.file.replace(/^.*?(tests\/)/, '$1');

/** `file:line › title (status, N s): first line of the error`: enough to find and rerun the test. */
export function failureLine(test: TestCase, result: TestResult): string {
  const where = `${specFile(test)}:${test.location.line}`;
  const first = (result.error?.message ?? '').replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim()) ?? '';
  const seconds = Math.round(result.duration / 1000);
  return `  ${where} › ${test.title} (${result.status}, ${seconds} s)${first ? `: ${first.trim().slice(0, 300)}` : ''}`;
}

export default class SelfReporter implements Reporter {
  private passed = 0;
  private failed = 0;
  private skipped = 0;
  private readonly tables: { title: string; text: string }[] = [];
  private readonly rows = new Map<string, TableRow[]>();
  /** One line per unexpected outcome, printed just above the count so a log's tail names what failed. */
  private readonly failures: string[] = [];
  private readonly skips: Skip[] = [];

  private readonly loadStart = loadavg();
  /** Test time per spec file, summed over its tests (both workers): where `npm test`'s time goes (bench figure 9). */
  private readonly fileMs = new Map<string, number>();

  /** An error outside any test (a file that does not load, a test.only under forbidOnly): named above the count. */
  onError(error: TestError): void {
    const first = (error.message ?? '').replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim()) ?? 'error';
    this.failures.push(`  ${error.location ? `${error.location.file.replace(/^.*?(tests\/)/, '$1')}:${error.location.line}: ` : ''}${first.trim().slice(0, 300)}`);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // outcome() counts a test.fail() that failed as expected as a pass, like Playwright's own summary.
    const outcome = test.outcome();
    this.fileMs.set(specFile(test), (this.fileMs.get(specFile(test)) ?? 0) + result.duration);
    if (outcome === 'skipped') {
      this.skipped++;
      this.skips.push({ file: specFile(test), title: test.title, reason: test.annotations.find((a) => a.type === 'skip')?.description ?? '(no reason given)' });
    }
    else if (outcome === 'unexpected') {
      this.failed++;
      this.failures.push(failureLine(test, result));
    }
    else this.passed++;
    for (const a of result.attachments) {
      if (a.name.startsWith('table:') && a.body) this.tables.push({ title: a.name.slice(6), text: a.body.toString('utf8') });
      if (a.name.startsWith('row:') && a.body) {
        const table = a.name.slice(4);
        let row: TableRow;
        try { row = JSON.parse(a.body.toString('utf8')) as TableRow; } catch { row = { cells: { row: a.body.toString('utf8') } }; }
        this.rows.set(table, [...(this.rows.get(table) ?? []), row]);
      }
    }
  }

  async onEnd(result: FullResult): Promise<{ status: FullResult['status'] } | undefined> {
    // A file that fails to load runs no test but must still count as a failure.
    if (result.status !== 'passed' && this.failed === 0) this.failed = 1;
    // CI runs every self-test: a skip nobody listed (with its reason) hides a test that proves nothing there.
    const surprises = setting('CI') ? unexpectedSkips(this.skips, loadExpectedSkips(join(process.cwd(), EXPECTED_SKIPS_FILE))) : [];
    for (const s of surprises) this.failures.push(`  ${s.file} › ${s.title} (skipped, not in ${EXPECTED_SKIPS_FILE}): ${s.reason}`);
    for (const [title, rows] of this.rows) this.tables.push({ title, text: renderRows(title, rows) });
    for (const t of this.tables.sort((a, b) => a.title.localeCompare(b.title))) process.stdout.write(`\n${t.text.trimEnd()}\n`);
    if (this.failures.length) process.stdout.write(`\nfailed:\n${this.failures.join('\n')}\n`);
    process.stdout.write(`\n${this.passed} passed, ${this.failed} failed, ${this.skipped} skipped${surprises.length ? ` (${surprises.length} unexpected under CI)` : ''}\n`);
    // `npm run bench` shows how long the last whole self-test run took here, and how many tests it held (figure 9).
    if (setting('RAA_SELF_WHOLE')) this.keepSummary(result);
    return surprises.length ? { status: 'failed' } : undefined;
  }

  private keepSummary(result: FullResult): void {
    const dir = join(process.cwd(), 'reports', 'self');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({
      startedAt: result.startTime.toISOString(), durationMs: Math.round(result.duration), passed: this.passed, failed: this.failed, skipped: this.skipped,
      cpus: cpus().length, loadavgStart: this.loadStart, loadavgEnd: loadavg(),
      fileMs: Object.fromEntries([...this.fileMs].sort((a, b) => b[1] - a[1]).map(([f, ms]) => [f, Math.round(ms)])),
    }, null, 2) + '\n');
  }

  printsToStdio(): boolean {
    return true;
  }
}
