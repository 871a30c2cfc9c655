// src/core/settings.ts owns every environment variable the project reads: the README's table is its output, the
// product reads through it, and a bad value of any declared variable (internal ones too) is one line and exit 2.
import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { environmentSchema } from '../../schemas/suite';
import { SETTINGS, SUITE_VARIABLE, USER_SETTINGS, configurationTable, problemWith, readmeTable } from '../../src/core/settings';
import { runCli } from './support/independent-server';
import { ROOT } from './support/run-suite';

/**
 * Product files that still read process.env themselves, each a declared variable (environment.spec.ts checks
 * that): config.ts snapshots the whole environment to refuse misspelt names; the others move to setting() in
 * issue 14's merge (src/report/reporter.ts RAA_SHARD, src/suite/suite.ts RAA_RUNTIME, src/metadata/drift.ts GITHUB_STEP_SUMMARY,
 * src/auth/principals.ts a principal's tokenEnv).
 */
const DIRECT_READERS = ['src/core/settings.ts', 'src/config/config.ts'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('README.md\'s configuration table is the one src/core/settings.ts generates', () => {
  const regenerate = 'npx tsx -e "import(\'./src/core/settings.ts\').then((m) => m.updateReadme())"';
  expect(readmeTable(), `README.md differs from src/core/settings.ts: regenerate it with ${regenerate}`).toBe(configurationTable());
});

test('the settings are the environment schema\'s variables, each with a description', () => {
  expect([...USER_SETTINGS].sort()).toEqual(Object.keys(environmentSchema.properties).sort());
  for (const [name, spec] of Object.entries(SETTINGS)) expect(spec.description.length, name).toBeGreaterThan(10);
});

test('product code reads no test hook: a self-test injects through a seam, never a variable a user could set', () => {
  const hooks = Object.entries(SETTINGS).filter(([, s]) => s.kind === 'test-hook').map(([n]) => n);
  const product = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'server'))].filter((f) => !f.endsWith(join('core', 'settings.ts')));
  const readers = product.flatMap((f) => hooks.filter((h) => readFileSync(f, 'utf8').includes(h)).map((h) => `${relative(ROOT, f)} reads ${h}`));
  expect(readers).toEqual([]);
  // The two hooks product code used to read are gone for good.
  expect(Object.keys(SETTINGS)).not.toContain('RAA_TEST_TOKEN_ORIGIN');
  expect(Object.keys(SETTINGS)).not.toContain('RAA_ASSUME_REMOTE');
});

test('every variable of the suite carries one of its prefixes; the CI\'s do not', () => {
  for (const [name, spec] of Object.entries(SETTINGS)) expect(SUITE_VARIABLE.test(name), name).toBe(spec.kind !== 'ci');
});

test('product code reads the environment through src/core/settings.ts', () => {
  const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'server')), join(ROOT, 'playwright.config.ts'), join(ROOT, 'playwright.self.config.ts')];
  const direct = files.filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f).split('\\').join('/'));
  expect(direct.filter((f) => !DIRECT_READERS.includes(f)), 'read them with setting() from src/core/settings.ts').toEqual([]);
});

test('internal values are checked too', () => {
  expect(problemWith('RAA_SHARD', '2/3')).toBeUndefined();
  expect(problemWith('RAA_SHARD', 'two')).toMatch(/^RAA_SHARD must match/);
  expect(problemWith('CONFORMANCE_PROFILE', 'fast')).toBe('CONFORMANCE_PROFILE must be equal to one of the allowed values (quick, deep, tenant)');
});

test('a bad internal value stops a run with one line and exit 2', async () => {
  const run = await runCli(['run'], { env: { RAA_SHARD: 'two' }, timeoutMs: 60_000 });
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^raa-conformance: configuration is invalid \(environment\): RAA_SHARD must match/)]);
});
