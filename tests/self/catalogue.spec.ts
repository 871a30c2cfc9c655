// The requirement catalogue against the conformance tests and the defect matrix: every MUST and SHOULD has a test,
// every cited id exists, ids are unique, and every requirement with a test is made to fail by at least one defect
// of fixtures/defects.json (those that are not are printed; a MUST that is not fails).
import { test, expect } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, catalogue, loadDefectsFile } from '../../src/contract';
import { DEFECT_NAMES_FILE, FAULT_MODEL_FILE, REGENERATE, faultModelWithTables, renderDefectNames } from '../../tools/catalogue';
import type { Principal } from '../../src/auth/principals';
import type { Runtime } from '../../src/config/runtime';
import { DEFECT_NAMES } from '../../server/defects';
import { node } from './support/run-suite';

const require = createRequire(import.meta.url);
const defectsFile = loadDefectsFile();
const defects = defectsFile.defects;

interface ListedSpec { title: string; file: string; line: number; tags: string[]; tests: { annotations: { type: string; description?: string }[] }[] }
interface ListedSuite { specs?: ListedSpec[]; suites?: ListedSuite[] }

/** Requirement id → titles of the conformance tests citing it, from `playwright test --list` with a stand-in runtime. */
let cited: Map<string, string[]>;
/** Every `@RAA-…` tag and requirement annotation seen, whether or not the catalogue knows it. */
let citedIds: string[];

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'raa-catalogue-'));
  try {
    // The reference principals with stand-in tokens: listing runs no test, but the files read the principals.
    const specs = (JSON.parse(readFileSync(join(ROOT, 'fixtures', 'reference-principals.json'), 'utf8')) as { principals: (Omit<Principal, 'token' | 'tokenState'> & { tokenState?: Principal['tokenState'] })[] }).principals;
    const principals: Principal[] = specs.map((p) => ({ name: p.name, type: p.type, permissions: p.permissions, tokenState: p.tokenState ?? 'valid', token: `stand-in-token-${p.name}`, ...(p.tenant ? { tenant: p.tenant } : {}) }));
    const runtime: Runtime = {
      runId: 'catalogue', marker: 'raa-conformance/catalogue/', target: 'http://127.0.0.1:9/beta', embedded: true, principals,
      seed: 1, profile: 'quick', numRuns: 1, propertyBudgetMs: 0, strict: false, allowWrites: false, timeoutMs: 1000, rateLimit: 0,
      reportDir: join(dir, 'reports'), suiteVersion: 'catalogue', defects: [], secrets: [],
    };
    const runtimeFile = join(dir, 'runtime.json');
    writeFileSync(runtimeFile, JSON.stringify(runtime));
    const env: NodeJS.ProcessEnv = { ...process.env, RAA_RUNTIME: runtimeFile };
    const { code, stdout, stderr } = await node([require.resolve('@playwright/test/cli'), 'test', '--list', '--reporter=json', '-c', join(ROOT, 'playwright.config.ts')], env);
    expect(code, stderr).toBe(0);
    const listed = JSON.parse(stdout) as { suites: ListedSuite[]; errors?: unknown[] };
    cited = new Map();
    const seen = new Set<string>();
    const walk = (s: ListedSuite) => {
      for (const spec of s.specs ?? []) {
        const ids = new Set([
          ...spec.tags.filter((t) => /^@?RAA-/.test(t)).map((t) => t.replace(/^@/, '')),
          ...spec.tests.flatMap((t) => t.annotations.filter((a) => a.type === 'requirement').map((a) => a.description ?? '')),
        ]);
        for (const id of ids) {
          seen.add(id);
          cited.set(id, [...(cited.get(id) ?? []), `${spec.file}:${spec.line} ${spec.title}`]);
        }
      }
      for (const child of s.suites ?? []) walk(child);
    };
    for (const s of listed.suites) walk(s);
    citedIds = [...seen];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('requirement ids are unique', () => {
  const ids = catalogue.requirements.map((r) => r.id);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
});

test('every cited requirement id exists in the catalogue', () => {
  const known = new Set(catalogue.requirements.map((r) => r.id));
  expect(citedIds.length, 'the listing found citations').toBeGreaterThan(0);
  expect(citedIds.filter((id) => !known.has(id))).toEqual([]);
});

test('every MUST and SHOULD requirement has at least one test', () => {
  const untested = catalogue.requirements.filter((r) => r.level !== 'MAY' && !cited.has(r.id)).map((r) => `${r.id} (${r.level})`);
  expect(untested).toEqual([]);
});

test('every requirement with a test is caught by at least one defect', async ({}, testInfo) => {
  const caughtBy = new Map<string, string[]>();
  for (const d of defects) for (const id of d.requirements) caughtBy.set(id, [...(caughtBy.get(id) ?? []), d.name]);
  const rows = catalogue.requirements.filter((r) => cited.has(r.id)).map((r) => ({ id: r.id, level: r.level, tests: cited.get(r.id)!.length, defects: caughtBy.get(r.id) ?? [] }));
  const uncovered = rows.filter((r) => r.defects.length === 0);
  const width = Math.max(...rows.map((r) => r.id.length));
  const lines = [
    'catalogue coverage: requirements with a test, and the defects that make each fail',
    `${'requirement'.padEnd(width)}  level   tests  defects`,
    ...rows.map((r) => `${r.id.padEnd(width)}  ${r.level.padEnd(6)}  ${String(r.tests).padStart(5)}  ${r.defects.length ? r.defects.join(', ') : '(none: no defect proves this check bites)'}`),
    '',
    `requirements caught by a defect: ${rows.length - uncovered.length}/${rows.length}${uncovered.length ? ` (not caught: ${uncovered.map((r) => `${r.id} ${r.level}`).join(', ')})` : ''}`,
  ];
  await testInfo.attach('table:catalogue coverage', { body: lines.join('\n'), contentType: 'text/plain' });
  expect(uncovered.filter((r) => r.level === 'MUST').map((r) => r.id), 'MUST requirements no defect makes fail').toEqual([]);
});

test('the fault model (fixtures/defects.json faults) places every requirement and defect, and names only ones that exist', () => {
  const faults = defectsFile.faults ?? [];
  expect(faults.length, 'the fault model has rows').toBeGreaterThan(50);
  const known = new Set(catalogue.requirements.map((r) => r.id));
  const defectNames = new Set(defects.map((d) => d.name));
  expect(faults.flatMap((f) => f.requirements.filter((id) => !known.has(id)).map((id) => `${f.fault}: ${id}`)), 'unknown requirements').toEqual([]);
  expect(faults.flatMap((f) => f.defects.filter((d) => !defectNames.has(d)).map((d) => `${f.fault}: ${d}`)), 'unknown defect modes').toEqual([]);
  const namedDefects = new Set(faults.flatMap((f) => f.defects));
  expect(defects.map((d) => d.name).filter((d) => !namedDefects.has(d)), 'defect modes the fault model does not place').toEqual([]);
  const namedRequirements = new Set(faults.flatMap((f) => f.requirements));
  expect(catalogue.requirements.map((r) => r.id).filter((id) => !namedRequirements.has(id)), 'requirements the fault model does not place').toEqual([]);
});

test('docs/FAULT-MODEL.md\'s tables are the ones the catalogues generate (never parsed back)', () => {
  const text = readFileSync(FAULT_MODEL_FILE, 'utf8');
  expect(faultModelWithTables(text) === text, `docs/FAULT-MODEL.md's tables differ from fixtures/defects.json: run ${REGENERATE}`).toBe(true);
});

test('the server\'s defect names (the type its code is checked against) are generated from fixtures/defects.json', () => {
  // A name only in the type would be a defect the matrix never tries; one only in the file, one the server lacks.
  expect(readFileSync(DEFECT_NAMES_FILE, 'utf8') === renderDefectNames(), `server/defect-names.ts is stale: run ${REGENERATE}`).toBe(true);
  expect([...DEFECT_NAMES]).toEqual(defects.map((d) => d.name));
});
