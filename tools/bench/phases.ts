// The bench's measurements, one function per figure. Every load loop is bounded in count and in time, and
// every request goes to 127.0.0.1.
import autocannon from 'autocannon';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { join } from 'node:path';
import { Agent, request as undiciRequest } from 'undici';
import { validBody } from '../../src/checks/arbitraries';
import * as check from '../../src/checks/checks';
import { validators } from '../../src/contract';
import { mapLimit, Transport, type Exchange } from '../../src/transport/http';
import { checkProperty, passResult } from '../../src/checks/property';
import { MARKER_PREFIX, buildRuntime, type Runtime } from '../../src/config/runtime';
import { SUITE_VARIABLE, childEnvironment } from '../../src/core/settings';
import { runCommandLine } from '../../src/cli/child';
import { COLLECTION, Graph, workerRate } from '../../src/suite/suite';
import type { ConformanceReport } from '../../src/core/report-types';
import { endedChildrenCpuMs, sampleTree, type ProcPeak, type ServerChild } from './child';
import { achievedRate, linearFit, perSecond, type Fit } from './helpers';

const PERMISSION = 'DeviceManagementManagedDevices.ReadWrite.All';
const now = () => performance.now();

function benchRuntime(server: ServerChild, seed: number, runs: number, reportDir: string): Runtime {
  const settings = { seed, profile: 'quick', numRuns: runs, propertyBudgetMs: 0, strict: false, allowWrites: false, timeoutMs: 15_000, rateLimit: 0, reportDir } as const;
  const principals = [{ name: 'bench', type: 'application', permissions: [PERMISSION], tokenState: 'valid', token: server.token }] as Runtime['principals'];
  return buildRuntime({ ...settings, defects: [] }, { target: server.url, principals, embedded: true, secrets: [] }, 'bench', { runId: `bench-${seed}` });
}

/** Valid create bodies as the suite sends them (marked), serialised ahead of time. */
export function sampleBodies(seed: number, n: number): string[] {
  const marker = `${MARKER_PREFIX}bench-${seed}/`;
  return fc.sample(validBody().map((b) => ({ ...b, deviceDisplayName: `${marker}${(b.deviceDisplayName as string | null | undefined) ?? ''}` })), { seed, numRuns: n })
    .map((b) => JSON.stringify(b));
}

// ---------------------------------------------------------------------------------------------------------
// 1. The property phase, as tests/contract/create/properties.spec.ts runs it, and a raw client beside it.

export interface SuitePass {
  runs: number;
  /** The four valid-body properties together: one send pass, four check passes. */
  totalMs: number;
  casesPerSec: number;
  /** The first property, which generates, sends and judges every answer against all four checks. */
  firstMs: number;
  /** The three others, which read their verdicts from that shared pass. */
  restMs: number;
  non201: number;
  /** The shared-pass key of this pass (src/checks/property.ts SharedSend). */
  key: string;
  /** CPU time of this (client) process and of the server per case over the four properties, µs. */
  clientCpuUs: number;
  serverCpuUs: number;
  cleanup?: { deletes: number; ms: number; perSec: number };
}

let passCounter = 0;

/** The valid-body properties of the create suite: RAA-CREATE-201, -SCHEMA, -ECHO and RAA-NO-5XX over one send. */
export async function suitePass(server: ServerChild, o: { runs: number; seed: number; reportDir: string; cleanup?: boolean }): Promise<SuitePass> {
  const runtime = benchRuntime(server, o.seed, o.runs, o.reportDir);
  const transport = new Transport({ timeoutMs: runtime.timeoutMs, rateLimit: runtime.rateLimit });
  const graph = new Graph(runtime, transport);
  // A key of its own per pass: the shared-pass cache would otherwise answer from the previous pass.
  const key = `bench:${o.seed}:${++passCounter}`;
  const spec = (requirement: string, checkFn: (b: Record<string, unknown>, ex: Exchange) => void) => ({
    requirement, arbitrary: validBody().map((b) => graph.mark(b)), seed: runtime.seed, numRuns: runtime.numRuns, budgetMs: runtime.propertyBudgetMs,
    send: (b: Record<string, unknown>) => graph.create(b), check: checkFn,
  });
  try {
    const t0 = now();
    let t1 = 0;
    const cpu = await withCpu(server, o.runs, async () => {
      const shared = { key, checks: check.VALID_CREATE_CHECKS };
      await checkProperty(spec('RAA-CREATE-201', check.VALID_CREATE_CHECKS['RAA-CREATE-201']!), shared);
      t1 = now();
      for (const requirement of ['RAA-CREATE-SCHEMA', 'RAA-CREATE-ECHO', 'RAA-NO-5XX']) await checkProperty(spec(requirement, check.VALID_CREATE_CHECKS[requirement]!), shared);
    });
    const t2 = now();
    const pass = await passResult(key)!;
    const non201 = pass.runs - (pass.statuses[201] ?? 0);
    const out: SuitePass = { runs: o.runs, totalMs: t2 - t0, casesPerSec: perSecond(o.runs, t2 - t0), firstMs: t1 - t0, restMs: t2 - t1, non201, key, clientCpuUs: cpu.clientCpuUs, serverCpuUs: cpu.serverCpuUs };
    if (o.cleanup) {
      const deletes = graph.created.size;
      const c0 = now();
      await graph.cleanup();
      const ms = now() - c0;
      out.cleanup = { deletes, ms, perSec: perSecond(deletes, ms) };
    }
    return out;
  } finally {
    await transport.close();
  }
}

export interface Breakdown {
  runs: number;
  /** fc.sample of the marked valid-body arbitrary (done once per pass). */
  generateMs: number;
  /** JSON.stringify of the bodies (what Graph.send does per request). */
  serialiseMs: number;
  checksMs: { status: number; schema: number; echo: number; no5xx: number };
}

/** Where the client-side time of a pass goes, each part timed alone over the same samples. */
export async function clientBreakdown(server: ServerChild, o: { runs: number; seed: number; reportDir: string }): Promise<Breakdown> {
  const graph = new Graph(benchRuntime(server, o.seed, o.runs, o.reportDir), new Transport());
  const arb = validBody().map((b) => graph.mark(b));
  const g0 = now();
  const values = fc.sample(arb, { seed: o.seed, numRuns: o.runs });
  const generateMs = now() - g0;
  const s0 = now();
  let bytes = 0;
  for (const v of values) bytes += JSON.stringify(v).length;
  const serialiseMs = now() - s0;
  if (bytes === 0) throw new Error('no bodies');
  // The suite keeps no exchanges that pass, so the checks are timed over a send of their own.
  const exchanges = await mapLimit(values, 16, (b) => graph.create(b));
  await graph.cleanup();
  const time = (fn: (v: Record<string, unknown>, ex: Exchange) => void) => {
    const t = now();
    for (let i = 0; i < values.length; i++) fn(values[i]!, exchanges[i]!);
    return now() - t;
  };
  const checksMs = {
    status: time((_b, ex) => check.statusIs('RAA-CREATE-201', ex, [201])),
    schema: time((_b, ex) => { if (ex.status === 201) check.conformsTo('RAA-CREATE-SCHEMA', ex, validators.entity, 'remoteActionAudit'); }),
    echo: time((b, ex) => { if (ex.status === 201 && ex.json !== undefined) check.echoes('RAA-CREATE-ECHO', ex, b); }),
    no5xx: time((_b, ex) => check.notServerError('RAA-NO-5XX', ex)),
  };
  return { runs: o.runs, generateMs, serialiseMs, checksMs };
}

export interface RawResult {
  client: 'undici' | 'node:http';
  requests: number;
  ms: number;
  perSec: number;
  non201: number;
  /** CPU time of this (client) process and of the server per request, µs. */
  clientCpuUs: number;
  serverCpuUs: number;
}

/** CPU used by this process and by `server` while `fn` runs, per `n` cases (µs). */
async function withCpu<T>(server: ServerChild, n: number, fn: () => Promise<T>): Promise<{ value: T; clientCpuUs: number; serverCpuUs: number }> {
  const c0 = process.cpuUsage();
  const s0 = server.cpuMs();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, clientCpuUs: (c.user + c.system) / n, serverCpuUs: ((server.cpuMs() - s0) * 1000) / n };
}

const rawHeaders = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' });

/** A minimal keep-alive undici client: `concurrency` requests in flight over as many connections, body discarded. */
export async function rawUndici(server: ServerChild, bodies: readonly string[], concurrency: number): Promise<RawResult> {
  const agent = new Agent({ connections: concurrency, pipelining: 1, keepAliveTimeout: 10_000 });
  const url = `${server.url}${COLLECTION}`;
  const headers = rawHeaders(server.token);
  let non201 = 0;
  try {
    const t0 = now();
    const cpu = await withCpu(server, bodies.length, () => mapLimit(bodies, concurrency, async (body) => {
      const res = await undiciRequest(url, { method: 'POST', headers, body, dispatcher: agent, headersTimeout: 15_000, bodyTimeout: 15_000 });
      await res.body.arrayBuffer();
      if (res.statusCode !== 201) non201++;
    }));
    const ms = now() - t0;
    return { client: 'undici', requests: bodies.length, ms, perSec: perSecond(bodies.length, ms), non201, clientCpuUs: cpu.clientCpuUs, serverCpuUs: cpu.serverCpuUs };
  } finally {
    await agent.close();
  }
}

/** The same with node:http and a keep-alive Agent. */
export async function rawNodeHttp(server: ServerChild, bodies: readonly string[], concurrency: number): Promise<RawResult> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(`${server.url}${COLLECTION}`);
  const headers = rawHeaders(server.token);
  let non201 = 0;
  const post = (body: string) => new Promise<void>((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, timeout: 15_000, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      if (res.statusCode !== 201) non201++;
      res.resume();
      res.on('end', () => resolve());
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
  try {
    const t0 = now();
    const cpu = await withCpu(server, bodies.length, () => mapLimit(bodies, concurrency, post));
    const ms = now() - t0;
    return { client: 'node:http', requests: bodies.length, ms, perSec: perSecond(bodies.length, ms), non201, clientCpuUs: cpu.clientCpuUs, serverCpuUs: cpu.serverCpuUs };
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------
// 2. The reference server against a bare node:http server, both under autocannon.

export interface LoadResult {
  mode: ServerChild['mode'];
  requests: number;
  durationS: number;
  perSec: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Server CPU time per answered request (µs): independent of how fast the load generator is. */
  serverCpuUsPerReq: number;
  /** Mean bytes read per response (headers and body). */
  bytesPerResponse: number;
}

export async function loadServer(server: ServerChild, bodies: readonly string[], o: { connections: number; durationS: number }): Promise<LoadResult> {
  const headers = rawHeaders(server.token);
  const cpu0 = server.cpuMs();
  const r = await autocannon({
    url: `${server.url}${COLLECTION}`, connections: o.connections, pipelining: 1, duration: o.durationS, timeout: 10,
    requests: bodies.map((body) => ({ method: 'POST', headers, body })),
  });
  const cpu = server.cpuMs() - cpu0;
  const requests = r['2xx'] + r.non2xx;
  return {
    mode: server.mode, requests, durationS: r.duration, perSec: requests / r.duration, non2xx: r.non2xx, errors: r.errors,
    latencyP50Ms: r.latency.p50, latencyP99Ms: r.latency.p99, serverCpuUsPerReq: requests > 0 ? (cpu * 1000) / requests : NaN,
    bytesPerResponse: requests > 0 ? r.throughput.total / requests : NaN,
  };
}

// ---------------------------------------------------------------------------------------------------------
// 3 and 4. Whole conformance runs at several run counts: wall time, peak RSS per process, store left over.

export interface GrowthRun {
  numRuns: number;
  wallMs: number;
  exitCode: number | null;
  timedOut: boolean;
  /** Playwright's own duration from conformance.json. */
  suiteMs?: number;
  passed?: number;
  failed?: number;
  records?: { created: number; left: number; requests: number };
  /** Sum of all test durations (both workers), and of the property tests alone. */
  testsMs?: number;
  propertyTestsMs?: number;
  /** Longest of the four valid-body property tests: the one that sent the samples (per worker). */
  validSendTestMs?: number;
  peaks: { cliKb?: number; runnerKb?: number; workerMaxKb?: number; workers: number };
  log: string;
  /** When the bench spawned the run (epoch ms), and the steps conformance.json's `timings` recorded. */
  spawnedAt?: number;
  timings?: Record<string, number>;
}

/** The environment of a child run: nothing from the suite's variables may point it elsewhere. */
function childEnv(): NodeJS.ProcessEnv {
  return childEnvironment({}, SUITE_VARIABLE);
}

/** One `raa-conformance run` against its embedded reference server, with a time limit. */
export async function conformanceRun(numRuns: number, o: { seed: number; timeoutMs: number; workDir: string; profile?: string; defects?: string[]; env?: Record<string, string> }): Promise<GrowthRun> {
  const reportDir = mkdtempSync(join(o.workDir, `run-${numRuns}-`));
  const log = join(reportDir, 'run.log');
  // Only the embedded (loopback) target: nothing from the environment or a .env may point the run elsewhere,
  // so the child runs in a directory without .env and without the suite's variables.
  const env = { ...childEnv(), ...o.env };
  if (o.profile) env.CONFORMANCE_PROFILE = o.profile;
  else env.CONFORMANCE_NUM_RUNS = String(numRuns);
  if (o.defects?.length) env.REFERENCE_DEFECTS = o.defects.join(',');
  const spawnedAt = Date.now();
  const t0 = now();
  let sampler: ReturnType<typeof sampleTree> | undefined;
  // A run past its time limit is ended with its whole process group, workers included.
  const { code: exitCode, timedOut } = await runCommandLine(['run', '--seed', String(o.seed), '--report-dir', reportDir], {
    cwd: o.workDir, env, output: { file: log }, timeoutMs: o.timeoutMs, onSpawn: (pid) => { sampler = sampleTree(pid, 100); },
  });
  const wallMs = now() - t0;
  const peaks: ProcPeak[] = sampler!.stop();
  const workers = peaks.filter((p) => p.role === 'worker');
  const out: GrowthRun = {
    numRuns, wallMs, exitCode, timedOut, log, spawnedAt,
    peaks: {
      cliKb: peaks.find((p) => p.role === 'cli')?.vmHwmKb,
      runnerKb: peaks.find((p) => p.role === 'runner')?.vmHwmKb,
      workerMaxKb: workers.length ? Math.max(...workers.map((w) => w.vmHwmKb)) : undefined,
      workers: workers.length,
    },
  };
  const reportPath = join(reportDir, 'conformance.json');
  if (existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ConformanceReport & { records?: { created: number; left: string[]; requests: number } };
    if (!/^http:\/\/127\.0\.0\.1:/.test(report.target)) throw new Error(`the conformance run went to ${report.target}, not the embedded loopback server`);
    out.suiteMs = report.durationMs;
    if (report.timings) out.timings = report.timings;
    out.passed = report.summary.passed;
    out.failed = report.summary.failed;
    if (report.records) out.records = { created: report.records.created, left: report.records.left.length, requests: report.records.requests };
    const valid = report.requirements.filter((r) => ['RAA-CREATE-201', 'RAA-CREATE-SCHEMA', 'RAA-CREATE-ECHO', 'RAA-NO-5XX'].includes(r.id))
      .flatMap((r) => r.tests.map((t) => t.durationMs ?? 0));
    if (valid.length) out.validSendTestMs = Math.max(...valid);
    // A test may cite several requirements: count each (title, location) once.
    const seen = new Map<string, number>();
    for (const r of report.requirements) for (const t of r.tests) seen.set(`${t.location ?? ''} ${t.title}`, t.durationMs ?? 0);
    out.testsMs = [...seen.values()].reduce((a, b) => a + b, 0);
    out.propertyTestsMs = [...seen].filter(([k]) => k.includes('properties.spec')).reduce((a, [, v]) => a + v, 0);
  }
  // Keep only the log; the reports of a bench run are not the point.
  for (const f of ['html', 'test-results', 'junit.xml']) rmSync(join(reportDir, f), { recursive: true, force: true });
  return out;
}

/** The fit over the runs that finished (a run killed at its time limit says nothing about its cost). */
export function fitGrowth(runs: readonly GrowthRun[]): Fit | undefined {
  const done = runs.filter((r) => !r.timedOut);
  return new Set(done.map((r) => r.numRuns)).size >= 2 ? linearFit(done.map((r) => ({ x: r.numRuns, y: r.wallMs }))) : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// 5. The client-side rate limit, measured through the Transport.

export interface RateResult {
  configured: number;
  transports: number;
  requests: number;
  achieved: number;
}

/** Sends `requests` GETs through `transports` Transports sharing the run's rate `rate` (16 in flight each), as workers do. */
export async function rateLimited(server: ServerChild, rate: number, requests: number, transports = 1): Promise<RateResult> {
  const url = `${server.url}${COLLECTION}?$top=1`;
  const headers = { accept: 'application/json', authorization: `Bearer ${server.token}` };
  const done: number[] = [];
  const ts = Array.from({ length: transports }, () => new Transport({ rateLimit: workerRate(rate, transports), timeoutMs: 15_000 }));
  try {
    const per = Math.ceil(requests / transports);
    await Promise.all(ts.map((t) => mapLimit(Array.from({ length: per }), 16, async () => {
      const ex = await t.send({ method: 'GET', url, headers });
      if (ex.status !== 200) throw new Error(`rate probe answered ${ex.status}`);
      done.push(now());
    })));
  } finally {
    await Promise.all(ts.map((t) => t.close()));
  }
  return { configured: rate, transports, requests: done.length, achieved: achievedRate(done) };
}



// ---------------------------------------------------------------------------------------------------------
// 6. The defect matrix: one `raa-conformance matrix` run against separate `run --strict --defects` runs.

/** One Playwright worker's life (RAA_WORKER_TIMES, src/suite/suite.ts writeWorkerTimeline), epoch ms. */
interface WorkerTimeline { project: string; origin: number; booted: number; suiteLoaded: number; firstFixture: number; testsEnded: number; teardownEnded: number }

/** The matrix's cost per defect mode, by phase: means over its workers (ms), and the wall share per server. */
export interface MatrixPhases {
  servers: number;
  workers: number;
  /** The matrix command's wall time and its servers' start (matrix.json). */
  wallMs: number;
  serverStartMs: number;
  /** Per worker process, mean ms: node's boot, Playwright's and the suite's modules, the first test file's collection, the tests, the teardown. */
  boot: number; modules: number; collection: number; tests: number; teardown: number;
  /** Worker processes seen (one per server, more when a failed test replaced one). */
  workerProcesses: number;
  /** CPU of the whole matrix command's process tree (servers, runner, workers), ms: what load on the machine inflates least. */
  cpuMs: number;
}

function readTimelines(dir: string): WorkerTimeline[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as WorkerTimeline) : [];
}

/** The phases of the workers in `timesDir`, with the matrix's own figures from its matrix.json. */
export function matrixPhases(timesDir: string, matrixJson: string, servers: number, workers: number, wallMs: number, cpuMs: number): MatrixPhases | undefined {
  const t = readTimelines(timesDir);
  if (!t.length || !existsSync(matrixJson)) return undefined;
  const mean = (f: (w: WorkerTimeline) => number) => t.reduce((a, w) => a + f(w), 0) / t.length;
  const m = JSON.parse(readFileSync(matrixJson, 'utf8')) as { serverStartSeconds?: number };
  return {
    servers, workers, wallMs, cpuMs, serverStartMs: (m.serverStartSeconds ?? 0) * 1000, workerProcesses: t.length,
    boot: mean((w) => w.booted - w.origin), modules: mean((w) => w.suiteLoaded - w.booted), collection: mean((w) => w.firstFixture - w.suiteLoaded),
    tests: mean((w) => w.testsEnded - w.firstFixture), teardown: mean((w) => w.teardownEnded - w.testsEnded),
  };
}

export interface MatrixCompare {
  defects: string[];
  phases?: MatrixPhases;
  /** One matrix run: the clean server and each defect, one project and one server process each. */
  matrixMs: number;
  matrixExit: number | null;
  /** The same servers as separate runs, two at a time with one worker each (how the matrix ran before). */
  runsMs: number;
  runExits: (number | null)[];
}

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<number | null> {
  return (await runCommandLine(args, { cwd, env, output: 'ignore', timeoutMs })).code;
}

/** Times the matrix over `defects` (plus the clean server) against the same servers run one by one. */
export async function matrixVsRuns(defects: string[], o: { seed: number; workDir: string; timeoutMs: number; matrixOnly?: boolean; narrow?: boolean }): Promise<MatrixCompare> {
  const env = { ...childEnv(), CI: '1' };
  const dir = mkdtempSync(join(o.workDir, 'matrix-'));
  let t0 = now();
  const times = join(dir, 'worker-times');
  const cpu0 = endedChildrenCpuMs();
  const matrixExit = await cli(['matrix', '--defects', defects.join(','), '--seed', String(o.seed), '--report-dir', join(dir, 'matrix'), ...(o.narrow ? ['--narrow'] : [])], o.workDir, { ...env, RAA_WORKER_TIMES: times }, o.timeoutMs);
  const matrixMs = now() - t0;
  const phases = matrixPhases(times, join(dir, 'matrix', 'matrix.json'), defects.length + 1, 2, matrixMs, endedChildrenCpuMs() - cpu0);
  if (o.matrixOnly) {
    rmSync(dir, { recursive: true, force: true });
    return { defects, matrixMs, matrixExit, runsMs: 0, runExits: [], ...(phases ? { phases } : {}) };
  }
  t0 = now();
  const runExits = await mapLimit([undefined, ...defects], 2, (d) => cli(['run', '--strict', ...(d ? ['--defects', d] : []), '--seed', String(o.seed), '--report-dir', join(dir, d ?? 'clean')],
    o.workDir, { ...env, CONFORMANCE_WORKERS: '1', RAA_REPORTS: 'minimal' }, o.timeoutMs));
  const runsMs = now() - t0;
  rmSync(dir, { recursive: true, force: true });
  return { defects, matrixMs, matrixExit, runsMs, runExits, ...(phases ? { phases } : {}) };
}
