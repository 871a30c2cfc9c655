// Compares two conformance reports (e.g. main vs. a PR) requirement by requirement and test by test.
// Timings (durationMs, startedAt) never count as a change: they differ on every run.
import type { ConformanceReport, RequirementLevel, RequirementResult, RequirementStatus, TestResult, TestStatus } from '../core/report-types';

export interface RequirementChange {
  id: string;
  level: RequirementLevel;
  title: string;
  before?: RequirementStatus; // absent for new requirements
  after?: RequirementStatus; // absent for gone requirements
  /** Titles of tests failing/erroring in head that were not failing/erroring (or absent) in base. */
  newlyFailingTests: string[];
}

export interface TestChange {
  requirementId: string;
  title: string;
  status: TestStatus; // head status for new tests, base status for gone tests
}

export interface Diff {
  base: { startedAt: string; target: string; suiteVersion: string };
  head: { startedAt: string; target: string; suiteVersion: string };
  regressed: RequirementChange[];
  fixed: RequirementChange[];
  newRequirements: RequirementChange[];
  gone: RequirementChange[];
  otherChanges: RequirementChange[];
  newTests: TestChange[];
  goneTests: TestChange[];
  unchanged: number;
}

const failing = (s: TestStatus | undefined) => s === 'failed' || s === 'errored';

// Duplicate test titles inside one requirement are legal (parametrised tests); the n-th occurrence pairs with the n-th.
function keyedTests(tests: TestResult[]): Map<string, TestResult> {
  const seen = new Map<string, number>(), out = new Map<string, TestResult>();
  for (const t of tests) {
    const n = seen.get(t.title) ?? 0;
    seen.set(t.title, n + 1);
    out.set(n ? `${t.title}\u0000${n}` : t.title, t);
  }
  return out;
}

const meta = (r: ConformanceReport) => ({ startedAt: r.startedAt, target: r.target, suiteVersion: r.suiteVersion });
const change = (r: RequirementResult, before?: RequirementStatus, after?: RequirementStatus, newlyFailingTests: string[] = []): RequirementChange =>
  ({ id: r.id, level: r.level, title: r.title, before, after, newlyFailingTests });

export function diffReports(base: ConformanceReport, head: ConformanceReport): Diff {
  const d: Diff = { base: meta(base), head: meta(head), regressed: [], fixed: [], newRequirements: [], gone: [], otherChanges: [], newTests: [], goneTests: [], unchanged: 0 };
  const baseById = new Map(base.requirements.map((r) => [r.id, r]));
  const headIds = new Set(head.requirements.map((r) => r.id));

  for (const h of head.requirements) {
    const b = baseById.get(h.id);
    if (!b) {
      d.newRequirements.push(change(h, undefined, h.status));
      for (const t of h.tests) d.newTests.push({ requirementId: h.id, title: t.title, status: t.status });
      continue;
    }
    const bt = keyedTests(b.tests), ht = keyedTests(h.tests);
    const newlyFailing: string[] = [];
    for (const [k, t] of ht) {
      const prev = bt.get(k);
      if (!prev) d.newTests.push({ requirementId: h.id, title: t.title, status: t.status });
      if (failing(t.status) && !failing(prev?.status)) newlyFailing.push(t.title);
    }
    for (const [k, t] of bt) if (!ht.has(k)) d.goneTests.push({ requirementId: h.id, title: t.title, status: t.status });

    const c = change(h, b.status, h.status, newlyFailing);
    // A newly failing test is a regression even when the requirement was already red: it is a new defect.
    if ((h.status === 'failed' && b.status !== 'failed') || newlyFailing.length) d.regressed.push(c);
    else if (b.status === 'failed' && h.status === 'passed') d.fixed.push(c);
    else if (b.status !== h.status) d.otherChanges.push(c);
    else d.unchanged++;
  }
  for (const b of base.requirements) {
    if (headIds.has(b.id)) continue;
    d.gone.push(change(b, b.status, undefined));
    for (const t of b.tests) d.goneTests.push({ requirementId: b.id, title: t.title, status: t.status });
  }
  return d;
}

/** Only `regressed` gates CI; a new requirement that fails is reported under `newRequirements`, not as a regression. */
export function hasRegression(d: Diff): boolean {
  return d.regressed.length > 0;
}

const arrow = (c: RequirementChange) => `${c.before ?? '—'} → ${c.after ?? '—'}`;

function counts(d: Diff): Array<[string, number]> {
  return [['regressed', d.regressed.length], ['fixed', d.fixed.length], ['new', d.newRequirements.length], ['gone', d.gone.length],
    ['other changes', d.otherChanges.length], ['unchanged', d.unchanged], ['new tests', d.newTests.length], ['gone tests', d.goneTests.length]];
}

function sections(d: Diff): Array<[string, RequirementChange[]]> {
  return [['Regressed', d.regressed], ['Fixed', d.fixed], ['New requirements', d.newRequirements], ['Gone requirements', d.gone], ['Other status changes', d.otherChanges]];
}

export function renderDiffText(d: Diff): string {
  const out = [
    `Conformance diff: base ${d.base.startedAt} (${d.base.target}) → head ${d.head.startedAt} (${d.head.target})`,
    counts(d).map(([k, n]) => `${k} ${n}`).join(', '),
    hasRegression(d) ? 'RESULT: REGRESSION' : 'RESULT: no regression',
  ];
  for (const [name, list] of sections(d)) {
    if (!list.length) continue;
    out.push('', `${name}:`);
    for (const c of list) {
      out.push(`  ${c.level.padEnd(6)} ${c.id}  ${arrow(c)}  ${c.title}`);
      for (const t of c.newlyFailingTests) out.push(`         newly failing: ${t}`);
    }
  }
  for (const [name, list] of [['New tests', d.newTests], ['Gone tests', d.goneTests]] as const) {
    if (!list.length) continue;
    out.push('', `${name}:`, ...list.map((t) => `  ${t.requirementId}  [${t.status}]  ${t.title}`));
  }
  return out.join('\n') + '\n';
}

// Job summaries render Markdown *and* raw HTML, so report text must not be able to inject tags or break table cells.
const md = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const mdCode = (s: string) => `\`${s.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}\``;

export function renderDiffMarkdown(d: Diff): string {
  const out = [
    `## Conformance diff ${hasRegression(d) ? '— ❌ regression' : '— ✅ no regression'}`,
    '',
    `Base \`${md(d.base.startedAt)}\` (${md(d.base.target)}, ${md(d.base.suiteVersion)}) → head \`${md(d.head.startedAt)}\` (${md(d.head.target)}, ${md(d.head.suiteVersion)})`,
    '',
    `| ${counts(d).map(([k]) => k).join(' | ')} |`,
    `|${counts(d).map(() => '---:').join('|')}|`,
    `| ${counts(d).map(([, n]) => n).join(' | ')} |`,
  ];
  for (const [name, list] of sections(d)) {
    if (!list.length) continue;
    out.push('', `### ${name} (${list.length})`, '', '| Requirement | Level | Before → After | Title |', '|---|---|---|---|');
    for (const c of list) {
      const extra = c.newlyFailingTests.length ? `<br>newly failing: ${c.newlyFailingTests.map(md).join('; ')}` : '';
      out.push(`| ${mdCode(c.id)} | ${c.level} | ${arrow(c)} | ${md(c.title)}${extra} |`);
    }
  }
  for (const [name, list] of [['New tests', d.newTests], ['Gone tests', d.goneTests]] as const) {
    if (!list.length) continue;
    out.push('', `<details><summary>${name} (${list.length})</summary>`, '', '| Requirement | Status | Test |', '|---|---|---|',
      ...list.map((t) => `| ${mdCode(t.requirementId)} | ${t.status} | ${md(t.title)} |`), '', '</details>');
  }
  if (!d.regressed.length && !d.fixed.length && !d.newRequirements.length && !d.gone.length && !d.otherChanges.length) {
    out.push('', '_No requirement status changes._');
  }
  return out.join('\n') + '\n';
}
