// What keeps CI honest about the self-tests themselves: a test.only left in a commit is refused, a skip nobody
// listed fails the run (tests/self/expected-skips.json holds the ones CI expects, each with its reason).
import { expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPECTED_SKIPS_FILE, loadExpectedSkips, unexpectedSkips } from '../../src/report/self-reporter';
import { ROOT, cleanEnv, node } from './support/run-suite';
import { loadConfig } from '../../src/config/config';
import { buildRuntime } from '../../src/config/runtime';

test('expected-skips.json gives every skip CI allows a file, a title and a reason', () => {
  const skips = loadExpectedSkips(join(ROOT, EXPECTED_SKIPS_FILE));
  for (const s of skips) expect(s.reason.length, `${s.file} › ${s.title}`).toBeGreaterThan(10);
});

test('a skip is unexpected unless its file and title are listed', () => {
  const skip = { file: 'tests/self/a.spec.ts', title: 'needs a tool', reason: 'tool not available' };
  expect(unexpectedSkips([skip], [])).toEqual([skip]);
  expect(unexpectedSkips([skip], [{ file: 'tests/self/a.spec.ts', title: 'needs a tool', reason: 'only on Windows' }])).toEqual([]);
  expect(unexpectedSkips([skip], [{ file: 'tests/self/b.spec.ts', title: 'needs a tool', reason: 'another file' }])).toEqual([skip]);
});

/** A throwaway Playwright project under reports/ (so it resolves the project's node_modules) run with the self reporter. */
async function miniRun(spec: string, env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  const dir = join(ROOT, 'reports', 'self', `ci-discipline-${process.pid}-${test.info().workerIndex}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, 'one.spec.ts'), `import { test } from '@playwright/test';\n${spec}\n`);
    // The project's own self config's settings that matter here, pointed at this folder.
    writeFileSync(join(dir, 'playwright.config.ts'), `import { defineConfig } from '@playwright/test';
export default defineConfig({ testDir: '.', forbidOnly: !!process.env.CI, reporter: [[${JSON.stringify(join(ROOT, 'src', 'report', 'self-reporter.ts'))}]] });\n`);
    const r = await node([join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '-c', join(dir, 'playwright.config.ts')], cleanEnv(env), { timeoutMs: 60_000 });
    return { status: r.code, out: `${r.stdout}\n${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('under CI an unlisted skip fails the self-test run and is named with its reason; outside CI it only counts', async () => {
  const spec = `test('runs', () => {});\ntest('skips', () => { test.skip(true, 'no widget here'); });`;
  const ci = await miniRun(spec, { CI: '1' });
  expect(ci.status, ci.out).toBe(1);
  expect(ci.out).toContain('skips (skipped, not in tests/self/expected-skips.json): no widget here');
  expect(ci.out).toContain('1 passed, 0 failed, 1 skipped (1 unexpected under CI)');
  const dev = await miniRun(spec, { CI: '' });
  expect(dev.status, dev.out).toBe(0);
  expect(dev.out).toContain('1 passed, 0 failed, 1 skipped');
});

test('both Playwright configs refuse test.only under CI', async () => {
  // The suite's config reads the run's runtime file when it loads (schema-checked): one as a run writes it.
  const runtime = join(mkdtempSync(join(tmpdir(), 'raa-only-')), 'runtime.json');
  const settings = loadConfig({ CONFORMANCE_REPORT_DIR: join(tmpdir(), 'raa-only-reports') }, '/nonexistent/.env');
  writeFileSync(runtime, JSON.stringify(buildRuntime(settings, { target: 'http://127.0.0.1:9/beta', principals: [], embedded: true, secrets: [] }, '0.0.0')));
  for (const config of ['playwright.config.ts', 'playwright.self.config.ts']) {
    const r = await node(['--import', 'tsx', '--input-type=module', '-e',
      `const c = (await import('./${config}')).default; console.log(JSON.stringify(c.forbidOnly));`], cleanEnv({ CI: '1', RAA_RUNTIME: runtime }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim(), config).toBe('true');
  }
  const only = await miniRun(`test.only('alone', () => {});\ntest('other', () => {});`, { CI: '1' });
  expect(only.status, only.out).toBe(1);
  expect(only.out).toMatch(/focused with '\.only' is not allowed due to the 'forbidOnly' option/);
});
