// The preflight ends a run in seconds, with one line and exit 2, only when the input is provably wrong: a base URL
// where no Graph API answers (no /beta, a web page) or a JWT whose own expiry contradicts its tokenState. A target
// that answers JSON but misbehaves (accepts any token, an expired token, lists a bare array) is the target's
// defect: the run goes on and ends NOT CONFORMANT, the preflight's answer filed as evidence. Never fails on 429/503.
import { test, expect } from '@playwright/test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded } from '../../src/cli/target';
import { preflight } from '../../src/cli/preflight';
import { readPrincipalsFile, resolvePrincipals, type Principal } from '../../src/auth/principals';
import type { ConformanceReport } from '../../src/core/report-types';
import { runCli, startIndependentServer, type IndependentOptions, type IndependentServer } from './support/independent-server';

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
  return (await runWhole(target, principals, { stopOn: /Running \d+ test/ })).run;
}

/** Runs `run` against `target` to its end (or to `stopOn`), returning the run and the report it wrote, if any. */
async function runWhole(target: string, principals: object[], o: { stopOn?: RegExp; args?: string[] } = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'raa-preflight-'));
  try {
    mkdirSync(join(cwd, 'tmp'));
    writeFileSync(join(cwd, 'principals.json'), JSON.stringify({ principals }));
    const run = await runCli(['run', '--target', target, '--principals', 'principals.json', '--report-dir', join(cwd, 'reports'), ...(o.args ?? [])],
      { cwd, env: { TMPDIR: join(cwd, 'tmp'), CONFORMANCE_RATE_LIMIT: '0' }, timeoutMs: 120_000, ...(o.stopOn ? { stopOn: o.stopOn } : {}) });
    const file = join(cwd, 'reports', 'conformance.json');
    const report = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as ConformanceReport : undefined;
    return { run, report };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** An unsigned JWT whose `exp` is `secondsFromNow` away: the preflight reads only its claims. */
const jwt = (secondsFromNow: number) => [{ alg: 'none', typ: 'JWT' }, { aud: 'https://graph.microsoft.com', exp: Math.floor(Date.now() / 1000) + secondsFromNow }]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + '.';

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

  test('a JWT marked valid whose own exp has passed stops the run, naming the principal', async () => {
    const token = jwt(-3600);
    const run = await runAgainst(server.baseUrl, [{ name: 'app-lapsed', type: 'application', permissions: [RW], token }]);
    expectStopped(run, /principal "app-lapsed": its token expired at \S+ \(the JWT's exp\) but its tokenState is valid/, [token]);
  });

  test('a JWT marked expired that is still current stops the run, naming the principal', async () => {
    const token = jwt(3600);
    const run = await runAgainst(server.baseUrl, [{ name: 'app-old', type: 'application', permissions: [RW], token, tokenState: 'expired' }]);
    expectStopped(run, /principal "app-old": its tokenState is expired but its token is current until/, [token]);
  });
});

/** A whole run against a stand-in broken one way: NOT CONFORMANT, the requirement failed with the preflight's answer, and a hint after the verdict. */
const MISBEHAVING: { what: string; opts: IndependentOptions; requirement: string; principals: string[] }[] = [
  { what: 'accepts every token (and none)', opts: { trusts: 'any-token' }, requirement: 'RAA-AUTH-MISSING', principals: ['app-rw', 'app-expired'] },
  { what: 'accepts expired tokens', opts: { trusts: 'expired-tokens' }, requirement: 'RAA-AUTH-EXPIRED', principals: ['app-rw', 'app-expired'] },
  { what: 'lists a bare array', opts: { bareList: true }, requirement: 'RAA-LIST-200', principals: ['app-rw'] },
];

test.describe('against a target that answers but misbehaves', () => {
  for (const { what, opts, requirement, principals } of MISBEHAVING) {
    test(`a target that ${what} is judged NOT CONFORMANT on ${requirement}, with a report`, async () => {
      const server = await startIndependentServer(opts);
      const dir = mkdtempSync(join(tmpdir(), 'raa-preflight-'));
      try {
        const all = readPrincipalsFile(server.principalsFile(dir));
        const { run, report } = await runWhole(server.baseUrl, all.filter((p) => principals.includes(p.name)), { args: ['--allow-writes', '--', '--grep', `@${requirement}`] });
        const shown = `\n--- stdout ---\n${run.stdout.slice(-2500)}\n--- stderr ---\n${run.stderr.slice(0, 1500)}`;
        expect(run.code, `exit 1, a verdict on the target${shown}`).toBe(1);
        expect(run.stdout, shown).toMatch(new RegExp(`NOT CONFORMANT: .*${requirement}`));
        expect(run.stdout, `the hint follows the verdict${shown}`).toMatch(/NOT CONFORMANT[^\n]*\n(hint: [^\n]+\n)+/);
        const r = report!.requirements.find((q) => q.id === requirement)!;
        expect(r.status).toBe('failed');
        const evidence = r.tests.find((t) => t.location === 'preflight');
        expect(evidence?.failure?.exchange?.request.method, 'the preflight\'s answer is the evidence').toBe('GET');
        expect(evidence?.failure?.reproduce).toMatch(/^curl /);
        for (const token of Object.values(server.tokens)) expect(run.stdout + run.stderr + JSON.stringify(report)).not.toContain(token);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await server.close();
      }
    });
  }
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
      expect(await preflight(embedded.baseUrl, embedded.principals)).toEqual({ findings: [], hints: [] });
    } finally {
      await embedded.close();
    }
  });

  test('the reference server broken on purpose takes the same path: its defect is a finding, not bad input', async () => {
    const embedded = await startEmbedded(['auth-expiry-unchecked']);
    try {
      const { findings } = await preflight(embedded.baseUrl, embedded.principals);
      expect(findings.map((f) => f.requirement)).toEqual(['RAA-AUTH-EXPIRED']);
      expect(findings[0]!.exchange.status).toBe(200);
    } finally {
      await embedded.close();
    }
  });

  test('a valid token refused is a hint, not a finding: the tests judge it', async () => {
    const server = await startIndependentServer();
    try {
      const result = await preflight(server.baseUrl, [principal({ name: 'app-stale', token: 'a-token-this-target-never-issued-0123' })]);
      expect(result.findings).toEqual([]);
      expect(result.hints).toEqual([expect.stringMatching(/principal "app-stale": the target refused its token \(401\) although its tokenState is valid/)]);
    } finally {
      await server.close();
    }
  });

  test('the independent implementation and its principals file pass', async () => {
    const server = await startIndependentServer({ deniedAs401: true });
    const dir = mkdtempSync(join(tmpdir(), 'raa-preflight-'));
    try {
      // deniedAs401: a principal the matrix denies may get 401; whether that should be 403 is the suite's to judge.
      expect(await preflight(server.baseUrl, await resolvePrincipals(readPrincipalsFile(server.principalsFile(dir))))).toEqual({ findings: [], hints: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.close();
    }
  });

  test('a 2xx without a value array is a finding against RAA-LIST-200, and one without a token against RAA-AUTH-MISSING', async () => {
    const target = await standIn((_req, res) => json(res, 200, { items: [] }));
    try {
      const { findings } = await preflight(target.baseUrl, [principal({ name: 'app-rw' })]);
      expect(findings.map((f) => f.requirement)).toEqual(['RAA-AUTH-MISSING', 'RAA-LIST-200']);
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
