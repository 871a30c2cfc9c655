// The project's own tests: schemas, arbitraries, the reference server, the suite end to end, the defect matrix.
import { defineConfig } from '@playwright/test';
import { handOff, selfRunName, setting } from './src/core/settings';

// Names this self-test run for its workers (they inherit the runner's environment and load this config too): the
// defect matrix runs once per self-test run, and a worker restarted after a failed verdict reads that run instead of
// starting another. A name inherited from anywhere but this run's runner is replaced (selfRunName).
handOff('RAA_SELF_RUN', selfRunName(setting('RAA_SELF_RUN')));

export default defineConfig({
  testDir: 'tests/self',
  fullyParallel: true,
  // A test.only left in a commit would silently narrow CI's run to it.
  forbidOnly: !!setting('CI'),
  workers: 2,
  retries: 0,
  timeout: 120_000,
  outputDir: 'reports/self/test-results',
  reporter: [[setting('CI') ? 'dot' : 'list'], ['./src/report/self-reporter.ts']],
  use: { trace: 'off' },
});
