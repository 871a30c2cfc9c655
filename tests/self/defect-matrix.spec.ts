// The defect matrix: the conformance suite against the clean reference server (everything passes) and against the
// server with each defect of fixtures/defects.json, each server on its own port (a share of them per process), all in one
// `raa-conformance matrix` run (one Playwright project per server) with a fresh random seed. A defect is caught
// when every requirement it lists is marked failed and no other MUST requirement failed except those it names as
// incidental (an unlisted MUST failure means two checks overlap blindly, or the defect is not the bug its name
// says); src/report/matrix.ts judges. The run is strict, so a defect breaking only SHOULDs still fails it; MAY never
// gates, so a MAY-only defect must leave exit 0 with its requirement failed. Each verdict attaches one row of the
// `defect-matrix` table, which the self reporter prints at the end of `npm test` with the score.
import { test, expect } from '@playwright/test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SEED_EXAMPLE_REQUEST, loadDefectsFile, requirementsById } from '../../src/contract';
import { CLEAN, cells, explainVerdict, type Verdict } from '../../src/report/matrix';
import type { TableRow } from '../../src/report/self-reporter';
import { defectsFileSchema } from '../../schemas/defects';
import { cleanEnv, failingLines, node } from './support/run-suite';
import { readValidReport } from './support/report-texts';
import { runCommandLine } from '../../src/cli/child';
import { randomBytes } from 'node:crypto';
import { TokenIssuer, bundleServer, startServerGroup } from '../../server/index';
import { referencePrincipals } from '../../src/cli/target';
import { selfRunName, setting } from '../../src/core/settings';
import { storeRun, storedRun } from './support/matrix-stamp';

const file = loadDefectsFile();

/** The whole matrix takes under 4 minutes on 2 idle cores; past this it is killed and every verdict errors. */
const RUN_TIMEOUT_MS = 40 * 60_000;

interface Run { code: number | null; output: string; seconds: number; timedOut: boolean }

/** `raa-conformance …` through the project's child runner (its process group killed past RUN_TIMEOUT_MS), both streams kept. */
async function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const r = await runCommandLine(args, { cwd: ROOT, env: cleanEnv(env), output: 'capture', timeoutMs: RUN_TIMEOUT_MS });
  // The tail of each stream: the run is kept in a stamp file that restarted workers read.
  return { code: r.code, output: `${r.stdout.slice(-150_000)}\n${r.stderr.slice(-50_000)}`, seconds: r.ms / 1000, timedOut: r.timedOut };
}

/** Why a run failed: its failing lines, or its last 40 lines when none match. */
function failureLines(output: string): string {
  return failingLines(output).join('\n') || output.split('\n').slice(-40).join('\n');
}

test.describe('the defect catalogue', () => {
  test('fixtures/defects.json conforms to its schema', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const validate = ajv.compile(defectsFileSchema);
    expect(validate(file), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const names = file.defects.map((d) => d.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i), 'defect names used twice').toEqual([]);
    expect(file.defects.length, 'the matrix holds at least 30 defects').toBeGreaterThanOrEqual(30);
    const unknown = file.defects.flatMap((d) => [...d.requirements, ...(d.incidental ?? [])].filter((r) => !requirementsById.has(r)).map((r) => `${d.name}: ${r}`));
    const both = file.defects.flatMap((d) => (d.incidental ?? []).filter((r) => d.requirements.includes(r)).map((r) => `${d.name}: ${r}`));
    expect(both, 'a requirement is either required to fail or incidental, not both').toEqual([]);
    expect(unknown, 'requirement ids that are not in schemas/requirements.json').toEqual([]);
  });

  test('every defect the server consults is declared, and every declared defect is consulted', () => {
    const consulted = new Set<string>();
    for (const f of readdirSync(join(ROOT, 'server')).filter((n) => n.endsWith('.ts'))) {
      for (const m of readFileSync(join(ROOT, 'server', f), 'utf8').matchAll(/defects\.has\('([a-z0-9-]+)'\)/g)) consulted.add(m[1]!);
    }
    const declared = new Set(file.defects.map((d) => d.name));
    expect([...consulted].filter((n) => !declared.has(n)), 'consulted in server/ but missing from fixtures/defects.json').toEqual([]);
    expect([...declared].filter((n) => !consulted.has(n)), 'declared in fixtures/defects.json but never consulted in server/').toEqual([]);
  });

  test('an unknown defect name is refused as bad input, not run as a clean server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raa-matrix-unknown-'));
    try {
      const run = await runCli(['run', '--defects', 'no-such-defect', '--report-dir', dir]);
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain('unknown defect no-such-defect');
      const matrix = await runCli(['matrix', '--defects', 'id-missing,no-such-defect', '--report-dir', dir]);
      expect(matrix.code, matrix.output).toBe(2);
      expect(matrix.output).toContain('unknown defect no-such-defect');
      const remote = await runCli(['matrix', '--defects', 'id-missing', '--report-dir', dir], { TARGET_BASE_URL: 'https://graph.microsoft.com/beta', PRINCIPALS_FILE: join(ROOT, 'fixtures', 'reference-principals.json') });
      expect(remote.code, remote.output).toBe(2);
      expect(remote.output).toContain('the defect matrix runs against the embedded reference server only');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('servers sharing a process are separate servers: own port, own store, own defects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'raa-group-'));
  const key = randomBytes(32).toString('hex');
  const group = await startServerGroup(await bundleServer(dir), [[], ['create-returns-200'], []], key);
  try {
    expect(new Set(group.map((g) => g.pid)).size, 'one process').toBe(1);
    expect(new Set(group.map((g) => g.baseUrl)).size, 'a port each').toBe(3);
    const principal = (await referencePrincipals(new TokenIssuer(new Uint8Array(Buffer.from(key, 'hex'))))).find((x) => x.name === 'app-rw')!;
    const create = (base: string) => fetch(`${base}/deviceManagement/remoteActionAudits`, { method: 'POST', body: JSON.stringify(SEED_EXAMPLE_REQUEST),
      headers: { authorization: `Bearer ${principal.token}`, 'content-type': 'application/json' } });
    expect((await create(group[0]!.baseUrl)).status, 'the clean server').toBe(201);
    expect((await create(group[1]!.baseUrl)).status, 'its neighbour with create-returns-200').toBe(200);
    const list = await fetch(`${group[2]!.baseUrl}/deviceManagement/remoteActionAudits`, { headers: { authorization: `Bearer ${principal.token}` } });
    expect(((await list.json()) as { value: unknown[] }).value, 'a third server sees none of the others\' records').toEqual([]);
  } finally {
    await Promise.all(group.map((g) => g.close()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test.describe('the matrix run a self-test reads', () => {
  test('a stored matrix run is reused only by the self-test run that stored it; a stale stamp is not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raa-matrix-stamp-'));
    try {
      const stamp = join(dir, 'self-run.json');
      storeRun(stamp, '1700000000000-4242', { code: 0 });
      expect(storedRun(stamp, '1700000000000-4242'), 'the same self-test run reads what it stored').toEqual({ code: 0 });
      expect(storedRun(stamp, setting('RAA_SELF_RUN')), 'this self-test run does not read an earlier run\'s matrix').toBeUndefined();
      expect(storedRun(stamp, undefined), 'no name, no reuse').toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('each self-test run is named afresh: a name inherited from a shell is replaced, a worker keeps its runner\'s', () => {
    // A runner (pid 300, started from a shell that exported an old name) takes a new name; its worker keeps it.
    const runner = selfRunName('1700000000000-4242', 300, 200, 1800000000000);
    expect(runner).toBe('1800000000000-300');
    expect(selfRunName(runner, 301, 300), 'a worker of that runner').toBe(runner);
    expect(selfRunName(undefined, 300, 200, 1800000000000)).toBe('1800000000000-300');
    // This worker's own name is its runner's.
    expect(setting('RAA_SELF_RUN')).toMatch(new RegExp(`^[0-9]+-${process.ppid}$`));
  });

  test('playwright.self.config.ts replaces a stale RAA_SELF_RUN from the environment', async () => {
    const r = await node(['--import', 'tsx', '--input-type=module', '-e', "await import('./playwright.self.config.ts'); console.log(process.env.RAA_SELF_RUN)"],
      { ...cleanEnv(), RAA_SELF_RUN: '1700000000000-4242' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[0-9]+-[0-9]+$/);
    expect(r.stdout.trim()).not.toBe('1700000000000-4242');
  });
});

/**
 * The one matrix run every verdict below reads. Its folder is named by the self-test run (RAA_SELF_RUN, set in
 * playwright.self.config.ts), so a worker that restarts after a failed verdict reads the same run, not a new one.
 */
const MATRIX_DIR = join(ROOT, 'reports', 'self', 'matrix');
let matrix: { run: Run; verdicts: Map<string, Verdict> } | undefined;

async function theMatrix(): Promise<{ run: Run; verdicts: Map<string, Verdict> }> {
  const stamp = join(MATRIX_DIR, 'self-run.json');
  const selfRun = setting('RAA_SELF_RUN');
  let run = storedRun<Run>(stamp, selfRun);
  if (!run) {
    rmSync(MATRIX_DIR, { recursive: true, force: true });
    mkdirSync(MATRIX_DIR, { recursive: true });
    // Narrowed unless asked: each defect against the tests of its requirements. The nightly (RAA_SELF_FULL_MATRIX=1)
    // runs each against the whole suite, which also proves that no other MUST fails with it.
    run = await runCli(['matrix', '--report-dir', MATRIX_DIR, ...(setting('RAA_SELF_FULL_MATRIX') ? [] : ['--narrow'])]);
    storeRun(stamp, selfRun, run);
  }
  const path = join(MATRIX_DIR, 'matrix.json');
  const file = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as { verdicts: Verdict[] } : { verdicts: [] };
  return { run, verdicts: new Map(file.verdicts.map((v) => [v.name, v])) };
}

/** A word each defect's cause shows in compare's first group, where the defect's name alone would not say it. */
const CAUSE: Record<string, RegExp> = {
  'device-imei-dropped': /deviceIMEI/, 'create-returns-200': /201 → 200/, 'location-missing': /header location/,
  'no-request-id': /request-id/i, 'odata-context-missing': /@odata\.context/, 'top-ignored': /\$top/,
  'datetime-millisecond-precision': /requestDateTime/, 'nextlink-repeats-record': /times listed/, 'metadata-text-plain': /content-type/,
  'error-envelope-innererror-mismatch': /oracle RAA-EVERY-ERROR-IDS/, 'stack-trace-in-error': /oracle RAA-EVERY-NO-STACK/,
  'parser-exception-in-error': /oracle RAA-EVERY-NO-INTERNALS/, 'key-percent-decoding-500': /→ 500/, 'create-minimal-201-empty': /RAA-CREATE-MINIMAL/,
  'refused-patch-half-applied': /after a refused update/, 'concurrent-create-id-race': /creates at once/,
  'concurrent-patch-lost-update': /PATCHes at once/, 'concurrent-delete-blanks-first': /racing a delete/,
};

test.describe('the defect matrix', () => {
  // In order, in one worker: the first verdict waits for the one matrix run, the others read it.
  test.describe.configure({ mode: 'default' });
  test.beforeAll(async () => {
    test.setTimeout(RUN_TIMEOUT_MS + 60_000);
    matrix = await theMatrix();
  });

  for (const [index, defect] of [undefined, ...file.defects].entries()) {
    const name = defect?.name ?? CLEAN;
    const title = defect ? `${name} is caught` : 'the clean reference server passes every requirement';
    test(title, defect ? { annotation: { type: 'defect', description: defect.description } } : {}, async ({}, testInfo) => {
      const v = matrix!.verdicts.get(name);
      const row: TableRow = v
        ? { order: index - 1, cells: cells(v), ...(defect ? { score: 'defects caught', ok: v.ok } : {}) }
        : { order: index - 1, cells: { defect: name, result: 'ERRORED (no verdict)' }, ...(defect ? { score: 'defects caught', ok: false } : {}) };
      await testInfo.attach('row:defect-matrix', { contentType: 'application/json', body: JSON.stringify(row) });
      expect(matrix!.run.timedOut, `the matrix took longer than ${RUN_TIMEOUT_MS / 1000} s and was stopped`).toBe(false);
      expect(v, `the matrix gave no verdict for ${name} (exit ${matrix!.run.code}):\n${failureLines(matrix!.run.output)}`).toBeDefined();
      expect(v!.ok, `${name}: ${v!.result}\n${explainVerdict(v!).join('\n')}`).toBe(true);
      if (defect) {
        // The verdict's own parts, so a change to src/report/matrix.ts cannot quietly call a miss a catch.
        expect(v!.missed).toEqual([]);
        expect(v!.unexpected).toEqual([]);
        expect(v!.exit, 'the exit code of the run with this defect alone').toBe(defect.requirements.some((id) => requirementsById.get(id)?.level !== 'MAY') ? 1 : 0);
        // The differential column: compare tells the defect apart from a clean reference, and says why first.
        expect(v!.compare?.differences, `compare against ${name}: ${v!.compare?.replay}`).toBeGreaterThan(0);
        if (CAUSE[name]) expect(v!.compare!.first, name).toMatch(CAUSE[name]!);
      }
    });
  }

  test('the matrix command exits 0 and prints the score', async ({}, testInfo) => {
    const line = matrix!.run.output.split('\n').find((l) => l.startsWith('matrix: '));
    // Its wall time, beside the table: the matrix shares the machine with the other self-tests here.
    await testInfo.attach('table:defect-matrix time', { contentType: 'text/plain', body: line ?? 'matrix: no timing line' });
    expect(matrix!.run.code, failureLines(matrix!.run.output)).toBe(0);
    expect(matrix!.run.output).toContain(`defects caught: ${file.defects.length}/${file.defects.length}`);
    // Narrowed as asked: each defect's report reads as a run of the tests citing its requirements, the clean one whole.
    const full = !!setting('RAA_SELF_FULL_MATRIX');
    expect((JSON.parse(readFileSync(join(MATRIX_DIR, 'matrix.json'), 'utf8')) as { narrowed?: boolean }).narrowed ?? false).toBe(!full);
    const selection = (name: string) => readValidReport(join(MATRIX_DIR, name, 'conformance.json')).selection;
    expect(selection(CLEAN)).toBeUndefined();
    const sample = file.defects[0]!;
    expect(selection(sample.name)).toBe(full ? undefined : `the tests citing ${sample.requirements.join(', ')}`);
  });

  test('no token reaches the matrix output or its reports', () => {
    // The tokens are minted inside the matrix command: look for anything shaped like a JWT instead.
    const jwt = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/;
    const texts: [string, string][] = [['output', matrix!.run.output]];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else texts.push([p, readFileSync(p, 'latin1')]);
      }
    };
    walk(MATRIX_DIR);
    expect(texts.length, 'reports to scan').toBeGreaterThan(60);
    expect(texts.filter(([, t]) => jwt.test(t)).map(([p]) => p)).toEqual([]);
    expect(texts.some(([, t]) => t.includes('Bearer [REDACTED]')), 'failure evidence shows the redacted header').toBe(true);
  });
});
