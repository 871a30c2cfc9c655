// The defect matrix: the conformance suite against the clean reference server (everything passes) and against the
// server with each defect of fixtures/defects.json, one process and port per run, with a fresh random seed each time.
// A defect is caught when the run fails, every requirement it lists is marked failed, and no other MUST requirement
// failed except those it names as incidental (an unlisted MUST failure means two checks overlap blindly, or the defect
// is not the bug its name says). Runs use --strict so that a defect breaking only SHOULDs still fails the run; MAY
// never gates, so a MAY-only defect must leave exit 0 with its requirement failed in the report. Each run attaches
// one row of the `defect-matrix` table, which the self reporter prints at the end of `npm test` with the score.
import { test, expect } from '@playwright/test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, requirementsById } from '../../src/contract';
import type { TableRow } from '../../src/self-reporter';
import { defectsFileSchema, type DefectsFile } from '../../schemas/defects';
import { cleanEnv, failingLines } from './support/run-suite';

const DEFECTS_FILE = join(ROOT, 'fixtures', 'defects.json');
const file = JSON.parse(readFileSync(DEFECTS_FILE, 'utf8')) as DefectsFile;

/** A run on a loaded 2-core machine takes well under a minute; past this it is killed and reported as errored. */
const RUN_TIMEOUT_MS = 8 * 60_000;

/** A matrix run's environment (see cleanEnv). Only conformance.json is read: RAA_REPORTS=minimal skips the HTML and JUnit reports. */
const runEnv = () => cleanEnv({ RAA_REPORTS: 'minimal' });

interface Run { code: number | null; output: string; seconds: number; timedOut: boolean }

/** `raa-conformance run …` in its own process group, killed (by its id) if it outlives RUN_TIMEOUT_MS. */
function runSuite(args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'raa-conformance.mjs'), ...args], { cwd: ROOT, env: runEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (chunk: Buffer) => { output = (output + chunk.toString('utf8')).slice(-200_000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, RUN_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, seconds: (performance.now() - started) / 1000, timedOut });
    });
  });
}

interface Verdict { id: string; level: string; status: string }
interface Report { seed: number; summary: { errored?: number }; requirements: Verdict[] }

function readReport(dir: string): Report | undefined {
  const p = join(dir, 'conformance.json');
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) as Report : undefined;
}

/** Why a run failed: its failing lines, or its last 40 lines when none match. */
function failureLines(output: string): string {
  return failingLines(output).join('\n') || output.split('\n').slice(-40).join('\n');
}

const short = (ids: readonly string[]) => ids.map((i) => i.replace(/^RAA-/, '')).join(' ') || '-';

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
      const run = await runSuite(['run', '--defects', 'no-such-defect', '--report-dir', dir]);
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain('unknown defect no-such-defect');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test.describe('the defect matrix', () => {
  test('the clean reference server passes every requirement', async ({}, testInfo) => {
    test.setTimeout(RUN_TIMEOUT_MS + 60_000);
    const dir = mkdtempSync(join(tmpdir(), 'raa-matrix-clean-'));
    try {
      const run = await runSuite(['run', '--strict', '--report-dir', dir]);
      const report = readReport(dir);
      const failed = report?.requirements.filter((r) => r.status === 'failed').map((r) => r.id) ?? [];
      await testInfo.attach('row:defect-matrix', { contentType: 'application/json', body: JSON.stringify({
        order: -1,
        cells: { defect: '(clean server)', area: '-', expected: 'nothing fails', result: run.code === 0 && failed.length === 0 ? 'passed' : `FAILED (exit ${run.code})`, 'other MUST failed': short(failed), seconds: run.seconds.toFixed(0), seed: String(report?.seed ?? '-') },
      } satisfies TableRow) });
      expect(run.output, 'the run used the embedded reference server').toContain('(embedded reference server');
      expect(report, `no conformance.json (exit ${run.code}):\n${failureLines(run.output)}`).toBeDefined();
      expect(report!.summary.errored ?? 0, `tests errored:\n${failureLines(run.output)}`).toBe(0);
      expect(failed, `requirements failed against the clean server:\n${failureLines(run.output)}`).toEqual([]);
      expect(run.code, 'exit code').toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [index, defect] of file.defects.entries()) {
    test(`${defect.name} is caught`, { annotation: { type: 'defect', description: defect.description } }, async ({}, testInfo) => {
      test.setTimeout(RUN_TIMEOUT_MS + 60_000);
      const dir = mkdtempSync(join(tmpdir(), `raa-matrix-${defect.name}-`));
      const row: TableRow = {
        order: index,
        score: 'defects caught',
        ok: false,
        cells: { defect: defect.name, area: defect.area, expected: [short(defect.requirements), ...(defect.incidental ?? []).map((i) => `${short([i])}?`)].join(' '), result: 'ERRORED', 'other MUST failed': '-', seconds: '-', seed: '-' },
      };
      try {
        // --strict: a SHOULD failure also fails the run, so a defect that only breaks SHOULDs still fails it.
        const run = await runSuite(['run', '--strict', '--defects', defect.name, '--report-dir', dir]);
        row.cells.seconds = run.seconds.toFixed(0);
        const report = readReport(dir);
        expect(run.timedOut, `the run took longer than ${RUN_TIMEOUT_MS / 1000} s and was stopped`).toBe(false);
        expect(report, `no conformance.json (exit ${run.code}):\n${failureLines(run.output)}`).toBeDefined();
        row.cells.seed = String(report!.seed);
        const status = new Map(report!.requirements.map((r) => [r.id, r.status]));
        const missed = defect.requirements.filter((id) => status.get(id) !== 'failed');
        const allowed = new Set([...defect.requirements, ...(defect.incidental ?? [])]);
        const unexpected = report!.requirements.filter((r) => r.status === 'failed' && r.level === 'MUST' && !allowed.has(r.id)).map((r) => r.id);
        const errored = report!.summary.errored ?? 0;
        // MAY never gates a run: a defect that only breaks MAY requirements shows in the report, not the exit code.
        const gating = defect.requirements.some((id) => requirementsById.get(id)?.level !== 'MAY');
        const caught = missed.length === 0 && unexpected.length === 0 && errored === 0 && run.code === (gating ? 1 : 0);
        row.ok = caught;
        row.cells['other MUST failed'] = short(unexpected);
        row.cells.result = caught ? 'caught' : errored || run.code === 2 || run.code === 3 ? `ERRORED (exit ${run.code}, ${errored} errored)` : missed.length ? `MISSED ${short(missed)}` : unexpected.length ? 'OVERLAP' : `exit ${run.code}`;
        const replay = `replay: node bin/raa-conformance.mjs run --strict --defects ${defect.name} --seed ${report!.seed}`;
        expect(errored, `${errored} test(s) errored (no verdict): ${replay}\n${failureLines(run.output)}`).toBe(0);
        expect(run.code === 2 || run.code === 3, `the run errored (exit ${run.code}): ${replay}\n${failureLines(run.output)}`).toBe(false);
        expect(missed, `listed requirements not marked failed: ${replay}`).toEqual([]);
        expect(unexpected, `MUST requirements failed that ${defect.name} does not list (overlapping checks, or a defect broader than its name): ${replay}`).toEqual([]);
        expect(run.code, gating ? 'the run fails (exit 1)' : 'a MAY-only defect does not gate the run (exit 0)').toBe(gating ? 1 : 0);
      } finally {
        await testInfo.attach('row:defect-matrix', { contentType: 'application/json', body: JSON.stringify(row) });
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
