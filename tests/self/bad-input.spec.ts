// Bad input stops `run` before any test: exit code 2, one readable message on stderr (no stack trace) that names
// what is wrong, and nothing from Playwright on stdout. `--help` answers 0 with the usage.
import { test, expect } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/independent-server';

/** Nothing listens on the discard port of loopback. */
const UNREACHABLE = 'http://127.0.0.1:9/beta';

/** Files every case's working directory holds (relative paths resolve against it). */
const FILES: Record<string, string> = {
  'valid.json': JSON.stringify({ principals: [{ name: 'app', type: 'application', permissions: [], token: 'opaque-selftest-token-0123456789' }] }),
  'malformed.json': '{"principals": [',
  'robot.json': JSON.stringify({ principals: [{ name: 'app', type: 'robot', permissions: [], token: 'opaque-selftest-token-0123456789' }] }),
  'token-env.json': JSON.stringify({ principals: [{ name: 'app', type: 'application', permissions: [], tokenEnv: 'RAA_SELFTEST_UNSET_TOKEN' }] }),
};

interface BadInput {
  title: string;
  args?: string[];
  env?: Record<string, string>;
  /** Contents of a .env in the working directory. */
  dotenv?: string;
  /** What the message must name. */
  names: RegExp;
  withinMs?: number;
}

const CASES: BadInput[] = [
  { title: 'a .env value outside its enum is refused', dotenv: 'CONFORMANCE_PROFILE=fast\n', names: /CONFORMANCE_PROFILE/ },
  { title: 'a CONFORMANCE_SEED that is not a number is refused', env: { CONFORMANCE_SEED: 'abc' }, names: /CONFORMANCE_SEED/ },
  { title: 'a TARGET_BASE_URL that is not a URL is refused', env: { TARGET_BASE_URL: 'not-a-url' }, names: /TARGET_BASE_URL/ },
  { title: 'TARGET_BASE_URL without PRINCIPALS_FILE is refused', env: { TARGET_BASE_URL: UNREACHABLE }, names: /PRINCIPALS_FILE/ },
  { title: 'a principals file that is not JSON is refused', args: ['--target', UNREACHABLE, '--principals', 'malformed.json'], names: /malformed\.json cannot be read as JSON/ },
  { title: 'a principals file failing its schema is refused', args: ['--target', UNREACHABLE, '--principals', 'robot.json'], names: /robot\.json is invalid[\s\S]*\/principals\/0\/type/ },
  { title: 'a tokenEnv naming an unset variable is refused', args: ['--target', UNREACHABLE, '--principals', 'token-env.json'], names: /RAA_SELFTEST_UNSET_TOKEN/ },
  { title: 'a target that does not answer is refused within 10 s', args: ['--target', UNREACHABLE, '--principals', 'valid.json'], names: /does not answer/, withinMs: 10_000 },
];

test.describe('bad input', () => {
  for (const c of CASES) {
    test(c.title, async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'raa-bad-input-'));
      try {
        for (const [name, text] of Object.entries({ ...FILES, ...(c.dotenv ? { '.env': c.dotenv } : {}) })) writeFileSync(join(cwd, name), text);
        // A run that gets as far as Playwright has already failed this test: stop it there. Its private temporary
        // files (the runtime file holds tokens) then land in cwd, which is removed below.
        mkdirSync(join(cwd, 'tmp'));
        const run = await runCli(['run', ...(c.args ?? [])], { cwd, env: { TMPDIR: join(cwd, 'tmp'), ...c.env }, timeoutMs: 60_000, stopOn: /Running \d+ test/ });
        const shown = `\n--- stdout ---\n${run.stdout.slice(0, 1500)}\n--- stderr ---\n${run.stderr.slice(0, 1500)}`;
        console.log(`${c.title}: exit ${run.code} in ${run.ms} ms`);
        expect(run.stdout, `no test runs${shown}`).not.toContain('Running');
        expect(run.code, `exit code${shown}`).toBe(2);
        expect(run.stderr, 'one message naming the problem').toMatch(c.names);
        expect(run.stderr.match(/raa-conformance:/g)?.length, `exactly one message${shown}`).toBe(1);
        expect(run.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
        if (c.withinMs) expect(run.ms, 'time to the verdict (ms)').toBeLessThan(c.withinMs);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});

test.describe('help', () => {
  for (const [args, usage] of [[['--help'], 'Usage: raa-conformance <command>'], [['run', '--help'], 'Usage: raa-conformance run']] as const) {
    test(`${args.join(' ')} prints the usage and exits 0`, async () => {
      const run = await runCli([...args], { timeoutMs: 60_000 });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(usage);
      expect(run.stderr).toBe('');
    });
  }
});
