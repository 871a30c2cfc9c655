// The project's own tests: schemas, arbitraries, the reference server, the suite end to end, the defect matrix.
import { defineConfig } from '@playwright/test';
import { handOff, setting } from './src/config/settings';

// Names this self-test run for its workers (they inherit the runner's environment): the defect matrix runs once
// per self-test run, and a worker restarted after a failed verdict reads that run instead of starting another.
if (!setting('RAA_SELF_RUN')) handOff('RAA_SELF_RUN', `${Date.now()}-${process.pid}`);

export default defineConfig({
  testDir: 'tests/self',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 120_000,
  outputDir: 'reports/self/test-results',
  reporter: [[setting('CI') ? 'dot' : 'list'], ['./src/report/self-reporter.ts']],
  use: { trace: 'off' },
});
