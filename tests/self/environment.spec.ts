// The suite's inputs, checked in process: every variable it reads is validated or declared internal and documented,
// .env syntax, the "did you mean" helper, and how a narrowed run describes its selection.
import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeSelection } from '../../src/cli/run';
import { KNOWN_VARIABLES, checkDotenv } from '../../src/config/config';
import { KNOWN_PERMISSIONS } from '../../src/contract';
import { closest } from '../../src/core/suggest';
import { SETTINGS } from '../../src/core/settings';
import { ROOT } from './support/run-suite';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every variable the suite reads is validated or declared internal', () => {
  const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'server')), join(ROOT, 'playwright.config.ts'), join(ROOT, 'playwright.self.config.ts')];
  const read = new Set<string>();
  // Direct reads, and reads through src/core/settings.ts (setting, handOff, namedVariable with a literal name).
  const reads = /process\.env(?:\.([A-Z_][A-Z0-9_]*)|\[\s*'([A-Z_][A-Z0-9_]*)'\s*\])|\b(?:setting|handOff|namedVariable)\(\s*'([A-Z_][A-Z0-9_]*)'/g;
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(reads)) read.add(m[1] ?? m[2] ?? m[3]!);
  expect(read.size, 'the scan finds the reads').toBeGreaterThan(3);
  const unaccounted = [...read].filter((v) => !(v in SETTINGS));
  expect(unaccounted, 'declare them in src/core/settings.ts (a setting: also in environmentSchema, schemas/suite.ts)').toEqual([]);
});

test('every validated variable is in the README configuration table', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(KNOWN_VARIABLES.filter((v) => !readme.includes(`| \`${v}\` |`))).toEqual([]);
});

test('.env: KEY=VALUE lines, comments, blank lines, export and quoted values over several lines are accepted', () => {
  expect(() => checkDotenv('# a comment\n\nCONFORMANCE_SEED=4\nexport CONFORMANCE_PROFILE=quick\n  CONFORMANCE_STRICT = 1\nTOKEN="first\nsecond"\nEMPTY=\n')).not.toThrow();
});

test('.env: anything else is refused, naming the line', () => {
  expect(() => checkDotenv('CONFORMANCE_SEED=4\nCONFORMANCE_PROFILE quick\n')).toThrow(/^\.env line 2 is not KEY=VALUE/);
  expect(() => checkDotenv('A=1\nB="never closed\nC=3\n')).toThrow(/^\.env line 2: the value opened with " is never closed/);
});

test('closest: near names are suggested, far ones are not', () => {
  expect(closest('TARGET_URL', KNOWN_VARIABLES)).toBe('TARGET_BASE_URL');
  expect(closest('CONFORMANCE_SEEDS', KNOWN_VARIABLES)).toBe('CONFORMANCE_SEED');
  expect(closest('DeviceManagementManagedDevices.ReadWrite.Al', KNOWN_PERMISSIONS)).toBe('DeviceManagementManagedDevices.ReadWrite.All');
  expect(closest('--frobnicate', ['--profile', '--target', '--strict'])).toBeUndefined();
});

test('a narrowed run says how; a full one says nothing', () => {
  expect(describeSelection([])).toBeUndefined();
  expect(describeSelection(['--workers', '4', '--reporter', 'line'])).toBeUndefined();
  expect(describeSelection(['--grep', '@RAA-CREATE-ECHO'])).toBe('--grep @RAA-CREATE-ECHO');
  expect(describeSelection(['-g', '@RAA-GET-200', '--workers', '1'])).toBe('-g @RAA-GET-200');
  expect(describeSelection(['--grep-invert=@RAA-MODEL'])).toBe('--grep-invert=@RAA-MODEL');
  expect(describeSelection(['--last-failed'])).toBe('--last-failed');
  expect(describeSelection(['tests/contract/create'])).toBe('tests/contract/create');
  expect(describeSelection([], '1/3')).toBe('shard 1/3');
  expect(describeSelection(['--grep', '@RAA-AUTH'], '2/2')).toBe('--grep @RAA-AUTH, shard 2/2');
});
