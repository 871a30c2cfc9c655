// `npm run bench`: how fast the suite is and where the limit lies, every figure measured in this run and shown
// beside its goal (issue 8). The servers under test run as child processes started from an esbuild bundle, so
// the client and the server each have an event loop (and a core) of their own. Only 127.0.0.1 is contacted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildServerBundle, procAvailable, startServer, type ServerChild } from './bench/child';
import { fmt, meets, ratio, renderTable, type Row } from './bench/helpers';
import {
  clientBreakdown, conformanceRun, fitGrowth, loadServer, rateLimited, rawNodeHttp, rawUndici, sampleBodies, suitePass,
  type Breakdown, type GrowthRun, type LoadResult, type RateResult, type RawResult, type SuitePass,
} from './bench/phases';
import { runProfile } from './bench/profile';
import { DEFAULT_TENANT_RATE } from './config';
import { ROOT } from './contract';

/** Intune's write limit per app per tenant: 200 requests per 20 s (GRAPH-FACTS §1). */
const INTUNE_APP_WRITES_PER_SEC = 200 / 20;
/** Workers of playwright.config.ts unless CONFORMANCE_WORKERS says otherwise. */
const DEFAULT_WORKERS = 2;
const CONCURRENCY = 16;

export interface BenchSettings {
  quick: boolean;
  propertyRuns: number;
  rounds: number;
  loadSeconds: number;
  growthCounts: number[];
  rateRequests: number;
  seed: number;
}

export function settingsFor(quick: boolean): BenchSettings {
  return quick
    ? { quick, propertyRuns: 1_000, rounds: 1, loadSeconds: 2, growthCounts: [50, 500], rateRequests: 16, seed: 8 }
    : { quick, propertyRuns: 5_000, rounds: 2, loadSeconds: 5, growthCounts: [100, 1_000, 10_000], rateRequests: 40, seed: 8 };
}

const HELP = `Usage: raa-conformance bench [--quick] [--skip-growth] [--check] [--out FILE]

Measures the suite against the reference server on 127.0.0.1 and prints each figure beside its goal:
property-phase throughput vs a raw keep-alive client, reference vs bare server under autocannon, cost growth
over 100/1,000/10,000 property runs, peak memory at 10,000 vs 1,000 runs, and the client-side rate limit.
  --quick         smaller counts (property runs 1,000; conformance runs at 50 and 500 cases)
  --skip-growth   leave out the whole conformance runs (figures 3 and 4)
  --check         exit 1 when a goal is not met (default: exit 0 whenever the bench ran)
  --out FILE      where the JSON goes (default reports/bench.json; with --profile a folder, default reports/bench-profile)
  --profile       instead of the table: CPU profiles of the reference server under load and of one property pass,
                  with the functions that take the most time`;

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

interface Measured {
  property: { passes: SuitePass[]; undici: RawResult[]; nodeHttp: RawResult[]; breakdown?: Breakdown };
  load: { reference: LoadResult[]; bare: LoadResult[]; echo: LoadResult[]; storeAfter?: number; storeCapacity: number };
  growth: GrowthRun[];
  rate: { single?: RateResult; workers?: RateResult };
}

const best = <T>(xs: T[], key: (x: T) => number): T | undefined => xs.reduce<T | undefined>((b, x) => (b === undefined || key(x) > key(b) ? x : b), undefined);

export async function runBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: {
      quick: { type: 'boolean' }, 'skip-growth': { type: 'boolean' }, check: { type: 'boolean' }, out: { type: 'string' },
      profile: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { process.stdout.write(HELP + '\n'); return 0; }
  if (!procAvailable()) { process.stderr.write('bench: needs Linux /proc for CPU and memory figures\n'); return 2; }
  const s = settingsFor(!!values.quick);
  if (values.profile) return profileOnly(s, values.out ? resolve(values.out) : join(ROOT, 'reports', 'bench-profile'));
  const out = resolve(values.out ?? join(ROOT, 'reports', 'bench.json'));
  const started = new Date();
  const t0 = performance.now();
  const load0 = loadavg();
  const work = mkdtempSync(join(tmpdir(), 'raa-bench-'));
  const m: Measured = { property: { passes: [], undici: [], nodeHttp: [] }, load: { reference: [], bare: [], echo: [], storeCapacity: 50_000 }, growth: [], rate: {} };
  const servers: ServerChild[] = [];
  try {
    const bundle = await buildServerBundle(work);
    log(`server bundle built in ${fmt(bundle.ms)} ms; servers run as child processes`);
    const ref = await startServer(bundle.file, 'reference');
    servers.push(ref);
    const bare = await startServer(bundle.file, 'bare');
    servers.push(bare);
    const echo = await startServer(bundle.file, 'echo');
    servers.push(echo);

    // 1. Property phase vs raw client, same bodies, same concurrency, same server; warmed up first.
    const bodies = sampleBodies(s.seed, s.propertyRuns);
    log(`property phase: ${s.propertyRuns} valid-create cases × ${s.rounds} round(s), concurrency ${CONCURRENCY}`);
    await suitePass(ref, { runs: Math.min(500, s.propertyRuns), seed: s.seed + 1, reportDir: work });
    await rawUndici(ref, bodies.slice(0, 500), CONCURRENCY);
    await rawNodeHttp(ref, bodies.slice(0, 500), CONCURRENCY);
    for (let r = 0; r < s.rounds; r++) {
      m.property.undici.push(await rawUndici(ref, bodies, CONCURRENCY));
      m.property.passes.push(await suitePass(ref, { runs: s.propertyRuns, seed: s.seed, reportDir: work, cleanup: r === s.rounds - 1 }));
      m.property.nodeHttp.push(await rawNodeHttp(ref, bodies, CONCURRENCY));
    }
    m.property.breakdown = await clientBreakdown(ref, { runs: s.propertyRuns, seed: s.seed, reportDir: work, key: m.property.passes.at(-1)!.key });

    // 5. The client-side limiter (before the load test fills the store).
    log(`rate limit: ${s.rateRequests} requests through Transport({ rateLimit: ${DEFAULT_TENANT_RATE} }), then through ${DEFAULT_WORKERS} such transports at once`);
    m.rate.single = await rateLimited(ref, DEFAULT_TENANT_RATE, s.rateRequests, 1);
    m.rate.workers = await rateLimited(ref, DEFAULT_TENANT_RATE, s.rateRequests, DEFAULT_WORKERS);

    // 2. Reference vs bare under autocannon, alternating, after a 1 s warm-up each.
    log(`server load: autocannon, ${CONCURRENCY} connections, ${s.loadSeconds} s × ${s.rounds} round(s) each`);
    const loadBodies = bodies.slice(0, 100);
    for (const x of [ref, bare, echo]) await loadServer(x, loadBodies, { connections: CONCURRENCY, durationS: 1 });
    for (let r = 0; r < s.rounds; r++) {
      m.load.reference.push(await loadServer(ref, loadBodies, { connections: CONCURRENCY, durationS: s.loadSeconds }));
      m.load.bare.push(await loadServer(bare, loadBodies, { connections: CONCURRENCY, durationS: s.loadSeconds }));
      m.load.echo.push(await loadServer(echo, loadBodies, { connections: CONCURRENCY, durationS: s.loadSeconds }));
    }
    m.load.storeAfter = (await ref.stats()).storeSize;
    for (const x of servers.splice(0)) await x.stop();

    // 3 and 4. Whole conformance runs.
    if (!values['skip-growth']) {
      for (const n of s.growthCounts) {
        log(`conformance run with CONFORMANCE_NUM_RUNS=${n} …`);
        const run = await conformanceRun(n, { seed: s.seed, timeoutMs: Math.min(120_000 + 60 * n, 15 * 60_000), workDir: work });
        log(`  ${fmt(run.wallMs / 1000)} s, exit ${run.exitCode}, ${run.passed ?? '?'} passed, ${run.failed ?? '?'} failed`);
        m.growth.push(run);
      }
    }
  } finally {
    for (const x of servers) await x.stop().catch(() => {});
  }

  const rows = tabulate(m, s);
  const table = renderTable(rows);
  process.stdout.write(`\n${table}\n\n`);
  const notes = explain(m);
  if (notes.length) process.stdout.write(notes.map((n) => `  ${n}`).join('\n') + '\n\n');
  const elapsedMs = performance.now() - t0;
  const report = {
    startedAt: started.toISOString(), elapsedMs: Math.round(elapsedMs), settings: s,
    machine: { cpus: cpus().length, node: process.version, loadavgStart: load0, loadavgEnd: loadavg() },
    serverPlacement: 'child processes started from an esbuild bundle of server/ (reference) and a bare node:http server; the client in the bench process',
    rows, notes, measured: m,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`bench: ${fmt(elapsedMs / 1000)} s; load average ${load0.map((l) => l.toFixed(1)).join(' ')} at the start; written to ${out}\n`);
  if (values['skip-growth'] || m.growth.every((g) => g.exitCode === 0)) rmSync(work, { recursive: true, force: true });
  else process.stdout.write(`bench: a conformance run did not pass; its log is kept under ${work}\n`);
  return values.check && rows.some((r) => r.met === false) ? 1 : 0;
}

async function profileOnly(s: BenchSettings, outDir: string): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'raa-bench-'));
  try {
    const bundle = await buildServerBundle(work);
    await runProfile(bundle.file, work, outDir, { runs: s.propertyRuns, seconds: s.loadSeconds, seed: s.seed });
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function row(r: Row): Row {
  return { ...r, met: r.met ?? meets(r.value, r.goal) };
}

export function tabulate(m: Measured, s: BenchSettings): Row[] {
  const rows: Row[] = [];
  const pass = best(m.property.passes, (p) => p.casesPerSec);
  const und = best(m.property.undici, (r) => r.perSec);
  const nh = best(m.property.nodeHttp, (r) => r.perSec);
  const raw = Math.max(und?.perSec ?? 0, nh?.perSec ?? 0);
  rows.push(row({ id: '1a', figure: `property phase, valid creates with 4 checks (${s.propertyRuns} runs)`, value: pass?.casesPerSec, unit: 'cases/s' }));
  rows.push(row({ id: '1b', figure: 'raw keep-alive client, same bodies (best of undici, node:http)', value: raw, unit: 'req/s', note: `undici ${fmt(und?.perSec)}, node:http ${fmt(nh?.perSec)}` }));
  rows.push(row({ id: '1', figure: 'property phase ÷ raw client', value: ratio(pass?.casesPerSec ?? 0, raw), unit: '×', goal: { op: '>=', value: 0.5 } }));
  const biggest = m.growth.filter((g) => g.validSendTestMs).at(-1);
  if (biggest) {
    const inSitu = (biggest.numRuns * 1000) / biggest.validSendTestMs!;
    rows.push(row({ id: '1c', figure: `in the real run (${biggest.numRuns} runs): cases/s of one worker's sending test`, value: inSitu, unit: 'cases/s' }));
    rows.push(row({ id: '1d', figure: 'in the real run ÷ raw client', value: ratio(inSitu, raw), unit: '×', goal: { op: '>=', value: 0.5 }, note: 'embedded server in the CLI process, 2 workers and the other tests running' }));
  }
  const refLoad = best(m.load.reference, (r) => r.perSec);
  const bareLoad = best(m.load.bare, (r) => r.perSec);
  rows.push(row({ id: '2a', figure: 'reference server under autocannon (validation + storage)', value: refLoad?.perSec, unit: 'req/s' }));
  rows.push(row({ id: '2b', figure: 'bare node:http server, constant 201, same load', value: bareLoad?.perSec, unit: 'req/s' }));
  rows.push(row({ id: '2', figure: 'reference ÷ bare', value: ratio(refLoad?.perSec ?? 0, bareLoad?.perSec ?? 0), unit: '×', goal: { op: '>=', value: 0.7 } }));
  rows.push(row({ id: '2c', figure: 'server CPU per request: reference', value: refLoad?.serverCpuUsPerReq, unit: 'µs' }));
  rows.push(row({ id: '2d', figure: 'server CPU per request: bare', value: bareLoad?.serverCpuUsPerReq, unit: 'µs' }));
  const echoLoad = best(m.load.echo, (r) => r.perSec);
  if (echoLoad) {
    rows.push(row({ id: '2e', figure: 'echo node:http server (answers the request body), same load', value: echoLoad.perSec, unit: 'req/s', note: 'the bytes of a create, without parsing, validation or storage' }));
    rows.push(row({ id: '2f', figure: 'reference ÷ echo (cost of the layers alone)', value: ratio(refLoad?.perSec ?? 0, echoLoad.perSec), unit: '×', goalText: 'explains 2' }));
  }
  if (m.growth.length >= 2) {
    const fit = fitGrowth(m.growth);
    for (const g of m.growth) rows.push(row({ id: '3·', figure: `quick-profile run wall time, ${g.numRuns.toLocaleString('en-US')} property runs`, value: g.wallMs / 1000, unit: 's', goalText: g.exitCode === 0 ? '' : `exit ${g.exitCode}` }));
    rows.push(row({ id: '3a', figure: 'per-case slope (least squares)', value: fit.slopeMs, unit: 'ms/case', goalText: 'report', note: `r² ${fit.r2.toFixed(3)}` }));
    rows.push(row({ id: '3b', figure: 'fixed start-up cost (intercept)', value: fit.interceptMs / 1000, unit: 's', goalText: 'report' }));
    const [lo, hi] = [m.growth.at(-2)!, m.growth.at(-1)!];
    const flat = { op: '<=' as const, value: 1.25 };
    const pair = `${hi.numRuns.toLocaleString('en-US')} vs ${lo.numRuns.toLocaleString('en-US')} runs`;
    rows.push(row({ id: '4a', figure: `peak RSS, Playwright workers (max), ${pair}`, value: ratio(hi.peaks.workerMaxKb ?? 0, lo.peaks.workerMaxKb ?? 0), unit: '×', goal: flat, note: `${fmt((hi.peaks.workerMaxKb ?? 0) / 1024)} MB vs ${fmt((lo.peaks.workerMaxKb ?? 0) / 1024)} MB` }));
    rows.push(row({ id: '4b', figure: `peak RSS, Playwright runner, ${pair}`, value: ratio(hi.peaks.runnerKb ?? 0, lo.peaks.runnerKb ?? 0), unit: '×', goal: flat, note: `${fmt((hi.peaks.runnerKb ?? 0) / 1024)} MB vs ${fmt((lo.peaks.runnerKb ?? 0) / 1024)} MB` }));
    rows.push(row({ id: '4c', figure: `peak RSS, reference server (in the run process), ${pair}`, value: ratio(hi.peaks.cliKb ?? 0, lo.peaks.cliKb ?? 0), unit: '×', goal: flat, note: `${fmt((hi.peaks.cliKb ?? 0) / 1024)} MB vs ${fmt((lo.peaks.cliKb ?? 0) / 1024)} MB` }));
    rows.push(row({ id: '4d', figure: `records left in the store after the ${hi.numRuns.toLocaleString('en-US')}-run suite`, value: hi.records?.left, unit: 'records', goal: { op: '<=', value: 0 }, note: `created ${hi.records?.created ?? '?'}` }));
  }
  rows.push(row({ id: '4e', figure: 'reference store after the load test (bounded)', value: m.load.storeAfter, unit: 'records', goal: { op: '<=', value: m.load.storeCapacity } }));
  if (m.rate.single) rows.push(row({ id: '5a', figure: `client-side limit, one Transport (rateLimit ${m.rate.single.configured})`, value: m.rate.single.achieved, unit: 'req/s', goal: { op: '<=', value: INTUNE_APP_WRITES_PER_SEC } }));
  if (m.rate.workers) rows.push(row({ id: '5b', figure: `client-side limit, ${m.rate.workers.transports} workers' Transports together`, value: m.rate.workers.achieved, unit: 'req/s', goal: { op: '<=', value: INTUNE_APP_WRITES_PER_SEC }, note: 'Intune: 200 writes / 20 s per app per tenant' }));
  return rows;
}

/** The lines under the table: what the figures are made of, and what stands in the way of an unmet goal. */
function explain(m: Measured): string[] {
  const notes: string[] = [];
  const pass = best(m.property.passes, (p) => p.casesPerSec);
  const b = m.property.breakdown;
  const und = best(m.property.undici, (r) => r.perSec);
  if (pass && und) {
    notes.push(`1: CPU per case, client / server: property pass ${fmt(pass.clientCpuUs)} / ${fmt(pass.serverCpuUs)} µs, raw undici ${fmt(und.clientCpuUs)} / ${fmt(und.serverCpuUs)} µs (${cpus().length} cores shared with whatever else runs: load average ${loadavg()[0]!.toFixed(1)}).`);
  }
  if (pass) {
    notes.push(`1: the property pass took ${fmt(pass.totalMs)} ms for ${pass.runs} cases: ${fmt(pass.firstMs)} ms generating + sending + checking (RAA-CREATE-201), ${fmt(pass.restMs)} ms for the three properties that check the cached exchanges; ${pass.non201} not 201.`);
  }
  if (b) {
    const c = b.checksMs;
    notes.push(`1: client-side work per ${b.runs} cases, timed alone: generating ${fmt(b.generateMs)} ms (done once per property, so ×4 per pass), serialising ${fmt(b.serialiseMs)} ms, checks: status ${fmt(c.status)}, schema ${fmt(c.schema)}, echo ${fmt(c.echo)}, 5xx ${fmt(c.no5xx)} ms.`);
  }
  const cleanup = m.property.passes.find((p) => p.cleanup)?.cleanup;
  if (cleanup) notes.push(`1: worker teardown (Graph.cleanup) deleted ${cleanup.deletes} records one at a time in ${fmt(cleanup.ms)} ms (${fmt(cleanup.perSec)}/s).`);
  for (const r of [...m.load.reference, ...m.load.bare, ...m.load.echo]) {
    notes.push(`2: ${r.mode}: ${r.requests} requests in ${r.durationS} s, ${fmt(r.bytesPerResponse)} bytes/response, p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms, non-2xx ${r.non2xx}, errors ${r.errors}, server CPU ${fmt(r.serverCpuUsPerReq)} µs/request`);
  }
  for (const g of m.growth) {
    notes.push(`3/4: ${g.numRuns} runs: wall ${fmt(g.wallMs / 1000)} s (Playwright ${fmt((g.suiteMs ?? 0) / 1000)} s), records created ${g.records?.created ?? '?'}, left ${g.records?.left ?? '?'}, requests ${g.records?.requests ?? '?'}; peak RSS run process ${fmt((g.peaks.cliKb ?? 0) / 1024)} MB, runner ${fmt((g.peaks.runnerKb ?? 0) / 1024)} MB, workers max ${fmt((g.peaks.workerMaxKb ?? 0) / 1024)} MB (${g.peaks.workers} worker processes)`);
  }
  if (m.rate.workers) notes.push(`5: the limit is per Transport, and each Playwright worker has its own: ${m.rate.workers.transports} workers × ${m.rate.workers.configured}/s ≈ ${fmt(m.rate.workers.achieved)} req/s against a tenant.`);
  return notes;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  runBench(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`bench: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 3;
  });
}
