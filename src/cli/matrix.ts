// `raa-conformance matrix`: the suite against the reference server with each defect, every server on its own port
// (one process per worker hosts a share of them), all in one Playwright run (one project per server);
// src/report/matrix.ts judges each.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../contract';
import { loadConfig, type RunConfig } from '../config/config';
import { EXIT } from '../report/exit-code';
import { mapLimit } from '../transport/http';
import { CLEAN, judge, loadDefects, renderMatrix, withCompare } from '../report/matrix';
import { checkTarget } from './preflight-outcome';
import type { Principal } from '../auth/principals';
import { redactor } from '../core/redact';
import { buildRuntime, type MatrixProject, type PreflightOutcome } from '../config/runtime';
import { setting } from '../core/settings';
import { TokenIssuer, bundleServer, parseDefects, startServerGroup, type ServerProcess } from '../../server/index';
import { VERSION, cleanReports, playwrightSuite, scrubReports, withWorkDir, writeRuntime, writtenReport } from './core';
import { referencePrincipals } from './target';
import { compareColumn } from './matrix-compare';

export const help = `Usage: raa-conformance matrix [--defects LIST] [--report-dir DIR] [--seed N] [--workers N] [--narrow] [--no-compare] [-- <playwright options>]

Runs the suite (strict, quick profile) against the reference server without defects and with each defect
of fixtures/defects.json, every server on its own port (one process per worker hosts a share of them), all in
one Playwright run (one project per server). Writes DIR/<name>/conformance.json for each server, DIR/matrix.json and DIR/matrix.md,
and prints the table: a defect is caught when every requirement it lists failed and no other MUST did, and
\`compare\` (the same seeded stream to a clean reference and to that server) finds a difference.
  --defects LIST        only these defects (comma-separated; default: all)
  --report-dir DIR      default reports/matrix
  --workers N           servers tested side by side (default 2)
  --narrow              each defect's server runs only the tests citing its requirements (the clean server runs
                        them all): about a third of the time; it proves each defect caught, and leaves to the whole
                        matrix (the default) the proof that no other MUST fails with it
  --no-compare          leave out the differential column (compare against each defect mode)

Exit codes: 0 every defect caught and the clean server passed; 1 otherwise; 2 bad input; 3 no verdict.

Example:
  raa-conformance matrix --defects id-missing,nulls-accepted`;

interface Plan { config: RunConfig; workers: number; names: string[]; chosen: ReturnType<typeof loadDefects>; playwrightArgs: string[]; compare: boolean; narrow: boolean }

function plan(argv: string[]): Plan | undefined {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    defects: { type: 'string' }, 'report-dir': { type: 'string' }, seed: { type: 'string' }, workers: { type: 'string' }, 'no-compare': { type: 'boolean' }, narrow: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return undefined;
  const config = loadConfig({ CONFORMANCE_SEED: values.seed, CONFORMANCE_STRICT: '1', CONFORMANCE_PROFILE: 'quick', CONFORMANCE_REPORT_DIR: values['report-dir'] ?? setting('CONFORMANCE_REPORT_DIR') ?? join('reports', 'matrix') });
  if (config.targetBaseUrl) throw new ConfigError('the defect matrix runs against the embedded reference server only: unset TARGET_BASE_URL (and GRAPH_CLOUD)');
  const workers = Number(values.workers ?? 2);
  if (!Number.isInteger(workers) || workers < 1) throw new ConfigError(`--workers ${values.workers} is not a positive whole number`);
  const catalogueOfDefects = loadDefects();
  const chosen = values.defects === undefined ? catalogueOfDefects : [...parseDefects(values.defects)].map((n) => catalogueOfDefects.find((d) => d.name === n)!);
  if (config.expectationsFile) throw new ConfigError('CONFORMANCE_EXPECTATIONS does not apply to the defect matrix: every defect must be caught as it is');
  return { config, workers, names: [CLEAN, ...chosen.map((d) => d.name)], chosen, playwrightArgs: positionals, compare: !values['no-compare'], narrow: !!values.narrow };
}

/**
 * One server per name, in as many processes as the run has workers (server/process.ts hosts several, each on its own
 * port): name i goes to process i mod workers, so the modes Playwright tests side by side (neighbours in `names`)
 * are served by different processes, one per core. Each server is checked with the preflight a user's run takes (with
 * the same principals): its findings are filed in that server's report, and a server a user's run would refuse to
 * test (exit 2) is kept in `refused`, a miss. In `names`' order.
 */
async function startServers(p: Plan, workDir: string, key: string, servers: ServerProcess[], principals: Principal[], refused: Map<string, string>): Promise<MatrixProject[]> {
  const bundle = await bundleServer(workDir);
  const defectsOf = (name: string) => (name === CLEAN ? [] : [name]);
  const groups = Array.from({ length: Math.min(p.workers, p.names.length) }, (_, g) => p.names.filter((_, i) => i % p.workers === g));
  const started = await Promise.all(groups.map(async (names) => {
    const group = await startServerGroup(bundle, names.map(defectsOf), key);
    servers.push(...group);
    return names.map((name, i) => [name, group[i]!] as const);
  }));
  const byName = new Map(started.flat());
  const projects: MatrixProject[] = [];
  await mapLimit(p.names, 2, async (name) => {
    const sv = byName.get(name)!;
    let preflight: PreflightOutcome | undefined;
    try {
      preflight = await checkTarget(sv.baseUrl, principals);
    } catch (e) {
      if (!(e instanceof ConfigError) || name === CLEAN) throw e;
      refused.set(name, e.message);
    }
    const requirements = p.narrow ? p.chosen.find((d) => d.name === name)?.requirements : undefined;
    projects.push({ name, target: sv.baseUrl, defects: defectsOf(name), reportDir: join(p.config.reportDir, name), ...(preflight ? { preflight } : {}), ...(requirements ? { requirements: [...requirements] } : {}) });
  });
  return projects.sort((a, b) => p.names.indexOf(a.name) - p.names.indexOf(b.name));
}

export async function main(argv: string[]): Promise<number> {
  const p = plan(argv);
  if (!p) { process.stdout.write(help + '\n'); return EXIT.ok; }
  // One token key for every server: the principals' tokens are minted once and valid on each of them.
  const key = randomBytes(32).toString('hex');
  redactor.add(key);
  const servers: ServerProcess[] = [];
  // Servers of one process share its close(), which stops the process once.
  const stopAll = () => Promise.all(servers.map((sv) => sv.close()));
  try {
    return await withWorkDir('raa-matrix-', (dir) => runMatrix(p, dir, key, servers), stopAll);
  } finally {
    await stopAll();
  }
}

async function runMatrix(p: Plan, workDir: string, key: string, servers: ServerProcess[]): Promise<number> {
  const { config } = p;
  const principals = await referencePrincipals(new TokenIssuer(new Uint8Array(Buffer.from(key, 'hex'))));
  const started = performance.now();
  const refused = new Map<string, string>();
  const projects = await startServers(p, workDir, key, servers, principals, refused);
  const serversReady = performance.now() - started;
  process.stdout.write(`raa-conformance matrix: ${projects.length} reference servers (clean + ${p.chosen.length} defects) started in ${(serversReady / 1000).toFixed(1)} s, seed ${config.seed}\n`);
  // Only what the matrix is about: a run's own defects, history and acceptances do not apply to it.
  const settings = { ...config, strict: true, defects: [], historyDir: undefined, allowPartial: false, requireMetadata: false };
  const runtime = buildRuntime(settings, { target: projects[0]!.target, principals, embedded: true, secrets: [key] }, VERSION, { projects });
  const runtimeFile = writeRuntime(workDir, runtime);
  cleanReports(config.reportDir);
  for (const f of ['matrix.json', 'matrix.md', ...p.names]) rmSync(join(config.reportDir, f), { recursive: true, force: true });
  const code = await playwrightSuite('test', p.playwrightArgs, runtimeFile, { CONFORMANCE_WORKERS: String(p.workers), RAA_REPORTS: 'minimal' });
  scrubReports(config.reportDir, [...principals.map((x) => x.token), key]);
  // The differential column, while the servers still run: the same machinery, no second matrix.
  const compared = p.compare ? await compareColumn(projects, principals, config.seed) : new Map();
  const verdicts = p.names.map((name) => withCompare(judge(p.chosen.find((d) => d.name === name), writtenReport(join(config.reportDir, name)), refused.get(name)), compared.get(name)));
  const seconds = Math.round((performance.now() - started) / 1000);
  const startSeconds = Math.round(serversReady / 1000);
  writeFileSync(join(config.reportDir, 'matrix.json'), JSON.stringify({ seed: config.seed, ...(p.narrow ? { narrowed: true } : {}), playwrightExit: code, seconds, serverStartSeconds: startSeconds, verdicts }, null, 2) + '\n');
  const table = renderMatrix(verdicts);
  writeFileSync(join(config.reportDir, 'matrix.md'), table.markdown);
  process.stdout.write(`\n${table.text}\n\nmatrix: ${projects.length} servers in ${seconds} s (${startSeconds} s to start them), ${p.workers} worker(s)${p.narrow ? ', narrowed (each defect against the tests of its requirements)' : ''}; reports in ${config.reportDir}\n`);
  if (verdicts.some((v) => v.result.startsWith('ERRORED'))) return EXIT.error;
  return verdicts.every((v) => v.ok) ? EXIT.ok : EXIT.nonConformant;
}
