// The conformance reporter: turns Playwright results into a requirement-by-requirement verdict
// (reports/conformance.json and .md), prints the requirement summary and the closing line.
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogue, describeErrors, validators } from '../contract';
import { CHECK_FAILURE, FAILURE_ATTACHMENT, isCheckFailure, plain } from '../checks/failure';
import { ORACLE_ATTACHMENT, type OracleResults } from '../checks/oracles';
import { BLOCKED_BY, CONFIGURATION_KINDS, INCONCLUSIVE, NOT_TESTED, isInconclusive, type BlockedNote, type NotTestedNote } from '../core/outcomes';
import { verdictFor } from './exit-code';
import { redactor } from '../core/redact';
import { WRITES_SKIP } from '../suite/suite-constants';
import { loadRuntime, projectRuntime, type Runtime } from '../config/runtime';
import type { CiteMismatch, ConformanceReport, Counterexample, Failure, LevelCoverage, RequirementLevel, RequirementResult, RequirementStatus, TestResult as ReportTest } from '../core/report-types';
import { REPORT_SCHEMA_VERSION } from '../../schemas/report';
import { exchangeLines, failureText } from '../core/failure-text';
import { upgradeReport } from '../core/read-report';
import { applyExpectations, loadExpectations } from '../config/expectations';
import { renderConformanceHtml } from './html';
import { readDriftReport } from '../metadata/drift';
import { setting } from '../core/settings';
import { writeWfcReport, type StatusTally } from './wfc';
import { seedSetting } from '../core/replay';



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
  const message = redactor.redact(plain(err?.message ?? text)).replace(new RegExp(`^(${CHECK_FAILURE}|${INCONCLUSIVE}): `), '');
  const asText = (kind: Failure['kind']): Failure => ({ kind, summary: message.split('\n')[0]!, message });
  // Only a CheckFailure is a verdict on the target; "try later" past the budget is no verdict; anything else (a
  // timeout, an unanswered request, a bug in the suite) is an error that leaves the run without a verdict.
  if (isCheckFailure(err)) return { status: 'failed', failure: attachedFailure(result) ?? asText('check') };
  if (isInconclusive(err)) return { status: 'inconclusive', failure: asText('inconclusive') };
  return { status: 'errored', failure: asText('error') };
}

/** A JSON attachment a worker handed over (`name`), checked against its schema: one that does not match is a suite bug. */
function attached<T>(result: TestResult, name: string, what: string, validate: ValidateFunction<unknown>): T | undefined {
  const a = result.attachments.find((x) => x.name === name && x.body);
  if (!a) return undefined;
  const data: unknown = JSON.parse(a.body!.toString('utf8'));
  if (!validate(data)) throw new Error(`${what} attachment does not match schemas/report.ts:\n  ${describeErrors(validate.errors).join('\n  ')}`);
  return data as T;
}

/**
 * The failure a worker attached to the test (src/suite/suite.ts, keepWorker): none when the check failed outside a test
 * body (a hook), where only its text is known.
 */
const attachedFailure = (result: TestResult) => attached<Failure>(result, FAILURE_ATTACHMENT, 'a failure', validators.failure);

/** Outcomes that carry no verdict on the target: the test did not run to the end of what it judges. */
const UNRUN: ReportTest['status'][] = ['blocked', 'not-tested', 'skipped'];

/** Why the tests without a verdict did not run: a configuration reason first (it is fixable), else what blocked them. */
function unrunWhy(tests: ReportTest[]): Pick<RequirementResult, 'reason' | 'notTested' | 'blockedBy'> {
  const notRun = tests.filter((t) => t.status === 'not-tested' || t.status === 'skipped');
  const blocked = [...new Set(tests.flatMap((t) => (t.status === 'blocked' && t.blockedBy ? [t.blockedBy] : [])))];
  const config = notRun.find((t) => t.notTested && CONFIGURATION_KINDS.includes(t.notTested)) ?? notRun[0];
  const first = config ?? tests.find((t) => t.status === 'blocked');
  return {
    ...(config ? { notTested: config.notTested ?? 'target' } : {}),
    ...(blocked.length ? { blockedBy: blocked } : {}),
    ...(first?.reason ? { reason: first.reason } : {}),
  };
}

/**
 * A requirement's outcome from its tests'. It passes only when every one of its tests passed: a failure fails it,
 * an error or "try later" leaves it inconclusive, and a test that did not run (not tested, blocked) beside passing
 * ones makes it partial, since what that test judges was never shown.
 */
export function aggregate(tests: ReportTest[], selection?: string): Pick<RequirementResult, 'status' | 'reason' | 'notTested' | 'blockedBy'> {
  if (tests.length === 0) {
    // Every requirement has tests (tests/self/catalogue.spec.ts): in a run nobody narrowed, none running means the
    // suite failed to load them, which is the suite's fault and never a pass.
    return selection
      ? { status: 'not-tested', notTested: 'filtered', reason: `not selected (${selection})` }
      : { status: 'inconclusive', reason: 'none of its tests ran: the suite did not load them (see the errors above)' };
  }
  // A test with nothing to judge (the target left out what the contract lets it leave out) neither adds nor takes away.
  const inapplicable = (t: ReportTest) => t.status === 'not-tested' && t.notTested === 'inapplicable';
  if (tests.every(inapplicable)) return { status: 'not-tested', notTested: 'inapplicable', ...(tests[0]!.reason ? { reason: tests[0]!.reason } : {}) };
  if (tests.some(inapplicable)) return aggregate(tests.filter((t) => !inapplicable(t)), selection);
  const has = (s: ReportTest['status']) => tests.some((t) => t.status === s);
  if (has('failed')) return { status: 'failed' };
  const noVerdict = tests.find((t) => t.status === 'errored') ?? tests.find((t) => t.status === 'inconclusive');
  if (noVerdict) return { status: 'inconclusive', reason: `${noVerdict.status === 'errored' ? 'a test errored: ' : ''}${noVerdict.failure?.summary ?? ''}` };
  if (has('expected-failure')) return { status: 'expected-failure' };
  const unrun = tests.filter((t) => UNRUN.includes(t.status));
  if (unrun.length === 0) return { status: 'passed' };
  const why = unrunWhy(unrun);
  if (has('passed')) {
    return { status: 'partial', ...why, reason: `${unrun.length} of ${tests.length} tests did not run (${why.reason ?? why.blockedBy?.map((b) => `blocked by ${b}`).join(', ') ?? 'no reason given'})` };
  }
  if (unrun.every((t) => t.status === 'blocked')) return { status: 'blocked', blockedBy: why.blockedBy ?? [], ...(why.reason ? { reason: why.reason } : {}) };
  return { status: 'not-tested', notTested: why.notTested ?? 'target', ...(why.reason ? { reason: why.reason } : {}) };
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
  /** Tests that failed on a requirement they do not cite. */
  mismatches: CiteMismatch[];
  counterexamples: Counterexample[];
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
    if (!c) this.projects.set(project, c = { byRequirement: new Map(), errored: 0, inconclusive: 0, first: Infinity, last: 0, ended: 0, failedTests: 0, mismatches: [], counterexamples: [] });
    const cited = test.annotations.filter((a) => a.type === 'requirement').map((a) => a.description!);
    const outcome = testStatus(result, [...result.annotations, ...test.annotations]);
    const { status } = outcome;
    const entry: ReportTest = {
      title: test.titlePath().slice(2).join(' › '),
      ...outcome,
      location: `${test.location.file.replace(/^.*?tests\//, 'tests/')}:${test.location.line}`,
      durationMs: Math.round(result.duration),
    };
    const counterexample = counterexampleOf(outcome.failure);
    if (counterexample) c.counterexamples.push(counterexample);
    if (status === 'errored') c.errored++;
    if (status === 'failed') c.failedTests++;
    if (status === 'inconclusive') c.inconclusive++;
    c.first = Math.min(c.first, result.startTime.getTime());
    c.last = Math.max(c.last, result.startTime.getTime() + result.duration);
    for (const [id, filed] of [...filing(entry, cited, c.mismatches), ...oracleFiling(entry, cited, result)]) {
      const list = c.byRequirement.get(id) ?? [];
      list.push(filed);
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
      const tests = selectedTests(c?.byRequirement.get(r.id) ?? [], rt.selection);
      return { id: r.id, level: r.level as RequirementLevel, tentative: r.tentative, operation: r.operation, title: r.title, status: 'not-tested' as RequirementStatus, tests } as RequirementResult;
    });
    filePreflight(requirements, rt);
    const expectations = rt.expectationsFile ? { file: rt.expectationsFile, ...applyExpectations(requirements, loadExpectations(rt.expectationsFile)) } : undefined;
    for (const r of requirements) Object.assign(r, aggregate(r.tests, rt.selection));
    const count = (s: string) => requirements.filter((r) => r.status === s).length;
    const coverage = Object.fromEntries((['MUST', 'SHOULD', 'MAY'] as const).map((level) => {
      const at = requirements.filter((r) => r.level === level);
      const n = (...st: string[]) => at.filter((r) => st.includes(r.status)).length;
      return [level, { total: at.length, tested: n('passed', 'failed', 'expected-failure'), notTested: n('not-tested'), blocked: n('blocked'), inconclusive: n('inconclusive'), partial: n('partial') }];
    })) as Record<RequirementLevel, LevelCoverage>;
    const workers = readWorkerFiles(join(rt.reportDir, '.run'));
    const counterexamples = c?.counterexamples ?? [];
    const citeMismatches = c?.mismatches ?? [];
    const report: ConformanceReport = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      suiteVersion: rt.suiteVersion,
      target: rt.target,
      profile: rt.profile,
      seed: rt.seed,
      startedAt: this.started.toISOString(),
      durationMs,
      strict: rt.strict,
      summary: {
        passed: count('passed'), failed: count('failed'), skipped: count('not-tested') + count('blocked') + count('partial'), errored: (c?.errored ?? 0) + this.globalErrors, expectedFailures: count('expected-failure'),
        notTested: count('not-tested'), blocked: count('blocked'), inconclusive: count('inconclusive'), partial: count('partial'), coverage, waitedOut: workers.throttled, waitedMs: workers.retryWaitMs,
      },
      ...(rt.selection ? { selection: rt.selection } : {}),
      ...(rt.allowPartial ? { allowPartial: true } : {}),
      requirements,
      ...(rt.defects.length ? { defects: rt.defects } : {}),
      records: { created: workers.created, left: workers.left, requests: workers.requests, throttled: workers.throttled },
      ...(expectations ? { expectations } : {}),
      ...(counterexamples.length ? { counterexamples } : {}),
      ...(citeMismatches.length ? { citeMismatches } : {}),
      playwrightStatus: result.status,
      ...(rt.preflight?.hints.length ? { hints: rt.preflight.hints } : {}),
      ...(setting('RAA_SHARD') ? { shard: setting('RAA_SHARD') } : {}),
      timings: { ...rt.marks, collected: this.collected, ...(c && c.last ? { firstTest: c.first, lastTest: c.last } : {}), reporting: Date.now() },
    };
    const v = verdictFor(report, rt.strict, rt.allowPartial ?? false);
    Object.assign(report, { verdict: v.verdict, verdictLine: v.line, exitCode: v.exit });
    assertValid(report);
    mkdirSync(rt.reportDir, { recursive: true });
    const json = redactor.redact(JSON.stringify(report, null, 2)) + '\n';
    writeFileSync(join(rt.reportDir, 'conformance.json'), json);
    writeFileSync(join(rt.reportDir, 'conformance.md'), redactor.redact(renderMarkdown(report)));
    writeWfcReport(rt.reportDir, report, workers.statuses, workers.requests);
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

/**
 * The preflight's findings, each a failed entry beside the requirement's tests, with the preflight's exchange as
 * evidence. In a narrowed run, only under requirements that were selected.
 */
function filePreflight(requirements: RequirementResult[], rt: Runtime): void {
  for (const f of rt.preflight?.findings ?? []) {
    const r = requirements.find((q) => q.id === f.requirement);
    if (!r || (rt.selection && r.tests.length === 0)) continue;
    r.tests.unshift({ title: `preflight: ${f.failure.summary}`, status: 'failed', failure: f.failure, location: 'preflight' });
  }
}

/** A report its own schema refuses is a bug in this writer: it fails loudly rather than hand readers a broken file. */
function assertValid(report: ConformanceReport): void {
  if (!validators.conformanceReport(report)) {
    throw new Error(`conformance.json does not match schemas/report.ts (a bug in the suite):\n  ${describeErrors(validators.conformanceReport.errors).join('\n  ')}`);
  }
}

/** Keeps this run in the history folder and returns the history, oldest first, for the page's trend chart. */
function recordHistory(dir: string, report: ConformanceReport, json: string): ConformanceReport[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `conformance-${report.startedAt.replace(/[:.]/g, '-')}.json`), json);
  // Only reports (of any version this suite reads) are plotted: another JSON file in the folder is left alone.
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f): unknown => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    .filter((r) => validators.conformanceReport(r)).map((r) => upgradeReport(r as Parameters<typeof upgradeReport>[0])).slice(-60);
}

/** A failed property's shrunk case, ready to pin, when its failure carries one. */
function counterexampleOf(f: Failure | undefined): Counterexample | undefined {
  const p = f?.property;
  if (!p?.pin || !f?.requirement) return undefined;
  return { requirement: f.requirement, seed: p.seed, path: p.path, numRuns: p.numRuns, value: p.counterexample, expectStatus: p.pin.expectStatus, ...(p.pin.headers ? { headers: p.pin.headers } : {}) };
}

/**
 * Where a test's entry is filed. A failure is filed under the requirement it names; a test that cites other
 * requirements and failed on one it does not cite is flagged, and the requirements it cites are blocked by that
 * failure (the test stopped before it could judge them).
 */
export function filing(entry: ReportTest, cited: string[], mismatches: CiteMismatch[]): [string, ReportTest][] {
  const raised = entry.status === 'failed' ? entry.failure?.requirement : undefined;
  if (!raised || cited.includes(raised)) return cited.map((id) => [id, entry]);
  mismatches.push({ test: entry.title, ...(entry.location ? { location: entry.location } : {}), cited, raised });
  const { failure: _failure, ...rest } = entry;
  const blocked: ReportTest = { ...rest, status: 'blocked', blockedBy: raised, reason: `the test failed on ${raised} before it could judge this requirement` };
  return [[raised, entry], ...cited.map((id): [string, ReportTest] => [id, blocked])];
}

/**
 * The entries the every-response oracles file for a test (src/checks/oracles.ts): per oracle that applied to at least
 * one of its exchanges, passed, or failed with the oracle's first finding as evidence. A test that cites the oracle's
 * requirement judged it itself and gets no second entry; a test's own outcome never changes an oracle's.
 */
export function oracleFiling(entry: ReportTest, cited: string[], result: TestResult): [string, ReportTest][] {
  const data = attached<OracleResults>(result, ORACLE_ATTACHMENT, 'an oracle', validators.oracles);
  if (!data) return [];
  const { observed, findings } = data;
  const { title, location, durationMs } = entry;
  return Object.entries(observed).filter(([id, n]) => n > 0 && !cited.includes(id)).map(([id, exchanges]): [string, ReportTest] => {
    const failure = findings[id];
    return [id, { title, status: failure ? 'failed' : 'passed', ...(failure ? { failure } : {}), ...(location ? { location } : {}), ...(durationMs !== undefined ? { durationMs } : {}), oracle: { exchanges } }];
  });
}

/**
 * A requirement's entries in a run narrowed by `selection`: when none of its own tests was selected, the selection
 * left it out, and the entries oracles filed for it from other tests' exchanges do not bring it back in.
 */
function selectedTests(tests: ReportTest[], selection: string | undefined): ReportTest[] {
  return selection && !tests.some((t) => !t.oracle) ? [] : tests;
}

// Record counts and the records left behind are known only when a worker's graph has cleaned up, in a worker
// fixture's teardown after the worker's last test: there is no test left to attach them to, so each worker leaves
// one file here, read and removed below.
function readWorkerFiles(dir: string): { created: number; left: string[]; requests: number; throttled: number; retryWaitMs: number; statuses: StatusTally } {
  const out = { created: 0, left: [] as string[], requests: 0, throttled: 0, retryWaitMs: 0, statuses: {} as StatusTally };
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const w = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { created: number; left: string[]; stats: { requests: number; throttled: number; retryWaitMs?: number; statuses?: StatusTally } };
    for (const [endpoint, byStatus] of Object.entries(w.stats.statuses ?? {})) {
      for (const [status, n] of Object.entries(byStatus)) (out.statuses[endpoint] ??= {})[status] = (out.statuses[endpoint]![status] ?? 0) + n;
    }
    out.retryWaitMs += w.stats.retryWaitMs ?? 0;
    out.created += w.created;
    out.left.push(...w.left);
    out.requests += w.stats.requests;
    out.throttled += w.stats.throttled;
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const ICON: Record<string, string> = { partial: 'part', passed: 'ok  ', failed: 'FAIL', 'not-tested': '----', blocked: 'blkd', inconclusive: '????', skipped: 'skip', untested: '----', 'expected-failure': 'xfail' };

/** What a requirement without a verdict says under its line: the reason, or what blocked it. */
function whyNot(q: RequirementResult): string | undefined {
  if (q.status === 'blocked') return `blocked by ${(q.blockedBy ?? []).join(', ')}${q.reason ? `: ${q.reason}` : ''}`;
  if (q.status === 'partial') return `partial: ${q.reason ?? ''}`;
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
  lines.push('', `target ${r.target} · profile ${r.profile} · seed ${r.seed} (replay with ${seedSetting(r.seed)})`);
  lines.push(`records created ${rec.created}, not removed ${rec.left.length}${rec.left.length ? ` (${rec.left.slice(0, 5).join(', ')}${rec.left.length > 5 ? ', …' : ''}; \`raa-conformance cleanup --dry-run\` lists what carries the marker)` : ''}; ${r.summary.waitedOut ?? rec.throttled} throttled answer(s) waited out${r.summary.waitedMs ? ` (${(r.summary.waitedMs / 1000).toFixed(1)} s waiting)` : ''}`);
  const forWrites = r.requirements.filter((q) => q.status === 'not-tested' && q.notTested === 'writes').length;
  if (forWrites) lines.push(`${forWrites} requirement(s) not tested because writes are not allowed against this target (CONFORMANCE_ALLOW_WRITES=1 enables them)`);
  if (r.summary.errored) lines.push(`${r.summary.errored} test(s) errored: the suite could not reach a verdict there (see above)`);
  if (r.summary.expectedFailures) lines.push(`${r.summary.expectedFailures} requirement(s) failed as the expectations file says (${r.expectations?.file})`);
  for (const u of r.expectations?.unexpectedPasses ?? []) lines.push(`UNEXPECTED PASS: ${u}`);
  for (const u of r.expectations?.unknownEntries ?? []) lines.push(`EXPECTATION MATCHES NOTHING: ${u}`);
  for (const m of r.citeMismatches ?? []) lines.push(`CITE MISMATCH: "${m.test}"${m.location ? ` (${m.location})` : ''} cites ${m.cited.join(', ')} but failed on ${m.raised}; filed under ${m.raised}`);
  for (const c of r.counterexamples ?? []) lines.push(`counterexample for ${c.requirement}: seed ${c.seed}, path "${c.path}" (pin it with: raa-conformance pin --report ${join(loadRuntime().reportDir, 'conformance.json')})`);
  lines.push(`coverage: ${coverageLine(r)}`);
  lines.push(`conformance: ${countsLine(r)}`);
  if (r.verdictLine) lines.push(r.verdictLine);
  for (const h of r.hints ?? []) lines.push(`hint: ${h}`);
  lines.push('');
  return lines.join('\n');
}

/** `50 passed, 1 failed, 2 not tested, 0 blocked, 0 inconclusive`: requirements, not tests. */
export function countsLine(r: ConformanceReport): string {
  const s = r.summary;
  return `${s.passed} passed, ${s.failed} failed, ${s.partial ? `${s.partial} partial, ` : ''}${s.notTested ?? s.skipped} not tested, ${s.blocked ?? 0} blocked, ${s.inconclusive ?? 0} inconclusive (requirements)`;
}

const mdCell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderMarkdown(r: ConformanceReport): string {
  const lines = [`# remoteActionAudit conformance`, '', `Target \`${r.target}\`, profile \`${r.profile}\`, seed \`${r.seed}\`, started ${r.startedAt}, ${(r.durationMs / 1000).toFixed(1)} s.`, '',
    ...(r.verdictLine ? [`**${r.verdictLine.replace(/\|/g, '\\|')}**`, ''] : []),
    ...(r.hints ?? []).map((h) => `> Hint: ${mdCell(h)}`), ...(r.hints?.length ? [''] : []),
    `Requirements: ${countsLine(r)}. Coverage: ${coverageLine(r)}.`, '',
  ];
  for (const [op, reqs] of byOperation(r.requirements)) {
    lines.push(`## ${OPERATION_TITLE[op] ?? op}`, '', '| Requirement | Level | Status | Title |', '|---|---|---|---|');
    for (const q of reqs) {
      const why = whyNot(q)?.replace(/^(not tested|inconclusive|partial): /, '');
      lines.push(`| ${q.id} | ${q.level}${q.tentative ? ' (tentative)' : ''} | ${q.status}${why ? ` (${mdCell(why)})` : ''} | ${mdCell(q.title)} |`);
    }
    lines.push('');
  }
  const failed = r.requirements.filter((q) => q.status === 'failed');
  if (failed.length) {
    lines.push('', '## Failures');
    for (const q of failed) {
      // An oracle that fails on every exchange would repeat one finding per test: its first stands for the rest.
      const shown = q.tests.filter((t) => t.failure && !t.oracle);
      const byOracle = q.tests.filter((t) => t.failure && t.oracle && t.status === 'failed');
      for (const t of [...shown, ...byOracle.slice(0, 1)]) lines.push('', `### ${q.id}: ${t.title}`, '', ...failureMarkdown(t.failure!));
      if (byOracle.length > 1) lines.push('', `… and ${byOracle.length - 1} more test(s) whose exchanges broke ${q.id} (every-response oracle; conformance.json lists each).`);
    }
  }
  for (const m of r.citeMismatches ?? []) lines.push('', `> **Cite mismatch:** "${mdCell(m.test)}" cites ${m.cited.join(', ')} but failed on ${m.raised}.`);
  return lines.join('\n') + '\n';
}

/** A code block whose fence no backtick run inside it can close. */
function fenced(text: string, lang = ''): string[] {
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return [`${fence}${lang}`, text, fence];
}

/** A failure in Markdown: expected and received side by side, schema paths, the exchange and the reproduce line. */
export function failureMarkdown(f: Failure): string[] {
  if (f.kind !== 'check' || (!f.exchange && f.expected === undefined && f.received === undefined && !f.schemaErrors && !f.property)) return fenced(failureText(f));
  const code = (v: string | undefined) => (v === undefined ? '' : `<code>${mdCell(v).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>`);
  const out = [`**[${f.requirement ?? ''} ${f.level ?? ''}${f.tentative ? ', tentative' : ''}] ${mdCell(f.summary)}**`, ''];
  if (f.expected !== undefined || f.received !== undefined) out.push('| Expected | Received |', '|---|---|', `| ${code(f.expected)} | ${code(f.received)} |`, '');
  for (const e of f.schemaErrors ?? []) out.push(`- Schema: \`${e.replace(/`/g, "'")}\``);
  if (f.schemaErrors?.length) out.push('');
  if (f.property) out.push(`Property: seed ${f.property.seed}, path \`${f.property.path}\`, ${f.property.numRuns} runs; replay with \`${seedSetting(f.property.seed)}\`. Counterexample (shrunk):`, '', ...fenced(JSON.stringify(f.property.counterexample, null, 2) ?? 'null', 'json'), '');
  if (f.exchange) {
    const { request, response } = exchangeLines(f.exchange);
    out.push('Request:', '', ...fenced(request.join('\n'), 'http'), '', 'Response:', '', ...fenced(response.join('\n'), 'http'), '');
  }
  if (f.reproduce) out.push('Reproduce with:', '', ...fenced(f.reproduce, 'sh'));
  return out;
}
