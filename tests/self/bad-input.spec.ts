// Bad input stops the command before any test: exit code 2, one readable line on stderr (no stack trace) that names
// what is wrong, and nothing from Playwright on stdout; a command-line mistake adds the command's usage on stdout.
// `--help`, `help <command>` and `--version` answer 0.
import { test, expect } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from './support/independent-server';

/** Nothing listens on the discard port of loopback. */
const UNREACHABLE = 'http://127.0.0.1:9/beta';

/** Files every case's working directory holds (relative paths resolve against it). */
const FILES: Record<string, string> = {
  'valid.json': JSON.stringify({ principals: [{ name: 'app', type: 'application', permissions: [], token: 'opaque-selftest-token-0123456789' }] }),
  'malformed.json': '{"principals": [',
  'robot.json': JSON.stringify({ principals: [{ name: 'app', type: 'robot', permissions: [], token: 'opaque-selftest-token-0123456789' }] }),
  'token-env.json': JSON.stringify({ principals: [{ name: 'app', type: 'application', permissions: [], tokenEnv: 'RAA_SELFTEST_UNSET_TOKEN' }] }),
  'misspelt.json': JSON.stringify({ principals: [{ name: 'app', type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.Al'], token: 'opaque-selftest-token-0123456789' }] }),
  'empty-tenant.json': JSON.stringify({ principals: [{ name: 'app', type: 'application', permissions: [], tenant: '', token: 'opaque-selftest-token-0123456789' }] }),
  'tenant-id.json': JSON.stringify({ principals: [{ name: 'app', type: 'application', permissions: [], tenantId: 'contoso', token: 'opaque-selftest-token-0123456789' }] }),
  'base.json': JSON.stringify(report('title of RAA-A')),
  'untitled.json': JSON.stringify(report(undefined)),
};

/** A minimal conformance.json; `title` undefined leaves the requirement's title out. */
function report(title: string | undefined) {
  return { suiteVersion: '0.1.0', target: 'http://127.0.0.1:1/beta', profile: 'quick', seed: 1, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, strict: false,
    summary: { passed: 1, failed: 0, skipped: 0 }, requirements: [{ id: 'RAA-A', level: 'MUST', tentative: false, operation: 'create', title, status: 'passed', tests: [] }] };
}

interface BadInput {
  title: string;
  /** The command and its arguments (default: `run` and `args`). */
  argv?: string[];
  args?: string[];
  env?: Record<string, string>;
  /** Contents of a .env in the working directory. */
  dotenv?: string;
  /** What the message must name. */
  names: RegExp;
  /** A command-line mistake: the usage of this command follows on stdout. */
  usage?: string;
  withinMs?: number;
}

const CASES: BadInput[] = [
  { title: 'a .env value outside its enum is refused', dotenv: 'CONFORMANCE_PROFILE=fast\n', names: /CONFORMANCE_PROFILE/ },
  { title: 'a CONFORMANCE_SEED that is not a number is refused', env: { CONFORMANCE_SEED: 'abc' }, names: /CONFORMANCE_SEED/ },
  { title: 'a TARGET_BASE_URL that is not a URL is refused', env: { TARGET_BASE_URL: 'not-a-url' }, names: /TARGET_BASE_URL/ },
  { title: 'TARGET_BASE_URL without PRINCIPALS_FILE is refused', env: { TARGET_BASE_URL: UNREACHABLE }, names: /PRINCIPALS_FILE/ },
  { title: 'a principals file that is not JSON is refused', args: ['--target', UNREACHABLE, '--principals', 'malformed.json'], names: /malformed\.json cannot be read as JSON/ },
  { title: 'a principals file failing its schema is refused', args: ['--target', UNREACHABLE, '--principals', 'robot.json'], names: /robot\.json is invalid[\s\S]*\/principals\/0\/type/ },
  { title: 'an empty tenant in the principals file is refused', args: ['--target', UNREACHABLE, '--principals', 'empty-tenant.json'], names: /empty-tenant\.json is invalid[\s\S]*\/principals\/0\/tenant/ },
  { title: 'an unknown principal field (tenantId for tenant) is refused', args: ['--target', UNREACHABLE, '--principals', 'tenant-id.json'], names: /tenant-id\.json is invalid[\s\S]*'tenantId'/ },
  { title: 'a tokenEnv naming an unset variable is refused', args: ['--target', UNREACHABLE, '--principals', 'token-env.json'], names: /RAA_SELFTEST_UNSET_TOKEN/ },
  { title: 'a target that does not answer is refused within 10 s', args: ['--target', UNREACHABLE, '--principals', 'valid.json'], names: /does not answer/, withinMs: 10_000 },
  { title: 'a misspelt permission is refused with the name meant', args: ['--target', UNREACHABLE, '--principals', 'misspelt.json'],
    names: /unknown permission DeviceManagementManagedDevices\.ReadWrite\.Al: did you mean DeviceManagementManagedDevices\.ReadWrite\.All\?/ },
  { title: 'a misspelt variable is refused with the name meant', env: { TARGET_URL: UNREACHABLE }, names: /TARGET_URL .*did you mean TARGET_BASE_URL\?/ },
  { title: 'a misspelt variable in .env is refused too', dotenv: 'CONFORMANCE_SEEDS=4\n', names: /CONFORMANCE_SEEDS .*did you mean CONFORMANCE_SEED\?/ },
  { title: 'a .env line that is not KEY=VALUE is refused, naming the line', dotenv: '# settings\nCONFORMANCE_SEED=4\n\nthis is not a setting\n', names: /\.env line 4 is not KEY=VALUE/ },
  { title: 'PRINCIPALS_FILE without a target is refused', env: { PRINCIPALS_FILE: 'valid.json' }, names: /PRINCIPALS_FILE is set but TARGET_BASE_URL is not/ },
  { title: 'CONFORMANCE_RETRY_BUDGET_S that is not whole seconds is refused', env: { CONFORMANCE_RETRY_BUDGET_S: '5m' }, names: /CONFORMANCE_RETRY_BUDGET_S/ },
  { title: 'an unknown flag is refused with the usage', args: ['--frobnicate'], names: /unknown option --frobnicate/, usage: 'run' },
  { title: 'a misspelt flag is refused with the flag meant', args: ['--alow-writes'], names: /unknown option --alow-writes: did you mean --allow-writes\?/, usage: 'run' },
  { title: 'a Playwright option before `--` is refused with the line that puts it after', args: ['--strict', '--grep', '@MUST'],
    names: /run: --grep is Playwright's option, not run's: Playwright's options go after `--`: raa-conformance run --strict -- --grep @MUST$/m, usage: 'run' },
  { title: 'a report directory that is a file is refused, naming it', args: ['--report-dir', 'valid.json'], names: /the report directory \S*valid\.json is a file, not a folder/ },
  { title: 'a flag missing its value is refused with the usage', args: ['--target'], names: /--target needs a value/, usage: 'run' },
  { title: 'a flag followed by another flag instead of its value is refused', args: ['--target', '--principals', 'valid.json'], names: /--target needs a value/, usage: 'run' },
  { title: 'a shard past the shard count is refused', args: ['--shard', '3/2'], names: /--shard 3\/2 is not i\/n/, usage: 'run' },
  { title: 'shard 0 is refused', args: ['--shard', '0/2'], names: /--shard 0\/2 is not i\/n/, usage: 'run' },
  { title: 'an unknown reference contract is refused', args: ['--reference-contract', 'tomorrow'], names: /REFERENCE_CONTRACT .*today, seed/ },
  { title: 'an unknown command is refused with the usage', argv: ['frobnicate'], names: /unknown command "frobnicate"/, usage: 'main' },
  { title: 'a misspelt command is refused with the command meant', argv: ['mtrix'], names: /unknown command "mtrix": did you mean matrix\?/, usage: 'main' },
  { title: 'diff refuses a report whose requirement has no title', argv: ['diff', 'base.json', 'untitled.json'], names: /untitled\.json is not a conformance\.json: \/requirements\/0 must have required property 'title'/ },
  { title: 'diff refuses a file that is not JSON', argv: ['diff', 'base.json', 'malformed.json'], names: /malformed\.json is not a conformance\.json/ },
  { title: 'diff with one report is refused with the usage', argv: ['diff', 'base.json'], names: /diff: needs two reports/, usage: 'diff' },
  { title: 'pin refuses a report whose requirement has no title', argv: ['pin', '--report', 'untitled.json', '--out', 'regressions.json'], names: /untitled\.json is not a conformance\.json/ },
];

const USAGE: Record<string, string> = { main: 'Usage: raa-conformance <command>', run: 'Usage: raa-conformance run', diff: 'Usage: raa-conformance diff', serve: 'Usage: raa-conformance serve' };

/** Exit 2, exactly one line on stderr that names the problem, no stack trace, and the usage when it is a command-line mistake. */
function expectRefused(run: CliRun, names: RegExp, usage?: string): void {
  const shown = `\n--- stdout ---\n${run.stdout.slice(0, 1500)}\n--- stderr ---\n${run.stderr.slice(0, 1500)}`;
  expect(run.stdout, `no test runs${shown}`).not.toContain('Running');
  expect(run.code, `exit code${shown}`).toBe(2);
  expect(run.stderr, `one message naming the problem${shown}`).toMatch(names);
  expect(run.stderr.trimEnd().split('\n'), `exactly one line on stderr${shown}`).toHaveLength(1);
  expect(run.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
  if (usage) expect(run.stdout, `the usage follows${shown}`).toContain(USAGE[usage]);
}

test.describe('bad input', () => {
  for (const c of CASES) {
    test(c.title, async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'raa-bad-input-'));
      try {
        for (const [name, text] of Object.entries({ ...FILES, ...(c.dotenv ? { '.env': c.dotenv } : {}) })) writeFileSync(join(cwd, name), text);
        // A run that gets as far as Playwright has already failed this test: stop it there. Its private temporary
        // files (the runtime file holds tokens) then land in cwd, which is removed below.
        mkdirSync(join(cwd, 'tmp'));
        const run = await runCli(c.argv ?? ['run', ...(c.args ?? [])], { cwd, env: { TMPDIR: join(cwd, 'tmp'), ...c.env }, timeoutMs: 60_000, stopOn: /Running \d+ test/ });
        console.log(`${c.title}: exit ${run.code} in ${run.ms} ms`);
        expectRefused(run, c.names, c.usage);
        if (c.withinMs) expect(run.ms, 'time to the verdict (ms)').toBeLessThan(c.withinMs);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});

test('a busy port for serve is refused with the usage', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as AddressInfo).port;
  try {
    // Should it start after all, it prints its URL: stop it there.
    const run = await runCli(['serve', '--port', String(port)], { timeoutMs: 60_000, stopOn: /listening/ });
    expectRefused(run, new RegExp(`port ${port} is already in use`), 'serve');
  } finally {
    await new Promise<void>((resolve) => busy.close(() => resolve()));
  }
});

test.describe('help', () => {
  for (const [args, usage] of [[['--help'], 'Usage: raa-conformance <command>'], [['run', '--help'], 'Usage: raa-conformance run'],
    [['help', 'run'], 'Usage: raa-conformance run'], [['help', 'diff'], 'Usage: raa-conformance diff']] as const) {
    test(`${args.join(' ')} prints the usage and exits 0`, async () => {
      const run = await runCli([...args], { timeoutMs: 60_000 });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(usage);
      expect(run.stderr).toBe('');
    });
  }
});

test('--version prints the version and exits 0', async () => {
  const run = await runCli(['--version'], { timeoutMs: 60_000 });
  expect(run.code).toBe(0);
  expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  expect(run.stderr).toBe('');
});
