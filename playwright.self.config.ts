// The project's own tests: schemas, arbitraries, the reference server, the suite end to end, the defect matrix.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/self',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 120_000,
  outputDir: 'reports/self/test-results',
  reporter: [[process.env.CI ? 'dot' : 'list'], ['./src/self-reporter.ts']],
  use: { trace: 'off' },
});
