// The conformance reporter: turns Playwright results into a requirement-by-requirement verdict
// (reports/conformance.json and .md), prints the requirement summary and the closing line.
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogue } from './contract';
import { CHECK_FAILURE, isCheckFailure, plain } from './failure';
import { BLOCKED_BY, CONFIGURATION_KINDS, INCONCLUSIVE, NOT_TESTED, isInconclusive, type BlockedNote, type NotTestedNote } from './outcomes';
import { verdictFor } from './exit-code';
import { redactor } from './redact';
import { WRITES_SKIP } from './suite-constants';
import { loadRuntime, projectRuntime, type Runtime } from './runtime';
import type { ConformanceReport, Counterexample, LevelCoverage, RequirementLevel, RequirementResult, RequirementStatus, TestResult as ReportTest } from './report/types';
import { applyExpectations, loadExpectations } from './expectations';
import { renderConformanceHtml } from './report/html';
import { readDriftReport } from './drift';



/** A test's outcome: a verdict (passed, failed), no verdict (not tested, blocked, inconclusive) or the suite's own fault (errored). */
export function testStatus(result: TestResult, annotations: { type: string; description?: string }[] = result.annotations): Pick<ReportTest, 'status' | 'failure' | 'notTested' | 'blockedBy' | 'reason'> {
  if (result.status === 'passed') return { status: 'passed' };
  if (result.status === 'skipped') {
    const blocked = annotations.find((a) => a.type === BLOCKED_BY);
    if (blocked) { const n = JSON.parse(blocked.description!) as BlockedNote; return { status: 'blocked', blockedBy: n.by, reason: n.reason }; }
    const nt = annotations.find((a) => a.type === NOT_TESTED);
    if (nt) { const n = JSON.parse(nt.description!) as NotTestedNote; return { status: 'not-tested', notTested: n.kind, reason: n.reason }; }
    // A plain skip (e.g. from a pinned regression of another requirement): the reason says why.
    const reason = annotations.find((a) => a.type === 'skip')?.description;
    return { status: 'not-tested', notTested: reason?.startsWith(WRITES_SKIP) ? 'writes' : 'target', ...(reason ? { reason } : {}) };
  }
  const err = result.errors[0] ?? result.error;
  const text = plain(err?.stack ?? err?.message ?? `test ${result.status}`);
  const failure = redactor.redact(plain(err?.message ?? text)).replace(new RegExp(`^(${CHECK_FAILURE}|${INCONCLUSIVE}): `), '');
  // Only a CheckFailure is a verdict on the target; "try later" past the budget is no verdict; anything else (a
  // timeout, an unanswered request, a bug in the suite) is an error that leaves the run without a verdict.
  if (isCheckFailure(err)) return { status: 'failed', failure };
  if (isInconclusive(err)) return { status: 'inconclusive', failure };
  return { status: 'errored', failure };
}

const RANK: ReportTest['status'][] = ['failed', 'errored', 'inconclusive', 'passed', 'expected-failure', 'blocked', 'not-tested', 'skipped'];

/** A requirement's outcome from its tests' (the worst that carries information wins; see RANK). */
export function aggregate(tests: ReportTest[], selection?: string): Pick<RequirementResult, 'status' | 'reason' | 'notTested' | 'blockedBy'> {
  if (tests.length === 0) {
    // Every requirement has tests (tests/self/catalogue.spec.ts): in a run nobody narrowed, none running means the
    // suite failed to load them, which is the suite's fault and never a pass.
    return selection
      ? { status: 'not-tested', notTested: 'filtered', reason: `not selected (${selection})` }
      : { status: 'inconclusive', reason: 'none of its tests ran: the suite did not load them (see the errors above)' };
  }
  const worst = RANK.find((s) => tests.some((t) => t.status === s))!;
  const first = tests.find((t) => t.status === worst)!;
  switch (worst) {
    case 'failed': case 'passed': case 'expected-failure': return { status: worst };
    case 'errored': case 'inconclusive': return { status: 'inconclusive', reason: (worst === 'errored' ? `a test errored: ${first.failure ?? ''}` : first.failure ?? '').split('\n')[0]! };
    case 'blocked': return { status: 'blocked', blockedBy: [...new Set(tests.flatMap((t) => (t.blockedBy ? [t.blockedBy] : [])))], ...(first.reason ? { reason: first.reason } : {}) };
    default: {
      // A configuration reason (no principal, no writes) outranks "the target offered nothing": it is fixable.
      const config = tests.find((t) => t.notTested && CONFIGURATION_KINDS.includes(t.notTested)) ?? first;
      return { status: 'not-tested', notTested: config.notTested ?? 'target', ...(config.reason ? { reason: config.reason } : {}) };
    }
  }
}

/** What one project's tests found (a run has one project, a matrix run one per reference server). */
interface Collected {
  byRequirement: Map<string, ReportTest[]>;
  errored: number;
  inconclusive: number;
  /** Wall time its tests spanned: first start to last end. */
  first: number;
  last: number;
  ended: number;
  failedTests: number;
}

export default class ConformanceReporter implements Reporter {
  private readonly started = new Date();
  private readonly projects = new Map<string, Collected>();
  /** Tests per project, to tell when a matrix project has finished. */
  private totals = new Map<string, number>();
  private finished = 0;

  /** Errors outside any test (a spec that does not load): the run cannot be trusted to have tested anything. */
  private globalErrors = 0;

  onError(error: TestError): void {
    this.globalErrors++;
    process.stderr.write(`raa-conformance: the suite could not load or run a file: ${redactor.redact(plain(error.message ?? String(error))).split('\n')[0]}\n`);
  }

  /** When Playwright had loaded its configuration and collected the tests. */
  private collected = 0;

  onBegin(_config: FullConfig, suite: Suite): void {
    this.collected = Date.now();
    this.totals = new Map(suite.suites.map((p) => [p.title, p.allTests().length]));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const project = test.parent.project()?.name ?? '';
    let c = this.projects.get(project);
    if (!c) this.projects.set(project, c = { byRequirement: new Map(), errored: 0, inconclusive: 0, first: Infinity, last: 0, ended: 0, failedTests: 0 });
    const ids = test.annotations.filter((a) => a.type === 'requirement').map((a) => a.description!);
    const outcome = testStatus(result, [...result.annotations, ...test.annotations]);
    const { status } = outcome;
    const entry: ReportTest = {
      title: test.titlePath().slice(2).join(' › '),
      ...outcome,
      location: `${test.location.file.replace(/^.*?tests\//, 'tests/')}:${test.location.line}`,
      durationMs: Math.round(result.duration),
    };
    if (status === 'errored') c.errored++;
    if (status === 'failed') c.failedTests++;
    if (status === 'inconclusive') c.inconclusive++;
    c.first = Math.min(c.first, result.startTime.getTime());
    c.last = Math.max(c.last, result.startTime.getTime() + result.duration);
    for (const id of ids) {
      const list = c.byRequirement.get(id) ?? [];
      list.push(entry);
      c.byRequirement.set(id, list);
    }
    // A matrix run lasts minutes and prints no test lines: one line per server as it finishes.
    if (++c.ended === this.totals.get(project) && loadRuntime().projects) {
      this.finished++;
      process.stdout.write(`[${this.finished}/${this.totals.size}] ${project}: ${c.failedTests} test(s) failed, ${c.errored} errored, ${((c.last - c.first) / 1000).toFixed(1)} s\n`);
    }
  }

  onEnd(result: FullResult): void {
    const base = loadRuntime();
    if (!base.projects) {
      const report = this.write(base, this.projects.get('') ?? this.projects.values().next().value, result, Math.round(result.duration));
      process.stdout.write(redactor.redact(renderSummary(report)));
      return;
    }
    // A matrix run: one report per project, in its own folder; the command line prints the matrix table.
    for (const p of base.projects) {
      const c = this.projects.get(p.name);
      this.write(projectRuntime(base, p.name), c, result, c && c.last > c.first ? Math.round(c.last - c.first) : 0);
    }
  }

  /** Builds one project's conformance report and writes conformance.json, .md and .html into its folder. */
  private write(rt: Runtime, c: Collected | undefined, result: FullResult, durationMs: number): ConformanceReport {
    const requirements: RequirementResult[] = catalogue.requirements.map((r) => {
      const tests = c?.byRequirement.get(r.id) ?? [];
      return { id: r.id, level: r.level as RequirementLevel, tentative: r.tentative, operation: r.operation, title: r.title, status: 'not-tested' as RequirementStatus, tests } as RequirementResult;
    });
    const expectations = rt.expectationsFile ? { file: rt.expectationsFile, ...applyExpectations(requirements, loadExpectations(rt.expectationsFile)) } : undefined;
    for (const r of requirements) Object.assign(r, aggregate(r.tests, rt.selection));
    const count = (s: string) => requirements.filter((r) => r.status === s).length;
    const coverage = Object.fromEntries((['MUST', 'SHOULD', 'MAY'] as const).map((level) => {
      const at = requirements.filter((r) => r.level === level);
      const n = (...st: string[]) => at.filter((r) => st.includes(r.status)).length;
      return [level, { total: at.length, tested: n('passed', 'failed', 'expected-failure'), notTested: n('not-tested'), blocked: n('blocked'), inconclusive: n('inconclusive') }];
    })) as Record<RequirementLevel, LevelCoverage>;
    const workers = readWorkerFiles(join(rt.reportDir, '.run'));
    const counterexamples = readCounterexamples(join(rt.reportDir, '.counterexamples'));
    const report: ConformanceReport = {
      suiteVersion: rt.suiteVersion,
      target: rt.target,
      profile: rt.profile,
      seed: rt.seed,
      startedAt: this.started.toISOString(),
      durationMs,
      strict: rt.strict,
      summary: {
        passed: count('passed'), failed: count('failed'), skipped: count('not-tested') + count('blocked'), errored: (c?.errored ?? 0) + this.globalErrors, expectedFailures: count('expected-failure'),
        notTested: count('not-tested'), blocked: count('blocked'), inconclusive: count('inconclusive'), coverage, waitedOut: workers.throttled, waitedMs: workers.retryWaitMs,
      },
      ...(rt.selection ? { selection: rt.selection } : {}),
      ...(rt.allowPartial ? { allowPartial: true } : {}),
      requirements,
      ...(rt.defects.length ? { defects: rt.defects } : {}),
      records: { created: workers.created, left: workers.left, requests: workers.requests, throttled: workers.throttled },
      ...(expectations ? { expectations } : {}),
      ...(counterexamples.length ? { counterexamples } : {}),
      playwrightStatus: result.status,
      ...(process.env.RAA_SHARD ? { shard: process.env.RAA_SHARD } : {}),
      timings: { ...rt.marks, collected: this.collected, ...(c && c.last ? { firstTest: c.first, lastTest: c.last } : {}), reporting: Date.now() },
    };
    const v = verdictFor(report, rt.strict, rt.allowPartial ?? false);
    Object.assign(report, { verdict: v.verdict, verdictLine: v.line, exitCode: v.exit });
    mkdirSync(rt.reportDir, { recursive: true });
    const json = redactor.redact(JSON.stringify(report, null, 2)) + '\n';
    writeFileSync(join(rt.reportDir, 'conformance.json'), json);
    writeFileSync(join(rt.reportDir, 'conformance.md'), redactor.redact(renderMarkdown(report)));
    const history = rt.historyDir ? recordHistory(rt.historyDir, report, json) : [];
    // A drift run that wrote drift.json into this folder (the nightly runs it first) shows on the page.
    const drift = readDriftReport(rt.reportDir);
    writeFileSync(join(rt.reportDir, 'conformance.html'), redactor.redact(renderConformanceHtml(report, { history, htmlReportPath: 'html/index.html', ...(drift ? { drift } : {}) })));
    return report;
  }

  printsToStdio(): boolean {
    return true;
  }
}

/** Keeps this run in the history folder and returns the history, oldest first, for the page's trend chart. */
function recordHistory(dir: string, report: ConformanceReport, json: string): ConformanceReport[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `conformance-${report.startedAt.replace(/[:.]/g, '-')}.json`), json);
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ConformanceReport)
    .filter((r) => Array.isArray(r.requirements)).slice(-60);
}

function readCounterexamples(dir: string): Counterexample[] {
  if (!existsSync(dir)) return [];
  const out = readdirSync(dir).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Counterexample);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

function readWorkerFiles(dir: string): { created: number; left: string[]; requests: number; throttled: number; retryWaitMs: number } {
  const out = { created: 0, left: [] as string[], requests: 0, throttled: 0, retryWaitMs: 0 };
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const w = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { created: number; left: string[]; stats: { requests: number; throttled: number; retryWaitMs?: number } };
    out.retryWaitMs += w.stats.retryWaitMs ?? 0;
    out.created += w.created;
    out.left.push(...w.left);
    out.requests += w.stats.requests;
    out.throttled += w.stats.throttled;
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const ICON: Record<string, string> = { passed: 'ok  ', failed: 'FAIL', 'not-tested': '----', blocked: 'blkd', inconclusive: '????', skipped: 'skip', untested: '----', 'expected-failure': 'xfail' };

/** What a requirement without a verdict says under its line: the reason, or what blocked it. */
function whyNot(q: RequirementResult): string | undefined {
  if (q.status === 'blocked') return `blocked by ${(q.blockedBy ?? []).join(', ')}${q.reason ? `: ${q.reason}` : ''}`;
  if (q.status === 'not-tested' || q.status === 'inconclusive') return `${q.status === 'inconclusive' ? 'inconclusive' : 'not tested'}: ${q.reason ?? ''}`;
  return undefined;
}

/** `MUST 31 of 31 tested, SHOULD 16 of 18, MAY 4 of 4`: coverage per level, counting requirements. */
export function coverageLine(r: ConformanceReport): string {
  const c = r.summary.coverage;
  if (!c) return '';
  return (['MUST', 'SHOULD', 'MAY'] as const).map((l, i) => `${l} ${c[l].tested} of ${c[l].total}${i === 0 ? ' tested' : ''}`).join(', ');
}

/** Requirements grouped by the operation they concern, in the API's order. */
export function byOperation<T extends { operation: string }>(items: T[]): [string, T[]][] {
  const order = ['create', 'get', 'list', 'update', 'delete', 'any'];
  const groups = new Map<string, T[]>(order.map((o) => [o, []]));
  for (const i of items) groups.get(i.operation)?.push(i) ?? groups.set(i.operation, [i]);
  return [...groups].filter(([, v]) => v.length > 0);
}

const OPERATION_TITLE: Record<string, string> = { create: 'Create', get: 'Get', list: 'List', update: 'Update', delete: 'Delete', any: 'All operations' };

function renderSummary(r: ConformanceReport): string {
  const lines = [''];
  for (const [op, reqs] of byOperation(r.requirements)) {
    lines.push(`${OPERATION_TITLE[op] ?? op}:`);
    for (const q of reqs) {
      lines.push(`  ${ICON[q.status]} ${q.id.padEnd(28)} ${q.level.padEnd(6)}${q.tentative ? ' (tentative)' : ''} ${q.title}`);
      const why = q.notTested === 'filtered' ? undefined : whyNot(q);
      if (why) lines.push(`         ${why}`);
    }
  }
  const rec = r.records ?? { created: 0, left: [], requests: 0, throttled: 0 };
  lines.push('', `target ${r.target} · profile ${r.profile} · seed ${r.seed} (replay with CONFORMANCE_SEED=${r.seed})`);
  lines.push(`records created ${rec.created}, not removed ${rec.left.length}${rec.left.length ? ` (${rec.left.slice(0, 5).join(', ')}${rec.left.length > 5 ? ', …' : ''}; \`raa-conformance cleanup --dry-run\` lists what carries the marker)` : ''}; ${r.summary.waitedOut ?? rec.throttled} throttled answer(s) waited out${r.summary.waitedMs ? ` (${(r.summary.waitedMs / 1000).toFixed(1)} s waiting)` : ''}`);
  const forWrites = r.requirements.filter((q) => q.status === 'not-tested' && q.notTested === 'writes').length;
  if (forWrites) lines.push(`${forWrites} requirement(s) not tested because writes are not allowed against this target (CONFORMANCE_ALLOW_WRITES=1 enables them)`);
  if (r.summary.errored) lines.push(`${r.summary.errored} test(s) errored: the suite could not reach a verdict there (see above)`);
  if (r.summary.expectedFailures) lines.push(`${r.summary.expectedFailures} requirement(s) failed as the expectations file says (${r.expectations?.file})`);
  for (const u of r.expectations?.unexpectedPasses ?? []) lines.push(`UNEXPECTED PASS: ${u}`);
  for (const u of r.expectations?.unknownEntries ?? []) lines.push(`EXPECTATION MATCHES NOTHING: ${u}`);
  for (const c of r.counterexamples ?? []) lines.push(`counterexample for ${c.requirement}: seed ${c.seed}, path "${c.path}" (pin it with: raa-conformance pin --report ${join(loadRuntime().reportDir, 'conformance.json')})`);
  lines.push(`coverage: ${coverageLine(r)}`);
  lines.push(`conformance: ${countsLine(r)}`);
  if (r.verdictLine) lines.push(r.verdictLine);
  lines.push('');
  return lines.join('\n');
}

/** `50 passed, 1 failed, 2 not tested, 0 blocked, 0 inconclusive`: requirements, not tests. */
export function countsLine(r: ConformanceReport): string {
  const s = r.summary;
  return `${s.passed} passed, ${s.failed} failed, ${s.notTested ?? s.skipped} not tested, ${s.blocked ?? 0} blocked, ${s.inconclusive ?? 0} inconclusive (requirements)`;
}

const mdCell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderMarkdown(r: ConformanceReport): string {
  const lines = [`# remoteActionAudit conformance`, '', `Target \`${r.target}\`, profile \`${r.profile}\`, seed \`${r.seed}\`, started ${r.startedAt}, ${(r.durationMs / 1000).toFixed(1)} s.`, '',
    ...(r.verdictLine ? [`**${r.verdictLine.replace(/\|/g, '\\|')}**`, ''] : []),
    `Requirements: ${countsLine(r)}. Coverage: ${coverageLine(r)}.`, '',
  ];
  for (const [op, reqs] of byOperation(r.requirements)) {
    lines.push(`## ${OPERATION_TITLE[op] ?? op}`, '', '| Requirement | Level | Status | Title |', '|---|---|---|---|');
    for (const q of reqs) {
      const why = whyNot(q)?.replace(/^(not tested|inconclusive): /, '');
      lines.push(`| ${q.id} | ${q.level}${q.tentative ? ' (tentative)' : ''} | ${q.status}${why ? ` (${mdCell(why)})` : ''} | ${mdCell(q.title)} |`);
    }
    lines.push('');
  }
  const failed = r.requirements.filter((q) => q.status === 'failed');
  if (failed.length) {
    lines.push('', '## Failures');
    for (const q of failed) for (const t of q.tests.filter((t) => t.failure)) lines.push('', `### ${q.id}: ${t.title}`, '', '```', t.failure!, '```');
  }
  return lines.join('\n') + '\n';
}
