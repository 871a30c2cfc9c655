// The suite's uses of Playwright beyond its documented API (src/suite/playwright-adapter.ts), proven on the version
// the lockfile pins: a finding keeps the worker, a suite bug does not, and every reporter still shows both as
// failures. An upgrade that changes either behaviour fails here, by name.
import { expect, test } from '@playwright/test';
import { runNode } from '../../src/cli/child';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../../src/contract';
import { KEPT_WORKER } from '../../src/suite/playwright-adapter';

const require = createRequire(import.meta.url);
const pinned = (JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> }).packages['node_modules/@playwright/test']?.version;

const SPEC = `
import { baseTest, keepWorkerAfterFinding } from ${JSON.stringify(join(ROOT, 'src', 'suite', 'playwright-adapter.ts'))};
const test = baseTest.extend<{ keep: void }>({
  keep: [async ({}, use, testInfo) => { await use(); keepWorkerAfterFinding(testInfo, (e) => (e?.message ?? '').includes('Finding:')); }, { auto: true }],
});
const pid = () => test.info().annotations.push({ type: 'pid', description: String(process.pid) });
test('a finding', () => { pid(); throw new Error('Finding: the target broke a rule'); });
test('after the finding', () => { pid(); });
test('a suite bug', () => { pid(); throw new Error('TypeError: the suite broke'); });
test('after the bug', () => { pid(); });
test('a pass', ({ }, testInfo) => { pid(); if ('page' in testInfo) throw new Error('browser fixtures'); });
`;

interface JsonTest { title: string; status: string; annotations: { type: string; description?: string }[]; expectedStatus: string }

test('a finding keeps the worker, a suite bug does not, and every reporter shows both as failures', async () => {
  const dir = join(ROOT, 'reports', 'self', `adapter-${process.pid}-${test.info().workerIndex}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, 'adapter.spec.ts'), SPEC);
    writeFileSync(join(dir, 'playwright.config.ts'), `export default ${JSON.stringify({
      testDir: dir, workers: 1, fullyParallel: false, retries: 0,
      reporter: [[join(ROOT, 'src', 'suite', 'playwright-adapter.ts')], ['json', { outputFile: join(dir, 'out.json') }], ['junit', { outputFile: join(dir, 'junit.xml') }]],
    })};\n`);
    const code = (await runNode([require.resolve('@playwright/test/cli'), 'test', '-c', join(dir, 'playwright.config.ts')], { cwd: ROOT, output: 'ignore' })).code ?? -1;
    expect(code, 'Playwright fails the run: two tests failed').toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { suites: { specs: { title: string; tests: (JsonTest & { results: { status: string; annotations: JsonTest['annotations'] }[] })[] }[] }[] };
    const byTitle = new Map(report.suites[0]!.specs.map((s) => [s.title, s.tests[0]!]));
    const pidOf = (title: string) => byTitle.get(title)?.results[0]?.annotations.find((a) => a.type === 'pid')?.description;
    const why = `on @playwright/test ${pinned}: see src/suite/playwright-adapter.ts`;
    expect(pidOf('after the finding'), `a finding keeps the worker ${why}`).toBe(pidOf('a finding'));
    expect(pidOf('after the bug'), `a suite bug still replaces the worker ${why}`).not.toBe(pidOf('a suite bug'));
    for (const title of ['a finding', 'a suite bug']) {
      const t = byTitle.get(title)!;
      expect([t.status, t.expectedStatus], `${title}: reported as an unexpected failure ${why}`).toEqual(['unexpected', 'passed']);
      expect(t.results[0]!.annotations.map((a) => a.type), 'the adapter\'s marker is not shown').not.toContain(KEPT_WORKER);
    }
    expect(byTitle.get('a pass')?.status, 'the base test type carries no browser fixtures').toBe('expected');
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testsuites [^>]*>/)?.[0], 'the JUnit file counts both failures').toMatch(/(failures|errors)="2"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
