// Proves the client-credentials provider per national cloud with no network: msal-node's pluggable
// network client is replaced by a fake that records every request.
import { test, expect } from '@playwright/test';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import { betaRoot, CLOUDS, type CloudId } from '../../src/auth/clouds';
import { ClientCredentialsProvider, redactable } from '../../src/auth/token-providers';
import type { Transport } from '../../src/transport/http';
import type { Principal } from '../../src/auth/principals';
import { redactor, REDACTED } from '../../src/core/redact';
import type { Runtime } from '../../src/config/runtime';
import { Graph } from '../../src/suite/suite';
import { TokenRenewal } from '../../src/auth/token-renewal';
import { setting } from '../../src/core/settings';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const SECRET = 'fake~client+secret/value=';
const SECRET_ENV = 'RAA_TEST_CLIENT_SECRET';
const CLOUD_IDS = Object.keys(CLOUDS) as CloudId[];

interface Recorded { method: 'GET' | 'POST'; url: string; body: URLSearchParams }

class FakeNetwork implements INetworkModule {
  requests: Recorded[] = [];
  expiresIn = 3599;
  /** When set, token requests fail with this status and echo the request body (a hostile server). */
  failWith?: number;
  private issued = 0;

  async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    this.requests.push({ method: 'GET', url, body: new URLSearchParams(options?.body ?? '') });
    // Only reached if msal tried discovery; answered so a failure shows up in the recorded list, not as a hang.
    const u = new URL(url);
    const base = `${u.origin}/${TENANT}`;
    const body = u.pathname.endsWith('/openid-configuration')
      ? { token_endpoint: `${base}/oauth2/v2.0/token`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          jwks_uri: `${base}/discovery/v2.0/keys`, issuer: `${base}/v2.0` }
      : { tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`, 'api-version': '1.1',
          metadata: [{ preferred_network: u.host, preferred_cache: u.host, aliases: [u.host] }] };
    return { status: 200, headers: { 'content-type': 'application/json' }, body: body as T };
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    this.requests.push({ method: 'POST', url, body: new URLSearchParams(options?.body ?? '') });
    if (this.failWith) {
      const body = { error: 'invalid_client', error_description: `AADSTS7000215: rejected ${options?.body}`, error_codes: [7000215] };
      return { status: this.failWith, headers: { 'content-type': 'application/json' }, body: body as T };
    }
    const body = { token_type: 'Bearer', expires_in: this.expiresIn, ext_expires_in: this.expiresIn, access_token: `fake-at-${++this.issued}` };
    return { status: 200, headers: { 'content-type': 'application/json' }, body: body as T };
  }
}

function clock(): { now: () => number; advance: (s: number) => void } {
  let t = Date.now();
  return { now: () => t, advance: (s) => { t += s * 1000; } };
}

function expectOnlyTokenPosts(fake: FakeNetwork, cloud: CloudId): void {
  const tokenUrl = `${CLOUDS[cloud].authority}/${TENANT}/oauth2/v2.0/token`;
  const authorityHost = new URL(CLOUDS[cloud].authority).host;
  for (const r of fake.requests) {
    expect(new URL(r.url).host, `request ${r.method} ${r.url} left the authority host`).toBe(authorityHost);
    // msal adds ?client-request-id=<uuid> (a correlation id) to the token URL; nothing else is allowed.
    const u = new URL(r.url);
    expect([...u.searchParams.keys()].filter((k) => k !== 'client-request-id')).toEqual([]);
    expect(`${r.method} ${u.origin}${u.pathname}`).toBe(`POST ${tokenUrl}`);
  }
}

// Throwaway self-signed RSA certificate + key for the certificate flow.
let certDir: string | undefined;
let certOnlyPath = '';
let keyOnlyPath = '';
let combinedPath = '';
let haveOpenssl = true;

test.beforeAll(() => {
  try {
    certDir = mkdtempSync(join(tmpdir(), 'raa-cloud-cert-'));
    certOnlyPath = join(certDir, 'cert.pem');
    keyOnlyPath = join(certDir, 'key.pem');
    combinedPath = join(certDir, 'combined.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyOnlyPath, '-out', certOnlyPath,
      '-days', '1', '-subj', '/CN=raa-conformance-selftest'], { stdio: 'ignore' });
    writeFileSync(combinedPath, readFileSync(certOnlyPath, 'utf8') + readFileSync(keyOnlyPath, 'utf8'));
  } catch {
    haveOpenssl = false;
  }
});

/** A developer without openssl skips the certificate tests; CI installs it (.ci/run), so there they must run. */
function needOpenssl(): void {
  if (setting('CI')) expect(haveOpenssl, 'CI runs the certificate tests: .ci/run installs openssl').toBe(true);
  test.skip(!haveOpenssl, 'openssl CLI not available to mint a throwaway certificate');
}

test.afterAll(() => {
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

test.beforeEach(() => {
  process.env[SECRET_ENV] = SECRET;
});

test('cloud table matches GRAPH-FACTS §7', () => {
  expect(CLOUD_IDS.sort()).toEqual(['china', 'global', 'usgov-l4', 'usgov-l5-dod']);
  for (const id of CLOUD_IDS) {
    expect(CLOUDS[id].scope).toBe(`${CLOUDS[id].graphRoot}/.default`);
    expect(betaRoot(id)).toBe(`${CLOUDS[id].graphRoot}/beta`);
  }
  expect(betaRoot('usgov-l5-dod')).toBe('https://dod-graph.microsoft.us/beta');
  expect(CLOUDS.china.authority).toBe('https://login.chinacloudapi.cn');
});

for (const cloud of CLOUD_IDS) {
  test.describe(`cloud ${cloud}`, () => {
    const tokenUrl = `${CLOUDS[cloud].authority}/${TENANT}/oauth2/v2.0/token`;

    test('client secret: token request shape, then served from cache within lifetime', async () => {
      const fake = new FakeNetwork();
      const c = clock();
      const p = new ClientCredentialsProvider({ tenantId: TENANT, clientId: CLIENT, clientSecretEnv: SECRET_ENV }, cloud,
        { networkClient: fake, now: c.now });

      expect(await p.getToken()).toBe('fake-at-1');
      expect(fake.requests).toHaveLength(1);
      const [req] = fake.requests;
      expect(req.method).toBe('POST');
      expect(req.url.split('?')[0]).toBe(tokenUrl);
      expect(req.body.get('grant_type')).toBe('client_credentials');
      expect(req.body.getAll('scope')).toEqual([CLOUDS[cloud].scope]);
      expect(req.body.get('client_id')).toBe(CLIENT);
      expect(req.body.get('client_secret')).toBe(SECRET);
      expect(req.body.has('client_assertion')).toBe(false);

      c.advance(3599 - 300 - 5); // still outside the renewal window
      expect(await p.getToken()).toBe('fake-at-1');
      expect(fake.requests).toHaveLength(1);

      c.advance(10); // now inside the last 300 s: renewed
      expect(await p.getToken()).toBe('fake-at-2');
      expect(fake.requests).toHaveLength(2);
      expectOnlyTokenPosts(fake, cloud);
    });

    test('short-lived token (expires_in 60 < renewBefore 300) is fetched again', async () => {
      const fake = new FakeNetwork();
      fake.expiresIn = 60;
      const p = new ClientCredentialsProvider({ tenantId: TENANT, clientId: CLIENT, clientSecretEnv: SECRET_ENV }, cloud,
        { networkClient: fake, now: clock().now, renewBeforeSeconds: 300 });
      expect(await p.getToken()).toBe('fake-at-1');
      expect(await p.getToken()).toBe('fake-at-2');
      expect(fake.requests).toHaveLength(2);
      expectOnlyTokenPosts(fake, cloud);
    });

    test('certificate: client_assertion signed by the key, x5t#S256 of the certificate', async () => {
      needOpenssl();
      const certPem = readFileSync(certOnlyPath, 'utf8');
      const der = new X509Certificate(certPem).raw;
      const sha1 = createHash('sha1').update(der).digest('hex');
      for (const spec of [
        { tenantId: TENANT, clientId: CLIENT, certificatePath: combinedPath },
        { tenantId: TENANT, clientId: CLIENT, certificatePath: certOnlyPath, privateKeyPath: keyOnlyPath, certificateThumbprint: sha1.toUpperCase() },
      ]) {
        const fake = new FakeNetwork();
        const c = clock();
        const p = new ClientCredentialsProvider(spec, cloud, { networkClient: fake, now: c.now });
        expect(await p.getToken()).toBe('fake-at-1');
        c.advance(60);
        expect(await p.getToken()).toBe('fake-at-1');
        expect(fake.requests).toHaveLength(1);
        expectOnlyTokenPosts(fake, cloud);

        const body = fake.requests[0].body;
        expect(body.get('grant_type')).toBe('client_credentials');
        expect(body.getAll('scope')).toEqual([CLOUDS[cloud].scope]);
        expect(body.get('client_id')).toBe(CLIENT);
        expect(body.has('client_secret')).toBe(false);
        expect(body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        const assertion = body.get('client_assertion')!;
        const header = decodeProtectedHeader(assertion);
        expect(header['x5t#S256']).toBe(Buffer.from(createHash('sha256').update(der).digest()).toString('base64url'));
        // msal rounds iat/nbf to the nearest second, so nbf may be up to 0.5 s ahead of the verifier's clock.
        const { payload } = await jwtVerify(assertion, await importX509(certPem, 'PS256'), { algorithms: ['PS256'], clockTolerance: 5 });
        expect(payload.aud).toBe(tokenUrl);
        expect(payload.iss).toBe(CLIENT);
        expect(payload.sub).toBe(CLIENT);
      }
    });
  });
}

test.describe('errors never leak secrets', () => {
  test('missing secret env var names the variable and sends nothing', async () => {
    delete process.env.RAA_TEST_MISSING_SECRET;
    const fake = new FakeNetwork();
    const p = new ClientCredentialsProvider({ tenantId: TENANT, clientId: CLIENT, clientSecretEnv: 'RAA_TEST_MISSING_SECRET' }, 'global',
      { networkClient: fake });
    await expect(p.getToken()).rejects.toThrow(/environment variable RAA_TEST_MISSING_SECRET is not set/);
    expect(fake.requests).toHaveLength(0);
    expect(redactable({ tenantId: TENANT, clientId: CLIENT, clientSecretEnv: 'RAA_TEST_MISSING_SECRET' })).toEqual([]);
  });

  test('unreadable certificate names the file', async () => {
    const missing = join(tmpdir(), 'raa-no-such-dir', 'cert.pem');
    const p = new ClientCredentialsProvider({ tenantId: TENANT, clientId: CLIENT, certificatePath: missing }, 'china',
      { networkClient: new FakeNetwork() });
    await expect(p.getToken()).rejects.toThrow(`cannot read certificate file ${missing} (ENOENT)`);
  });

  test('certificate without a key, or with a wrong thumbprint, names the file but no key material', async () => {
    needOpenssl();
    const keyPem = readFileSync(keyOnlyPath, 'utf8');
    const noKey = new ClientCredentialsProvider({ tenantId: TENANT, clientId: CLIENT, certificatePath: certOnlyPath }, 'global',
      { networkClient: new FakeNetwork() });
    await expect(noKey.getToken()).rejects.toThrow(`no PEM private key found in ${certOnlyPath}`);
    const wrongThumb = new ClientCredentialsProvider(
      { tenantId: TENANT, clientId: CLIENT, certificatePath: combinedPath, certificateThumbprint: '0'.repeat(40) }, 'global',
      { networkClient: new FakeNetwork() });
    const err = await wrongThumb.getToken().then(() => undefined, (e: Error) => e);
    expect(err?.message).toContain(combinedPath);
    expect(err?.message).not.toContain('PRIVATE KEY');
    expect(err?.message).not.toContain(keyPem.split('\n')[1]);
  });

  test('a server error echoing the request body is redacted', async () => {
    const fake = new FakeNetwork();
    fake.failWith = 401;
    const p = new ClientCredentialsProvider({ tenantId: TENANT, clientId: CLIENT, clientSecretEnv: SECRET_ENV }, 'usgov-l4',
      { networkClient: fake });
    const err = await p.getToken().then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain('invalid_client');
    expect(err!.message).not.toContain(SECRET);
    expect(err!.message).not.toContain(encodeURIComponent(SECRET));
  });

  test('redactable lists the secret and the private key PEM', () => {
    expect(redactable({ tenantId: TENANT, clientId: CLIENT, clientSecretEnv: SECRET_ENV })).toEqual([SECRET]);
    needOpenssl();
    const keyPem = readFileSync(keyOnlyPath, 'utf8').trim();
    const list = redactable({ tenantId: TENANT, clientId: CLIENT, certificatePath: certOnlyPath, privateKeyPath: keyOnlyPath });
    expect(list).toContain(keyPem);
  });
});

test('a worker renews the runner\'s token shortly before it expires, redacts it and records it for the final scrub', async () => {
  const fake = new FakeNetwork();
  const c = clock();
  const dir = mkdtempSync(join(tmpdir(), 'raa-renew-'));
  const renewedFile = join(dir, 'renewed-tokens');
  const principal: Principal = {
    name: 'app', type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.All'], tokenState: 'valid', token: 'runner-token-0',
    renewal: { clientCredentials: { tenantId: TENANT, clientId: CLIENT, clientSecretEnv: SECRET_ENV }, cloud: 'global', expiresAt: c.now() + 3600_000 },
  };
  const sent: string[] = [];
  const transport = { send: async (r: { headers: Record<string, string> }) => { sent.push(r.headers.Authorization ?? ''); return { status: 200 }; } };
  const graph = new Graph({ target: 'http://127.0.0.1:1/beta', principals: [principal] } as unknown as Runtime, transport as unknown as Transport,
    new TokenRenewal({ renewedFile, provider: { networkClient: fake, now: c.now } }));
  try {
    await graph.get('x', { as: principal });
    c.advance(3600 - 300 - 5); // outside the 300 s renewal window: the runner's token is still used
    await graph.get('x', { as: principal });
    expect(fake.requests, 'no token request while the runner\'s token is fresh').toHaveLength(0);

    c.advance(10); // inside the window: renewed once, then reused
    await graph.get('x', { as: principal });
    await graph.get('x', { as: principal });
    expect(sent).toEqual(['Bearer runner-token-0', 'Bearer runner-token-0', 'Bearer fake-at-1', 'Bearer fake-at-1']);
    expect(fake.requests).toHaveLength(1);
    expectOnlyTokenPosts(fake, 'global');
    expect(principal.token).toBe('fake-at-1');
    expect(redactor.redact('token fake-at-1 here')).toBe(`token ${REDACTED} here`);
    expect(readFileSync(renewedFile, 'utf8').split('\n').filter(Boolean)).toEqual(['fake-at-1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('static and deliberately broken tokens are never renewed', async () => {
  const fake = new FakeNetwork();
  const renewal = new TokenRenewal({ provider: { networkClient: fake } });
  const expired: Principal = { name: 'old', type: 'application', permissions: [], tokenState: 'expired', token: 'expired-token-value',
    renewal: { clientCredentials: { tenantId: TENANT, clientId: CLIENT, clientSecretEnv: SECRET_ENV }, cloud: 'global', expiresAt: 0 } };
  const fixed: Principal = { name: 'static', type: 'application', permissions: [], tokenState: 'valid', token: 'static-token-value' };
  expect(await renewal.bearer(expired)).toBe('expired-token-value');
  expect(await renewal.bearer(fixed)).toBe('static-token-value');
  expect(fake.requests).toHaveLength(0);
});
