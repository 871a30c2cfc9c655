// The conformance reporter: turns Playwright results into a requirement-by-requirement verdict
// (reports/conformance.json and .md), prints the requirement summary and the closing line.
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogue } from './contract';
import { CHECK_FAILURE, isCheckFailure, plain } from './failure';
import { redactor } from './redact';
import { WRITES_SKIP } from './suite-constants';
import { loadRuntime, projectRuntime, type Runtime } from './runtime';
import type { ConformanceReport, Counterexample, RequirementResult, TestResult as ReportTest } from './report/types';
import { applyExpectations, loadExpectations } from './expectations';
import { renderConformanceHtml } from './report/html';

type TestStatus = ReportTest['status'];


export function testStatus(result: TestResult): { status: TestStatus; failure?: string } {
  if (result.status === 'passed') return { status: 'passed' };
  if (result.status === 'skipped') return { status: 'skipped' };
  const err = result.errors[0] ?? result.error;
  const text = plain(err?.stack ?? err?.message ?? `test ${result.status}`);
  // Only a CheckFailure is a verdict on the target; anything else (a timeout, a transport error, a bug in
  // the suite) is an error that makes the run unusable rather than a finding.
  const isCheck = isCheckFailure(err);
  const failure = redactor.redact(plain(err?.message ?? text)).replace(new RegExp(`^${CHECK_FAILURE}: `), '');
  return { status: isCheck ? 'failed' : 'errored', failure };
}

export function aggregate(tests: ReportTest[]): RequirementResult['status'] {
  if (tests.length === 0) return 'untested';
  if (tests.some((t) => t.status === 'failed' || t.status === 'errored')) return 'failed';
  if (tests.some((t) => t.status === 'passed')) return 'passed';
  if (tests.some((t) => t.status === 'expected-failure')) return 'expected-failure';
  return 'skipped';
}

/** What one project's tests found (a run has one project, a matrix run one per reference server). */
interface Collected {
  byRequirement: Map<string, ReportTest[]>;
  errored: number;
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

  onBegin(_config: FullConfig, suite: Suite): void {
    this.totals = new Map(suite.suites.map((p) => [p.title, p.allTests().length]));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const project = test.parent.project()?.name ?? '';
    let c = this.projects.get(project);
    if (!c) this.projects.set(project, c = { byRequirement: new Map(), errored: 0, first: Infinity, last: 0, ended: 0, failedTests: 0 });
    const ids = test.annotations.filter((a) => a.type === 'requirement').map((a) => a.description!);
    const { status, failure } = testStatus(result);
    const reason = [...result.annotations, ...test.annotations].find((a) => a.type === 'skip')?.description;
    const entry: ReportTest = {
      title: test.titlePath().slice(2).join(' › '),
      status,
      ...(reason && status === 'skipped' ? { reason } : {}),
      ...(failure ? { failure } : {}),
      location: `${test.location.file.replace(/^.*?tests\//, 'tests/')}:${test.location.line}`,
      durationMs: Math.round(result.duration),
    };
    if (status === 'errored') c.errored++;
    if (status === 'failed') c.failedTests++;
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
      return { id: r.id, level: r.level, tentative: r.tentative, operation: r.operation, title: r.title, status: 'untested' as const, tests };
    });
    const expectations = rt.expectationsFile ? { file: rt.expectationsFile, ...applyExpectations(requirements, loadExpectations(rt.expectationsFile)) } : undefined;
    for (const r of requirements) r.status = aggregate(r.tests);
    const count = (s: string) => requirements.filter((r) => r.status === s).length;
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
      summary: { passed: count('passed'), failed: count('failed'), skipped: count('skipped') + count('untested'), errored: c?.errored ?? 0, expectedFailures: count('expected-failure') },
      requirements,
      ...(rt.defects.length ? { defects: rt.defects } : {}),
      records: workers,
      ...(expectations ? { expectations } : {}),
      ...(counterexamples.length ? { counterexamples } : {}),
      playwrightStatus: result.status,
      ...(process.env.RAA_SHARD ? { shard: process.env.RAA_SHARD } : {}),
    };
    mkdirSync(rt.reportDir, { recursive: true });
    const json = redactor.redact(JSON.stringify(report, null, 2)) + '\n';
    writeFileSync(join(rt.reportDir, 'conformance.json'), json);
    writeFileSync(join(rt.reportDir, 'conformance.md'), redactor.redact(renderMarkdown(report)));
    const history = rt.historyDir ? recordHistory(rt.historyDir, report, json) : [];
    writeFileSync(join(rt.reportDir, 'conformance.html'), redactor.redact(renderConformanceHtml(report, { history, htmlReportPath: 'html/index.html' })));
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

function readWorkerFiles(dir: string): { created: number; left: string[]; requests: number; throttled: number } {
  const out = { created: 0, left: [] as string[], requests: 0, throttled: 0 };
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const w = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { created: number; left: string[]; stats: { requests: number; throttled: number } };
    out.created += w.created;
    out.left.push(...w.left);
    out.requests += w.stats.requests;
    out.throttled += w.stats.throttled;
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const ICON: Record<string, string> = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip', untested: '----', 'expected-failure': 'xfail' };

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
      for (const t of q.tests) if (t.status === 'skipped' && t.reason && q.status === 'skipped') { lines.push(`         skipped: ${t.reason}`); break; }
    }
  }
  const rec = r.records ?? { created: 0, left: [], requests: 0, throttled: 0 };
  lines.push('', `target ${r.target} · profile ${r.profile} · seed ${r.seed} (replay with CONFORMANCE_SEED=${r.seed})`);
  lines.push(`records created ${rec.created}, not removed ${rec.left.length}${rec.left.length ? ` (${rec.left.slice(0, 5).join(', ')}${rec.left.length > 5 ? ', …' : ''})` : ''}; throttled responses ${rec.throttled}`);
  const forWrites = r.requirements.flatMap((q) => q.tests).filter((t) => t.status === 'skipped' && t.reason?.startsWith(WRITES_SKIP)).length;
  if (forWrites) lines.push(`${forWrites} test(s) skipped because writes are not allowed against this target (CONFORMANCE_ALLOW_WRITES=1 enables them)`);
  if (r.summary.errored) lines.push(`${r.summary.errored} test(s) errored: the suite could not reach a verdict there (see above)`);
  if (r.summary.expectedFailures) lines.push(`${r.summary.expectedFailures} requirement(s) failed as the expectations file says (${r.expectations?.file})`);
  for (const u of r.expectations?.unexpectedPasses ?? []) lines.push(`UNEXPECTED PASS: ${u}`);
  for (const u of r.expectations?.unknownEntries ?? []) lines.push(`EXPECTATION MATCHES NOTHING: ${u}`);
  for (const c of r.counterexamples ?? []) lines.push(`counterexample for ${c.requirement}: seed ${c.seed}, path "${c.path}" (pin it with: raa-conformance pin --report ${join(loadRuntime().reportDir, 'conformance.json')})`);
  lines.push(`conformance: ${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.skipped} skipped`, '');
  return lines.join('\n');
}

function renderMarkdown(r: ConformanceReport): string {
  const lines = [`# remoteActionAudit conformance`, '', `Target \`${r.target}\`, profile \`${r.profile}\`, seed \`${r.seed}\`, started ${r.startedAt}, ${(r.durationMs / 1000).toFixed(1)} s.`, '',
    `**${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.skipped} skipped**`, '',
  ];
  for (const [op, reqs] of byOperation(r.requirements)) {
    lines.push(`## ${OPERATION_TITLE[op] ?? op}`, '', '| Requirement | Level | Status | Title |', '|---|---|---|---|');
    for (const q of reqs) lines.push(`| ${q.id} | ${q.level}${q.tentative ? ' (tentative)' : ''} | ${q.status} | ${q.title.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  const failed = r.requirements.filter((q) => q.status === 'failed');
  if (failed.length) {
    lines.push('', '## Failures');
    for (const q of failed) for (const t of q.tests.filter((t) => t.failure)) lines.push('', `### ${q.id}: ${t.title}`, '', '```', t.failure!, '```');
  }
  return lines.join('\n') + '\n';
}
