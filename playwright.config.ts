// The conformance suite users run. Transport lives in src/transport/http.ts (not Playwright's request fixture) so that
// tokens never reach a trace; the command line (src/cli.ts) prepares the target and hands it over in RAA_RUNTIME.
import { defineConfig } from '@playwright/test';
import { join } from 'node:path';
import { citingGrep, loadRuntime } from './src/config/runtime';
import { setting } from './src/core/settings';

const rt = loadRuntime();
// The npm package runs this config compiled (dist/playwright.config.js, scripts/build.mjs): its modules end in .js.
const ext = import.meta.url.endsWith('.js') ? '.js' : '.ts';
// The defect matrix reads only conformance.json: it skips the HTML and JUnit reports, about 2 s of every run.
const minimal = setting('RAA_REPORTS') === 'minimal';

export default defineConfig({
  testDir: 'tests/contract',
  fullyParallel: true,
  // A test.only left in a contract test would silently narrow a CI gate to it.
  forbidOnly: !!setting('CI'),
  workers: Number(setting('CONFORMANCE_WORKERS') ?? 2),
  retries: 0,
  timeout: rt.profile === 'deep' ? 15 * 60_000 : 120_000,
  outputDir: join(rt.reportDir, 'test-results'),
  // A shard also writes a blob report for `raa-conformance merge`; merging replays it through the same reporters.
  reporter: [
    // First: a test that kept its worker after a failed check is shown failed to every reporter below.
    [`./src/suite/playwright-adapter${ext}`],
    // A matrix run prints one line per server (src/report/reporter.ts), not thousands of expected failures.
    ...(setting('RAA_MERGE') || rt.projects ? [] : [[setting('CI') ? 'dot' : 'list'] as [string]]),
    ...(setting('RAA_SHARD') ? [['blob', { outputDir: join(rt.reportDir, 'blob') }] as [string, object]] : []),
    ...(minimal ? [] : [
      ['html', { outputFolder: join(rt.reportDir, 'html'), open: 'never' }] as [string, object],
      ['junit', { outputFile: join(rt.reportDir, 'junit.xml') }] as [string, object],
    ]),
    [`./src/report/reporter${ext}`],
  ],
  use: { trace: 'off' },
  // A matrix run (raa-conformance matrix): one project per reference server. One worker per project keeps
  // each project's files in one worker process (a worker serves one project), and whole files per job
  // (not fullyParallel) spare a dispatch round-trip per test; the run's workers serve projects side by side.
  ...(rt.projects ? { fullyParallel: false, projects: rt.projects.map((p) => ({ name: p.name, workers: 1, ...(p.requirements ? { grep: citingGrep(p.requirements) } : {}) })) }
    // Pinned regressions are replayed first: a project listed first is queued first, whatever its files are called
    // (within a project Playwright orders files by name). Both unnamed: to every reporter the run is one project.
    : { projects: [{ name: '', testMatch: 'regressions/**' }, { name: '', testIgnore: 'regressions/**' }] }),
});
