// `bench --profile`: where the time goes, from V8 CPU profiles. The reference server child runs with
// --cpu-prof under the same autocannon load as figure 2; the client side is one property pass in this process,
// profiled through the inspector. Prints the functions with the highest self time and keeps the .cpuprofile files.
import { Session } from 'node:inspector/promises';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './child';
import { bundleModules, byPackage, fmt, hotSpots, inclusiveShare, roleOf, shortLocation, type CpuProfile, type HotSpot, type PackageShare } from './helpers';
import { PROFILES } from '../../src/config/config';
import { ROOT } from '../../src/contract';
import { layerCosts, type LayerCost } from './layers';
import { conformanceRun, loadServer, sampleBodies, suitePass } from './phases';

export interface ProfileReport {
  server: { requests: number; perSec: number; cpuUsPerReq: number; top: HotSpot[]; shares: Record<string, number>; layers: LayerCost[] };
  client: { runs: number; casesPerSec: number; top: HotSpot[]; shares: Record<string, number> };
  /** One quick run against the embedded server, each of its processes profiled: where its CPU went, by package. */
  run: { wallMs: number; exitCode: number | null; processes: ({ role: string } & PackageShare)[] };
}

const SERVER_SHARES: Record<string, RegExp> = {
  'auth (jose, cache)': /authenticate|jwtVerify/,
  'ajv validation': /validateBody/,
  'JSON.parse of the request': /parseJson/,
  'store.create': /Store.*create|create .*store\.ts|normalise|ordered/,
  'represent + send (JSON.stringify, headers)': /represent|RequestContext.*send|^send .*context\.ts/,
  'RequestContext (randomUUID, Date)': /RequestContext /,
  'URL parsing': /^URL |new URL/,
};

const CLIENT_SHARES: Record<string, RegExp> = {
  'fast-check sample (generation)': /sample .*fast-check|^sample /,
  'Transport.once (undici, JSON.parse)': /once .*http\.ts/,
  'checks (status, schema, echo)': /checks\.ts/,
  'Graph.send (JSON.stringify, headers)': /send .*suite\.ts/,
};

/** Locations in the server bundle named by their source module. */
function inBundle(bundle: string): (url: string, line: number) => string {
  const moduleAt = bundleModules(readFileSync(bundle, 'utf8'));
  return (url, line) => (url.endsWith('bench-server.mjs') ? `${moduleAt(line) ?? 'bundle'} (bundle:${line})` : shortLocation(url, line));
}

function print(title: string, top: HotSpot[], shares: Record<string, number>): string {
  const lines = [title, '  self%  total%  function'];
  for (const h of top) lines.push(`  ${h.selfPct.toFixed(1).padStart(5)}  ${h.totalPct.toFixed(1).padStart(6)}  ${h.fn}`);
  lines.push('  inclusive shares: ' + Object.entries(shares).map(([k, v]) => `${k} ${v.toFixed(1)}%`).join(', '));
  return lines.join('\n');
}

export async function runProfile(bundle: string, work: string, outDir: string, o: { runs: number; seconds: number; seed: number }): Promise<ProfileReport> {
  mkdirSync(outDir, { recursive: true });
  const bodies = sampleBodies(o.seed, Math.max(o.runs, 100));
  // Server: its own process, --cpu-prof written when it exits.
  const profDir = join(work, 'server-prof');
  const server = await startServer(bundle, 'reference', ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  let load;
  try {
    await loadServer(server, bodies.slice(0, 100), { connections: 16, durationS: 1 });
    load = await loadServer(server, bodies.slice(0, 100), { connections: 16, durationS: o.seconds });
  } finally {
    await server.stop();
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the server wrote no CPU profile');
  copyFileSync(join(profDir, file), join(outDir, 'server.cpuprofile'));
  const sp = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
  const serverShares = Object.fromEntries(Object.entries(SERVER_SHARES).map(([k, re]) => [k, inclusiveShare(sp, re)]));

  // Client: one property pass in this process, against a server that is not being profiled.
  const target = await startServer(bundle, 'reference');
  const session = new Session();
  session.connect();
  let pass;
  let cp: CpuProfile;
  try {
    await suitePass(target, { runs: 300, seed: o.seed + 1, reportDir: work });
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    pass = await suitePass(target, { runs: o.runs, seed: o.seed, reportDir: work });
    cp = (await session.post('Profiler.stop')).profile as unknown as CpuProfile;
  } finally {
    session.disconnect();
    await target.stop();
  }
  writeFileSync(join(outDir, 'client.cpuprofile'), JSON.stringify(cp));
  // The server's layers one by one, in this process, over the same bodies (no sockets, no profiler).
  const layers = await layerCosts(bodies.slice(0, 100), 10_000);
  const clientShares = Object.fromEntries(Object.entries(CLIENT_SHARES).map(([k, re]) => [k, inclusiveShare(cp, re)]));
  const run = await profileQuickRun(work, outDir, o.seed);
  const report: ProfileReport = {
    run,
    server: { requests: load.requests, perSec: load.perSec, cpuUsPerReq: load.serverCpuUsPerReq, top: hotSpots(sp, 15, inBundle(bundle)), shares: serverShares, layers },
    client: { runs: pass.runs, casesPerSec: pass.casesPerSec, top: hotSpots(cp), shares: clientShares },
  };
  process.stdout.write(`\n${print(`reference server under autocannon (${fmt(load.perSec)} req/s while profiled):`, report.server.top, serverShares)}\n\n`);
  const sum = layers.reduce((a, l) => a + (l.layer.startsWith(' ') ? 0 : l.usPerRequest), 0);
  process.stdout.write(`reference server layers, timed alone in this process over the same bodies (µs per request; the server used ${fmt(load.serverCpuUsPerReq)} µs of CPU per request under load, profiled):\n${layers.map((l) => `  ${fmt(l.usPerRequest).padStart(6)}  ${l.layer}`).join('\n')}\n  ${fmt(sum).padStart(6)}  together; the rest is node:http, sockets and GC\n\n`);
  process.stdout.write(`${print(`client, one property pass of ${pass.runs} cases (${fmt(pass.casesPerSec)} cases/s while profiled):`, report.client.top, clientShares)}\n\n`);
  process.stdout.write(`a quick run against the embedded server, every process profiled (${fmt(run.wallMs / 1000)} s wall, exit ${run.exitCode}; CPU ms by package, idle left out):\n`
    + run.processes.map((p) => `  ${p.role.padEnd(7)} ${fmt(p.busyMs).padStart(6)} ms: ${p.parts.map(([k, ms]) => `${k} ${fmt(ms)}`).join(', ')}`).join('\n') + '\n\n');
  writeFileSync(join(outDir, 'profile.json'), JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`profiles written to ${outDir} (open the .cpuprofile files in Chrome DevTools)\n`);
  return report;
}

/**
 * `raa-conformance run` (quick profile) with every Node process profiled through profile-preload.cjs: the command
 * (with the embedded server), Playwright's runner and each worker. Shows what the fixed cost of a run is made of.
 */
async function profileQuickRun(work: string, outDir: string, seed: number): Promise<ProfileReport['run']> {
  const dir = mkdtempSync(join(work, 'run-prof-'));
  const run = await conformanceRun(PROFILES.quick.numRuns, {
    seed, timeoutMs: 300_000, workDir: work, profile: 'quick',
    env: { NODE_OPTIONS: `--require ${join(ROOT, 'tools', 'bench', 'profile-preload.cjs')}`, BENCH_PROFILE_DIR: dir },
  });
  const order = ['cli', 'runner', 'worker', 'other'];
  const processes = readdirSync(dir).map((f) => {
    const { argv, profile } = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { argv: string[]; profile: CpuProfile };
    copyFileSync(join(dir, f), join(outDir, `run-${f}`));
    return { role: roleOf(argv.join(' ')), ...byPackage(profile) };
  }).sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
  return { wallMs: run.wallMs, exitCode: run.exitCode, processes };
}
