// The preflight ends a run in seconds, with one line and exit 2, when the target is not a Graph collection (a base
// URL without /beta, a web page, a 2xx without `value`) or disagrees with the principals file about a token; it
// lets a faithful target through, and never fails on 429/503.
import { test, expect } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded } from '../../src/cli/target';
import { preflight } from '../../src/transport/preflight';
import { readPrincipalsFile, resolvePrincipals, type Principal } from '../../src/auth/principals';
import { runCli, startIndependentServer, type IndependentServer } from './support/independent-server';

const RW = 'DeviceManagementManagedDevices.ReadWrite.All';

/** A stand-in on 127.0.0.1 that answers every request with `answer` (`n` counts from 0); `requests()` says how many came. */
async function standIn(answer: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{ baseUrl: string; requests(): number; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => answer(req, res, n++));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/beta`,
    requests: () => n,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));

/** Runs `run` against `target` with `principals` written to a file; a run that reaches Playwright is stopped there. */
async function runAgainst(target: string, principals: object[]) {
  const cwd = mkdtempSync(join(tmpdir(), 'raa-preflight-'));
  try {
    mkdirSync(join(cwd, 'tmp'));
    writeFileSync(join(cwd, 'principals.json'), JSON.stringify({ principals }));
    return await runCli(['run', '--target', target, '--principals', 'principals.json', '--report-dir', join(cwd, 'reports')],
      { cwd, env: { TMPDIR: join(cwd, 'tmp') }, timeoutMs: 60_000, stopOn: /Running \d+ test/ });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Exit 2 before any test, with exactly one line on stderr that names the problem, and no stack trace. */
function expectStopped(run: Awaited<ReturnType<typeof runCli>>, names: RegExp, secrets: string[] = []): void {
  const shown = `\n--- stdout ---\n${run.stdout.slice(0, 1500)}\n--- stderr ---\n${run.stderr.slice(0, 1500)}`;
  expect(run.stdout, `no test runs${shown}`).not.toContain('Running');
  expect(run.code, `exit code${shown}`).toBe(2);
  expect(run.stderr.trimEnd().split('\n'), `exactly one line on stderr${shown}`).toHaveLength(1);
  expect(run.stderr, shown).toMatch(names);
  expect(run.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
  for (const s of secrets) expect(run.stdout + run.stderr, 'no token in the output').not.toContain(s);
}

test.describe('against a target that is not a Graph collection', () => {
  let server: IndependentServer;
  test.beforeAll(async () => { server = await startIndependentServer(); });
  test.afterAll(async () => { await server.close(); });

  test('a base URL without the version segment stops the run with the hint', async () => {
    const run = await runAgainst(server.baseUrl.replace(/\/beta$/, ''), [{ name: 'app-rw', type: 'application', permissions: [RW], token: server.tokens['app-rw'] }]);
    expectStopped(run, /GET http:\/\/127\.0\.0\.1:\d+\/deviceManagement\/remoteActionAudits .*answered 404 \(application\/json\).*does TARGET_BASE_URL end with the version segment, e\.g\. \/beta\?/, [server.tokens['app-rw']!]);
  });

  test('a principal whose valid token the target refuses stops the run, naming the principal', async () => {
    const run = await runAgainst(server.baseUrl, [
      { name: 'app-rw', type: 'application', permissions: [RW], token: server.tokens['app-rw'] },
      { name: 'app-stale', type: 'application', permissions: [RW], token: 'a-token-this-target-never-issued-0123' },
    ]);
    expectStopped(run, /principal "app-stale": the target refuses its token \(401\) although its tokenState is valid/, ['a-token-this-target-never-issued-0123']);
  });

  test('a principal whose token should be refused as expired but is accepted stops the run, naming the principal', async () => {
    const run = await runAgainst(server.baseUrl, [{ name: 'app-old', type: 'application', permissions: [RW], token: server.tokens['app-rw'], tokenState: 'expired' }]);
    expectStopped(run, /principal "app-old": the target accepts its token \(200\) although its tokenState is expired/, [server.tokens['app-rw']!]);
  });
});

test('a target answering a web page to everything stops the run', async () => {
  const page = await standIn((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Sign in</title>'));
  try {
    const run = await runAgainst(page.baseUrl, [{ name: 'app-rw', type: 'application', permissions: [RW], token: 'opaque-selftest-token-0123456789' }]);
    expectStopped(run, /answered 200 \(text\/html\), a web page, not a Graph JSON answer; does TARGET_BASE_URL end with/, ['opaque-selftest-token-0123456789']);
  } finally {
    await page.close();
  }
});

test.describe('in process', () => {
  const principal = (p: Partial<Principal> & { name: string }): Principal => ({ type: 'application', permissions: [RW], tokenState: 'valid', token: 'opaque-selftest-token-0123456789', ...p });

  test('the embedded reference server and its principals pass', async () => {
    const embedded = await startEmbedded([]);
    try {
      await preflight(embedded.baseUrl, embedded.principals);
    } finally {
      await embedded.close();
    }
  });

  test('the reference server broken on purpose passes without the token checks, which would stop it', async () => {
    const embedded = await startEmbedded(['auth-expiry-unchecked']);
    try {
      await preflight(embedded.baseUrl, embedded.principals, { checkTokens: false });
      await expect(preflight(embedded.baseUrl, embedded.principals)).rejects.toThrow(/principal "app-expired": the target accepts its token/);
    } finally {
      await embedded.close();
    }
  });

  test('the independent implementation and its principals file pass', async () => {
    const server = await startIndependentServer({ deniedAs401: true });
    const dir = mkdtempSync(join(tmpdir(), 'raa-preflight-'));
    try {
      // deniedAs401: a principal the matrix denies may get 401; whether that should be 403 is the suite's to judge.
      await preflight(server.baseUrl, await resolvePrincipals(readPrincipalsFile(server.principalsFile(dir))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.close();
    }
  });

  test('a 2xx without a value array is not a Graph collection', async () => {
    const target = await standIn((_req, res) => json(res, 200, { items: [] }));
    try {
      await expect(preflight(target.baseUrl, [principal({ name: 'app-rw' })])).rejects.toThrow(/answered 200 \(application\/json\) without a "value" array/);
    } finally {
      await target.close();
    }
  });

  test('429 and 503 are waited out and retried', async () => {
    const target = await standIn((_req, res, n) => (n < 2 ? json(res, n ? 503 : 429, { error: { code: 'TooManyRequests', message: 'later' } }, { 'Retry-After': '1' }) : json(res, 200, { value: [] })));
    try {
      await preflight(target.baseUrl, [principal({ name: 'app-rw' })]);
      expect(target.requests(), 'two probes, each resent once').toBe(4);
    } finally {
      await target.close();
    }
  });

  test('a target that only ever says "try later" does not fail the preflight', async () => {
    const target = await standIn((_req, res) => json(res, 503, { error: { code: 'ServiceUnavailable', message: 'later' } }, { 'Retry-After': '1' }));
    try {
      await preflight(target.baseUrl, [principal({ name: 'app-rw' }), principal({ name: 'app-old', tokenState: 'expired' })]);
      expect(target.requests(), 'each probe was resent before giving up').toBeGreaterThan(3);
    } finally {
      await target.close();
    }
  });
});
