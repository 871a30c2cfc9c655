// The npm package as its users get it: `npm pack`, then `npm install <tarball>` in an empty folder (no clone, no
// development dependencies, no TypeScript compiler), then `npx raa-conformance` runs the suite against the embedded
// reference server, serves it, and answers every other command from the compiled JavaScript (scripts/build.mjs).
// RAA_PACKAGE_NODES (node binaries, separated by spaces) runs the installed package under those Nodes instead of
// this one: .ci/run passes Node 22, 24 and 26 from the npm registry after `npm test`.
import { test, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ConformanceReport } from '../../src/core/report-types';
import type { DriftReport } from '../../src/metadata/drift';
import { ROOT, cleanEnv } from './support/run-suite';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const NODES = (process.env.RAA_PACKAGE_NODES ?? process.execPath).split(/\s+/).filter(Boolean);
/** Property runs per property in the package's runs: the point is that the package runs, not the target. */
const NUM_RUNS = '10';
/** Installing takes a few seconds from a warm npm cache and a minute or more from a cold one. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const COMMAND_TIMEOUT_MS = 5 * 60_000;

interface Packed { size: number; unpackedSize: number; entryCount: number; filename: string; files: { path: string }[] }
interface Done { code: number | null; stdout: string; stderr: string }

let work = '';
let app = '';
let packed: Packed;

/**
 * The environment of a user's shell: the caller's without the suite's settings (cleanEnv) and without what
 * `npm test` hands its scripts (npm_config_local_prefix would point npm at this clone), keeping the npm cache
 * and config; `node` is the given one, first on PATH, so `npx` and the package's bin both run under it.
 */
function userEnv(node: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_registry']);
  const env = Object.fromEntries(Object.entries(cleanEnv(extra)).filter(([k]) => !/^(npm_|INIT_CWD$)/i.test(k) || keep.has(k)));
  return { ...env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` };
}

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeout = COMMAND_TIMEOUT_MS): Promise<Done> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, timeout);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

const npx = (node: string, args: string[], extra: Record<string, string> = {}) => sh('npx', ['raa-conformance', ...args], app, userEnv(node, extra));
const tail = (d: Done) => `exit ${d.code}\n--- stdout\n${d.stdout.slice(-3000)}\n--- stderr\n${d.stderr.slice(-3000)}`;
const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;

test.describe('the npm package', () => {
  // In order, in one worker: one pack and one install serve every test.
  test.describe.configure({ mode: 'default', timeout: COMMAND_TIMEOUT_MS });

  test.beforeAll(async () => {
    test.setTimeout(INSTALL_TIMEOUT_MS);
    work = mkdtempSync(join(tmpdir(), 'raa-package-'));
    app = join(work, 'app');
    mkdirSync(app);
    // npm pack runs prepack (scripts/build.mjs), which compiles dist/.
    const pack = await sh('npm', ['pack', '--pack-destination', work, '--json'], ROOT, userEnv(process.execPath), INSTALL_TIMEOUT_MS);
    expect(pack.code, tail(pack)).toBe(0);
    packed = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Packed[])[0]!;
    // An empty folder, as a user's is; the package.json keeps npm from looking for a project above it.
    writeFileSync(join(app, 'package.json'), '{ "private": true }\n');
    const install = await sh('npm', ['install', '--no-audit', '--no-fund', join(work, packed.filename)], app, userEnv(process.execPath), INSTALL_TIMEOUT_MS);
    expect(install.code, tail(install)).toBe(0);
  });

  test.afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('it carries the compiled suite, its data and its documents, and no sources or self-tests', async ({}, testInfo) => {
    await testInfo.attach('table:npm package', { contentType: 'text/plain',
      body: `${packed.filename}: packed ${kB(packed.size)}, unpacked ${kB(packed.unpackedSize)}, ${packed.entryCount} files` });
    const files = packed.files.map((f) => f.path);
    for (const needed of ['bin/raa-conformance.mjs', 'dist/src/cli.js', 'dist/playwright.config.js', 'dist/src/report/reporter.js', 'dist/server/process.js',
      'schemas/requirements.json', 'schemas/permissions.json', 'fixtures/defects.json', 'fixtures/reference-principals.json', 'README.md', 'INTERPRETING.md', 'package.json']) {
      expect(files, needed).toContain(needed);
    }
    const specs = (dir: string): string[] => readdirSync(join(ROOT, dir), { withFileTypes: true })
      .flatMap((e) => e.isDirectory() ? specs(join(dir, e.name)) : e.name.endsWith('.spec.ts') ? [`dist/${join(dir, e.name).replace(/\.ts$/, '.js')}`] : []);
    expect(files.filter((f) => f.startsWith('dist/tests/contract/')).sort(), 'the suite\'s spec files, compiled').toEqual(specs(join('tests', 'contract')).sort());
    expect(files.filter((f) => f.endsWith('.ts') || /^(src|server|tests|scripts|docs|reports)\//.test(f) || f.startsWith('dist/tests/self/'))).toEqual([]);
    // What runs it is in the user's folder; what only builds or develops it is not.
    for (const dev of ['typescript', 'tsx', 'esbuild', 'autocannon']) expect(existsSync(join(app, 'node_modules', dev)), `${dev} installed`).toBe(false);
    expect(existsSync(join(app, 'node_modules', '.bin', 'raa-conformance'))).toBe(true);
  });

  for (const node of NODES) {
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const under = `(Node ${version})`;

    test(`npx raa-conformance --version prints the package's version ${under}`, async () => {
      const v = await sh('node', ['--version'], app, userEnv(node));
      expect(v.stdout.trim(), 'the node npx and the bin run under').toBe(version);
      const r = await npx(node, ['--version']);
      expect(r.code, tail(r)).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    });

    test(`npx raa-conformance run is CONFORMANT against the embedded reference server and writes the reports ${under}`, async () => {
      rmSync(join(app, 'reports'), { recursive: true, force: true });
      const r = await npx(node, ['run'], { CONFORMANCE_NUM_RUNS: NUM_RUNS });
      expect(r.code, tail(r)).toBe(0);
      expect(r.stdout).toMatch(/^CONFORMANT: /m);
      for (const f of ['conformance.json', 'conformance.md', 'conformance.html']) expect(existsSync(join(app, 'reports', f)), `reports/${f}`).toBe(true);
      const report = JSON.parse(readFileSync(join(app, 'reports', 'conformance.json'), 'utf8')) as ConformanceReport & { verdict?: string };
      expect(report.verdict).toBe('CONFORMANT');
      expect(report.suiteVersion).toBe(pkg.version);
      expect(report.summary.failed + (report.summary.errored ?? 0) + (report.summary.notTested ?? 0)).toBe(0);
    });

    test(`diff and pin read the package's report ${under}`, async () => {
      const report = join(app, 'reports', 'conformance.json');
      const diff = await npx(node, ['diff', report, report]);
      expect(diff.code, tail(diff)).toBe(0);
      expect(diff.stdout).toContain('no regression');
      const pin = await npx(node, ['pin', '--report', report, '--out', join(work, 'regressions.json')]);
      expect(pin.code, tail(pin)).toBe(0);
      // A conformant run has no counterexample: pin read the report and says so by name.
      expect(pin.stdout.trim()).toBe(`nothing new to pin from ${report}`);
    });

    test(`npx raa-conformance serve --port 0 prints its URL and answers with the tokens it prints; cleanup reads it ${under}`, async () => {
      const principalsOut = join(work, `principals-${version}.json`);
      const child = spawn('npx', ['raa-conformance', 'serve', '--port', '0', '--principals-out', principalsOut], { cwd: app, env: userEnv(node), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const exited = new Promise<void>((done) => child.once('close', () => done()));
      try {
        let out = '';
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`serve printed no URL within 60 s:\n${out}`)), 60_000);
          child.stderr.on('data', (d) => { out += d; });
          child.stdout.on('data', (d) => {
            out += d;
            const m = /^reference server listening on (http:\/\/127\.0\.0\.1:[0-9]+\/beta)$/m.exec(out);
            if (m && existsSync(principalsOut)) { clearTimeout(timer); resolve(m[1]!); }
          });
          child.once('close', (code) => { clearTimeout(timer); reject(new Error(`serve exited (${code}):\n${out}`)); });
        });
        const { principals } = JSON.parse(readFileSync(principalsOut, 'utf8')) as { principals: { name: string; token: string }[] };
        const token = principals.find((p) => p.name === 'app-rw')!.token;
        const res = await fetch(`${url}/deviceManagement/remoteActionAudits`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        expect(Array.isArray(((await res.json()) as { value: unknown }).value)).toBe(true);
        const cleanup = await npx(node, ['cleanup', '--target', url, '--principals', principalsOut, '--dry-run']);
        expect(cleanup.code, tail(cleanup)).toBe(0);
        expect(cleanup.stdout).toContain('dry run: nothing deleted');
      } finally {
        try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
        await exited;
      }
    });

    test(`sharded runs merge, and the matrix starts its servers from the compiled server ${under}`, async () => {
      const shard = (i: number) => npx(node, ['run', '--seed', '7707', '--shard', `${i}/2`, '--report-dir', join(work, `shard-${i}`)], { CONFORMANCE_NUM_RUNS: NUM_RUNS });
      const one = await shard(1);
      expect(one.code, tail(one)).toBe(0);
      const two = await shard(2);
      expect(two.code, tail(two)).toBe(0);
      const merge = await npx(node, ['merge', '--report-dir', join(work, 'merged'), join(work, 'shard-1'), join(work, 'shard-2')]);
      expect(merge.code, tail(merge)).toBe(0);
      expect(merge.stdout).toMatch(/^CONFORMANT: /m);
      const defect = (JSON.parse(readFileSync(join(ROOT, 'fixtures', 'defects.json'), 'utf8')) as { defects: { name: string }[] }).defects[0]!.name;
      // The matrix's own profile (quick, 200 runs per property): fewer runs may miss a defect the model catches.
      const matrix = await npx(node, ['matrix', '--defects', defect, '--report-dir', join(work, 'matrix')]);
      expect(matrix.code, tail(matrix)).toBe(0);
      expect(matrix.stdout).toContain('defects caught: 1/1');
    });

    test(`drift compares the contract with the CSDL slice the package carries ${under}`, async () => {
      const slice = join(app, 'node_modules', pkg.name, 'fixtures', 'csdl', 'beta-remoteActionAudit-slice.xml');
      const r = await npx(node, ['drift', '--csdl', slice, '--report-dir', join(work, 'drift')]);
      expect(r.code, tail(r)).toBe(0);
      // The slice the package carries differs from the contract only by the documented newer members.
      const report = JSON.parse(readFileSync(join(work, 'drift', 'drift.json'), 'utf8')) as DriftReport;
      expect(report.entity).toMatch(/remoteActionAudit$/);
      expect(report.changes.length, 'the documented differences').toBeGreaterThan(0);
      expect(report.changes.filter((c) => !c.known)).toEqual([]);
      expect(report.mustTouched).toEqual([]);
      expect(report.exitCode).toBe(0);
      expect(readFileSync(join(work, 'drift', 'drift.md'), 'utf8')).toContain('remoteActionAudit');
    });

    test(`every command answers --help; self-test says it needs a clone, and the bench is no command of the package ${under}`, async () => {
      const help = await npx(node, ['--help']);
      expect(help.code, tail(help)).toBe(0);
      const commands = [...help.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
      expect(help.stdout).toContain('Usage: raa-conformance <command>');
      expect(commands).toEqual(expect.arrayContaining(['run', 'serve', 'cleanup', 'pin', 'diff', 'drift', 'merge', 'matrix', 'compare', 'self-test']));
      expect(commands, 'the bench is development tooling (npm run bench in a clone)').not.toContain('bench');
      for (const command of commands.filter((c) => c !== 'self-test')) {
        const r = await npx(node, [command, '--help']);
        expect(r.code, `${command} --help\n${tail(r)}`).toBe(0);
        expect(r.stdout, `${command} --help prints its own usage`).toMatch(new RegExp(`^Usage: raa-conformance ${command}( |$)`, 'm'));
        expect(r.stderr, `${command} --help`).toBe('');
      }
      for (const command of ['self-test']) {
        const r = await npx(node, [command]);
        expect(r.code, tail(r)).toBe(2);
        expect(r.stderr).toContain('needs a clone');
      }
    });
  }
});
