// Workload identity federation with no network but loopback: a local stand-in for Entra's token endpoint checks the
// client assertion of each client-credentials request, and one for GitHub Actions' OIDC endpoint issues federated
// tokens. Proves the file is read again for each token, GitHub's token is fetched for Entra's audience, a missing
// runner variable is one line of bad input, and no assertion or request token reaches a message, report or console.
import { test, expect } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '../../src/auth/principals';
import { readPrincipalsFile } from '../../src/auth/principals';
import { redactor, REDACTED } from '../../src/core/redact';
import { ClientCredentialsProvider, FEDERATED_AUDIENCE, redactable } from '../../src/auth/token-providers';
import { TokenRenewal } from '../../src/auth/token-renewal';
import { runCli, startIndependentServer, type CliRun } from './support/independent-server';
import { LoopbackNetwork, preload } from './support/entra-network.cjs';
import { base64Forms, reportTexts } from './support/report-texts';

const TENANT = '11111111-2222-3333-4444-555555555555';
const FILE_APP = 'aaaaaaaa-0000-0000-0000-00000000f11e';
const GITHUB_APP = 'aaaaaaaa-0000-0000-0000-0000000091c0';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Nothing listens on the discard port of loopback. */
const UNREACHABLE = 'http://127.0.0.1:9/beta';
const OIDC_PATH = '/github/_apis/distributedtask/hubs/Actions/plans/p/jobs/j/idtoken';

/** Opaque values, not JWT-shaped: the redactor's JWT pattern must not be what hides them. */
const opaque = (prefix: string) => `${prefix}-${randomBytes(20).toString('hex')}`;

interface TokenRequest { tenant: string; clientId: string; assertion: string; form: URLSearchParams }

interface FakeEntraOptions {
  /** Client id → the access token issued to it. */
  accessTokens: Record<string, string>;
  /** A file-assertion app's file: every value ever written there is accepted (Entra accepts any unexpired token). */
  assertionFile?: string;
  /** Write a new assertion into the file after each accepted request, as the kubelet rotates it. */
  rotate?: boolean;
  requestToken: string;
  expiresIn?: number;
  /** Token request numbers (1-based, over all apps) answered 401 with the request body echoed back. */
  failTokenRequests?: number[];
  /** OIDC request numbers answered 500 with the received Authorization echoed back. */
  failOidcRequests?: number[];
}

interface FakeEntra {
  origin: string;
  /** ACTIONS_ID_TOKEN_REQUEST_URL for the GitHub stand-in (with api-version, as the runner gives it). */
  oidcUrl: string;
  tokenRequests: TokenRequest[];
  /** Every assertion written to the file, in order. */
  fileAssertions: string[];
  oidcRequests: { authorization: string; audience: string | null; apiVersion: string | null }[];
  oidcIssued: string[];
  /** Requests the stand-ins refused, with why: a test expecting none shows them. */
  refused: string[];
  writeAssertion(value?: string): string;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve(text)).on('error', reject);
  });
}

async function startFakeEntra(o: FakeEntraOptions): Promise<FakeEntra> {
  const tokenRequests: TokenRequest[] = [];
  const fileAssertions: string[] = [];
  const oidcRequests: FakeEntra['oidcRequests'] = [];
  const oidcIssued: string[] = [];
  const refused: string[] = [];
  /** Writes the file as given (the kubelet writes no trailing newline; a hand-made file may); returns the token in it. */
  const writeAssertion = (text = opaque(`federated-file-${fileAssertions.length + 1}`)) => {
    fileAssertions.push(text.trim());
    writeFileSync(o.assertionFile!, text, { mode: 0o600 });
    return text.trim();
  };
  const server = createServer((req, res) => {
    const send = (status: number, json: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json)); };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === OIDC_PATH) {
      const authorization = req.headers.authorization ?? '';
      oidcRequests.push({ authorization, audience: url.searchParams.get('audience'), apiVersion: url.searchParams.get('api-version') });
      if (o.failOidcRequests?.includes(oidcRequests.length)) return send(500, { message: `internal error for ${authorization}` });
      if (authorization !== `Bearer ${o.requestToken}`) { refused.push(`OIDC: Authorization ${authorization}`); return send(401, { message: 'bad request token' }); }
      if (url.searchParams.get('audience') !== FEDERATED_AUDIENCE) { refused.push(`OIDC: audience ${url.searchParams.get('audience')}`); return send(400, { message: 'audience' }); }
      const value = opaque(`github-oidc-${oidcIssued.length + 1}`);
      oidcIssued.push(value);
      return send(200, { count: 1, value });
    }
    const m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (req.method !== 'POST' || !m) { refused.push(`${req.method} ${url.pathname}`); return send(404, { error: 'not_found' }); }
    void body(req).then((text) => {
      const form = new URLSearchParams(text);
      const request: TokenRequest = { tenant: m[1]!, clientId: form.get('client_id') ?? '', assertion: form.get('client_assertion') ?? '', form };
      tokenRequests.push(request);
      // A hostile endpoint: the form body and the assertion itself come back in the error description.
      if (o.failTokenRequests?.includes(tokenRequests.length)) {
        return send(401, { error: 'invalid_client', error_description: `AADSTS700024: rejected ${text} (assertion ${request.assertion})`, error_codes: [700024] });
      }
      const accepted = request.clientId === FILE_APP ? fileAssertions.includes(request.assertion) : oidcIssued.includes(request.assertion);
      const why = request.tenant !== TENANT ? `tenant ${request.tenant}` : form.get('grant_type') !== 'client_credentials' ? `grant_type ${form.get('grant_type')}`
        : form.get('client_assertion_type') !== JWT_BEARER ? `client_assertion_type ${form.get('client_assertion_type')}` : form.has('client_secret') ? 'a client_secret'
        : !(request.clientId in o.accessTokens) ? `client ${request.clientId}` : !accepted ? `assertion ${request.assertion}` : undefined;
      if (why) { refused.push(`token: ${why}`); return send(401, { error: 'invalid_client', error_description: `AADSTS700016: ${why}`, error_codes: [700016] }); }
      if (request.clientId === FILE_APP && o.rotate) writeAssertion();
      const expiresIn = o.expiresIn ?? 3599;
      send(200, { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: o.accessTokens[request.clientId] });
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin, oidcUrl: `${origin}${OIDC_PATH}?api-version=2.0`, tokenRequests, fileAssertions, oidcRequests, oidcIssued, refused, writeAssertion,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function clock(): { now: () => number; advance: (s: number) => void } {
  let t = Date.now();
  return { now: () => t, advance: (s) => { t += s * 1000; } };
}

let dir = '';
let entra: FakeEntra;

/** A command-line run's token requests go to the stand-in: every process of it preloads the network seam. */
const viaStandIn = () => ({ NODE_OPTIONS: `--require ${preload}`, SELFTEST_ENTRA_ORIGIN: entra.origin });
const requestToken = opaque('gh-request-token');

test.beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'raa-federated-'));
  entra = await startFakeEntra({ accessTokens: { [FILE_APP]: 'local-at-file', [GITHUB_APP]: 'local-at-github' }, assertionFile: join(dir, 'azure-identity-token'), requestToken });
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = entra.oidcUrl;
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = requestToken;
});

test.afterEach(async () => {
  delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  await entra.close();
  rmSync(dir, { recursive: true, force: true });
});

const fileSpec = () => ({ tenantId: TENANT, clientId: FILE_APP, clientAssertionFile: join(dir, 'azure-identity-token') });
const githubSpec = { tenantId: TENANT, clientId: GITHUB_APP, clientAssertion: 'github-oidc' as const };

test.describe('client assertion from a file', () => {
  test('the file is sent as the client assertion and read again for the next token', async () => {
    const first = entra.writeAssertion();
    const c = clock();
    const p = new ClientCredentialsProvider(fileSpec(), 'global', { networkClient: new LoopbackNetwork(entra.origin), now: c.now });
    expect(await p.getToken()).toBe('local-at-file');
    // The kubelet rotates the token in place; the next token request must carry the new one.
    const second = entra.writeAssertion(`${opaque('federated-file-rotated')}\n`);
    c.advance(3599 - 300 + 5);
    expect(await p.getToken()).toBe('local-at-file');
    expect(entra.refused).toEqual([]);
    expect(entra.tokenRequests.map((r) => r.assertion)).toEqual([first, second]);
    for (const r of entra.tokenRequests) {
      expect(r.tenant).toBe(TENANT);
      expect(r.form.get('grant_type')).toBe('client_credentials');
      expect(r.form.get('client_assertion_type')).toBe(JWT_BEARER);
      expect(r.form.getAll('scope')).toEqual(['https://graph.microsoft.com/.default']);
      expect(r.form.has('client_secret')).toBe(false);
    }
    expect(redactor.redact(`a ${first} b ${second}`)).toBe(`a ${REDACTED} b ${REDACTED}`);
  });

  test('a missing or empty file names the file and sends nothing', async () => {
    const missing = new ClientCredentialsProvider(fileSpec(), 'global', { networkClient: new LoopbackNetwork(entra.origin) });
    await expect(missing.getToken()).rejects.toThrow(`cannot read client assertion file ${join(dir, 'azure-identity-token')} (ENOENT)`);
    entra.writeAssertion('  \n');
    const empty = new ClientCredentialsProvider(fileSpec(), 'global', { networkClient: new LoopbackNetwork(entra.origin) });
    await expect(empty.getToken()).rejects.toThrow(`the client assertion file ${join(dir, 'azure-identity-token')} is empty`);
    expect(entra.tokenRequests).toEqual([]);
  });

  test('a token endpoint echoing the request back leaks no assertion into the error', async () => {
    await entra.close();
    entra = await startFakeEntra({ accessTokens: { [FILE_APP]: 'local-at-file' }, assertionFile: join(dir, 'azure-identity-token'), requestToken, failTokenRequests: [1] });
    const assertion = entra.writeAssertion();
    const err = await new ClientCredentialsProvider(fileSpec(), 'global', { networkClient: new LoopbackNetwork(entra.origin) }).getToken().then(() => undefined, (e: Error) => e);
    expect(entra.tokenRequests.map((r) => r.assertion), 'the request was made and echoed').toEqual([assertion]);
    expect(err?.message).toContain('invalid_client');
    expect(err?.message).not.toContain(assertion);
    expect(err?.message).not.toContain(assertion.slice(-20));
  });

  test('a worker renewal reads the rotated file, redacts it and records it for the final scrub', async () => {
    entra.writeAssertion();
    const c = clock();
    const renewedFile = join(dir, 'renewed-tokens');
    const principal: Principal = {
      name: 'app-file', type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.All'], tokenState: 'valid', token: 'runner-token-0',
      renewal: { clientCredentials: fileSpec(), cloud: 'global', expiresAt: c.now() + 3600_000 },
    };
    const renewal = new TokenRenewal({ renewedFile, provider: { networkClient: new LoopbackNetwork(entra.origin), now: c.now } });
    expect(await renewal.bearer(principal)).toBe('runner-token-0');
    const rotated = entra.writeAssertion();
    c.advance(3600 - 300 + 5);
    expect(await renewal.bearer(principal)).toBe('local-at-file');
    expect(entra.tokenRequests.map((r) => r.assertion)).toEqual([rotated]);
    expect(readFileSync(renewedFile, 'utf8').split('\n')).toContain(rotated);
    expect(redactor.redact(rotated)).toBe(REDACTED);
  });
});

test.describe('client assertion from GitHub Actions OIDC', () => {
  test('a federated token for api://AzureADTokenExchange is fetched for each token request', async () => {
    const c = clock();
    const p = new ClientCredentialsProvider(githubSpec, 'usgov-l4', { networkClient: new LoopbackNetwork(entra.origin), now: c.now });
    expect(await p.getToken()).toBe('local-at-github');
    c.advance(3599 - 300 + 5);
    expect(await p.getToken()).toBe('local-at-github');
    expect(entra.refused).toEqual([]);
    expect(entra.oidcRequests).toEqual([1, 2].map(() => ({ authorization: `Bearer ${requestToken}`, audience: FEDERATED_AUDIENCE, apiVersion: '2.0' })));
    expect(entra.oidcIssued).toHaveLength(2);
    expect(entra.tokenRequests.map((r) => r.assertion), 'each token request carries a fresh federated token').toEqual(entra.oidcIssued);
    expect(entra.tokenRequests.map((r) => r.form.get('client_assertion_type'))).toEqual([JWT_BEARER, JWT_BEARER]);
    expect(entra.tokenRequests[0]!.form.getAll('scope')).toEqual(['https://graph.microsoft.us/.default']);
    for (const v of [requestToken, ...entra.oidcIssued]) expect(redactor.redact(`x ${v} y`)).toBe(`x ${REDACTED} y`);
  });

  test('missing runner variables name `permissions: id-token: write` and send nothing', async () => {
    for (const unset of ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
      const saved = process.env[unset];
      process.env[unset] = '';
      const p = new ClientCredentialsProvider(githubSpec, 'global', { networkClient: new LoopbackNetwork(entra.origin) });
      await expect(p.getToken()).rejects.toThrow(/ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN.*`permissions: id-token: write`/);
      process.env[unset] = saved;
    }
    expect(entra.oidcRequests).toEqual([]);
    expect(entra.tokenRequests).toEqual([]);
  });

  test('an OIDC endpoint echoing the request token leaks nothing into the error', async () => {
    await entra.close();
    entra = await startFakeEntra({ accessTokens: { [GITHUB_APP]: 'local-at-github' }, requestToken, failOidcRequests: [1] });
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = entra.oidcUrl;
    const err = await new ClientCredentialsProvider(githubSpec, 'global', { networkClient: new LoopbackNetwork(entra.origin) }).getToken().then(() => undefined, (e: Error) => e);
    expect(entra.oidcRequests).toHaveLength(1);
    expect(err?.message).toContain("GitHub's OIDC token endpoint answered 500");
    expect(err?.message).not.toContain(requestToken);
    expect(entra.tokenRequests).toEqual([]);
  });

  test('redactable lists the request token, and the file assertion for a file', () => {
    expect(redactable(githubSpec)).toEqual([requestToken]);
    const assertion = entra.writeAssertion();
    expect(redactable(fileSpec())).toEqual([assertion]);
  });
});

test.describe('principals file', () => {
  const write = (clientCredentials: Record<string, unknown>) => {
    const path = join(dir, 'principals.json');
    writeFileSync(path, JSON.stringify({ principals: [{ name: 'app', type: 'application', permissions: [], clientCredentials: { tenantId: TENANT, clientId: FILE_APP, ...clientCredentials } }] }));
    return path;
  };

  test('each way of authenticating alone is accepted', () => {
    for (const cc of [{ clientSecretEnv: 'APP_SECRET' }, { certificatePath: 'app.pem' }, { privateKeyPath: 'app.key', certificateThumbprint: '0'.repeat(40) },
      { clientAssertionFile: '/var/run/secrets/azure/tokens/azure-identity-token' }, { clientAssertion: 'github-oidc' }]) {
      expect(readPrincipalsFile(write(cc))[0]!.clientCredentials, JSON.stringify(cc)).toMatchObject(cc);
    }
  });

  test('two ways, or none, are refused in one line naming them', () => {
    const path = write({ clientSecretEnv: 'APP_SECRET', clientAssertionFile: '/tmp/token' });
    expect(() => readPrincipalsFile(path)).toThrow(`principals file ${path}: principal "app": clientCredentials needs exactly one of clientSecretEnv, certificatePath/privateKeyPath, clientAssertionFile, clientAssertion, not clientSecretEnv and clientAssertionFile`);
    expect(() => readPrincipalsFile(write({ certificatePath: 'app.pem', clientAssertion: 'github-oidc' }))).toThrow(/, not certificatePath\/privateKeyPath and clientAssertion$/);
    expect(() => readPrincipalsFile(write({}))).toThrow(/clientCredentials needs exactly one of clientSecretEnv, certificatePath\/privateKeyPath, clientAssertionFile, clientAssertion$/);
  });

  test('an unknown clientAssertion source is refused by the schema', () => {
    expect(() => readPrincipalsFile(write({ clientAssertion: 'gitlab-oidc' }))).toThrow(/\/principals\/0\/clientCredentials\/clientAssertion: must be equal to one of the allowed values \(\["github-oidc"\]/);
  });
});

/** Exit 2 and exactly one line on stderr naming the problem. */
function expectRefused(run: CliRun, names: RegExp): void {
  const shown = `\n--- stdout ---\n${run.stdout.slice(0, 1500)}\n--- stderr ---\n${run.stderr.slice(0, 1500)}`;
  expect(run.code, `exit code${shown}`).toBe(2);
  expect(run.stderr, `one message naming the problem${shown}`).toMatch(names);
  expect(run.stderr.trimEnd().split('\n'), `exactly one line on stderr${shown}`).toHaveLength(1);
}

test.describe('command line', () => {
  const principalsFile = (clientCredentials: Record<string, unknown>) => {
    const path = join(dir, 'principals.json');
    writeFileSync(path, JSON.stringify({ principals: [{ name: 'app-rw', type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.All'],
      clientCredentials: { tenantId: TENANT, clientId: GITHUB_APP, ...clientCredentials } }] }));
    return path;
  };
  // Token requests, were any sent, go to the local stand-in; a private temporary folder keeps a run that got too far.
  const env = () => { mkdirSync(join(dir, 'tmp'), { recursive: true }); return { ...viaStandIn(), TMPDIR: join(dir, 'tmp') }; };

  test('github-oidc outside a job with id-token: write is refused in one line (exit 2)', async () => {
    const run = await runCli(['run', '--target', UNREACHABLE, '--principals', principalsFile({ clientAssertion: 'github-oidc' })],
      { env: { ...env(), ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }, timeoutMs: 60_000, stopOn: /Running \d+ test/ });
    expectRefused(run, /^raa-conformance: principal "app-rw": .*clientAssertion github-oidc needs ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN.*`permissions: id-token: write`/);
    expect(entra.tokenRequests).toEqual([]);
  });

  test('a principal with a secret and an assertion file is refused in one line (exit 2)', async () => {
    const run = await runCli(['run', '--target', UNREACHABLE, '--principals', principalsFile({ clientSecretEnv: 'APP_SECRET', clientAssertionFile: join(dir, 'token') })],
      { env: env(), timeoutMs: 60_000, stopOn: /Running \d+ test/ });
    expectRefused(run, /principal "app-rw": clientCredentials needs exactly one of .*, not clientSecretEnv and clientAssertionFile$/m);
  });
});

test('no assertion or GitHub request token reaches the reports or the console of a run, workers renewing throughout', async () => {
  test.setTimeout(300_000);
  const server = await startIndependentServer({ tokenPrefix: 'fake-secret-token-' });
  await entra.close();
  const assertionFile = join(dir, 'azure-identity-token');
  // Tokens that live 300 s are inside the 300 s renewal window as soon as they are issued: each use in a worker renews,
  // reading the file and fetching from GitHub again, and the file rotates after each use. The runner makes one request
  // per app, so every later one is a worker's. The third token and OIDC requests are refused with the secret echoed.
  entra = await startFakeEntra({ accessTokens: { [GITHUB_APP]: server.tokens['app-rw']!, [FILE_APP]: server.tokens['app-rw-fabrikam']! }, assertionFile, rotate: true,
    requestToken, expiresIn: 300, failTokenRequests: [3], failOidcRequests: [3] });
  entra.writeAssertion();
  try {
    const principals = JSON.parse(readFileSync(server.principalsFile(dir), 'utf8')) as { principals: Record<string, unknown>[] };
    for (const p of principals.principals) {
      const cc = p.name === 'app-rw' ? githubSpec : p.name === 'app-rw-fabrikam' ? fileSpec() : undefined;
      if (cc) { delete p.token; p.clientCredentials = cc; }
    }
    const principalsPath = join(dir, 'federated-principals.json');
    writeFileSync(principalsPath, JSON.stringify(principals));
    const reportDir = join(dir, 'reports');
    const run = await runCli(['run', '--target', server.baseUrl, '--principals', principalsPath, '--report-dir', reportDir, '--allow-partial', '--allow-writes',
      '--', '--grep', '@RAA-CREATE-201|@RAA-GET-200|@RAA-TENANT-READ|@RAA-AUTH-MISSING'],
    { env: { ...viaStandIn(), ACTIONS_ID_TOKEN_REQUEST_URL: entra.oidcUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken, CONFORMANCE_RATE_LIMIT: '0' }, timeoutMs: 240_000 });
    const tail = `\n--- stdout (tail) ---\n${run.stdout.slice(-3000)}\n--- stderr (tail) ---\n${run.stderr.slice(-2000)}\n--- refused ---\n${entra.refused.join('\n')}`;
    expect(run.code, `the refused renewal errors a test, so the run is inconclusive (exit 3)${tail}`).toBe(3);
    expect(entra.refused, 'the stand-ins accepted every assertion they were sent').toEqual([]);
    const fileAssertions = new Set(entra.tokenRequests.filter((r) => r.clientId === FILE_APP).map((r) => r.assertion));
    expect(fileAssertions.size, `a worker read the rotated file again${tail}`).toBeGreaterThanOrEqual(2);
    expect(entra.oidcIssued.length, `a worker fetched a fresh GitHub token${tail}`).toBeGreaterThanOrEqual(2);
    const json = readFileSync(join(reportDir, 'conformance.json'), 'utf8');
    expect(json, 'the refused renewal, its secret echoed, reached the report (scrubbed)').toContain('token request for app');

    const sources = [{ where: 'stdout', text: run.stdout }, { where: 'stderr', text: run.stderr }, ...reportTexts(reportDir, dir)];
    expect(sources.map((s) => s.where), 'the HTML report data was decoded').toContain('reports/html/index.html ⟶ report.json');
    const secrets = { 'request token': requestToken, ...Object.fromEntries([...entra.fileAssertions, ...entra.oidcIssued].map((v, i) => [`assertion ${i + 1}`, v])) };
    const hits: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      // The random part's last 20 characters find a near-copy; base64 forms find an attachment.
      for (const needle of [secret, secret.slice(-20), ...base64Forms(secret)]) {
        for (const { where, text } of sources) if (text.includes(needle)) hits.push(`${name}: "${needle}" in ${where}`);
      }
    }
    console.log(`federated redaction: ${entra.tokenRequests.length} token requests, ${entra.oidcIssued.length} GitHub tokens, ${fileAssertions.size} file assertions; `
      + `scanned ${sources.length} texts in ${run.ms} ms of run; ${hits.length} hits`);
    expect(hits).toEqual([]);
  } finally {
    await server.close();
  }
});
