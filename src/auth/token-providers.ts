// Entra client-credentials tokens for a principal, per national cloud (GRAPH-FACTS §7), via msal-node: with a
// client secret, a certificate, or a federated token (workload identity federation) as the client assertion.
// Types only: msal (about 0.25 s to load) is imported when a token is first fetched, so a run, its Playwright
// runner and each worker load it only with client-credentials principals.
import type { ConfidentialClientApplication, Configuration, INetworkModule } from '@azure/msal-node';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CLOUDS, type CloudId } from './clouds';
import { redactor } from '../core/redact';
import { namedVariable, setting } from '../core/settings';

export interface ClientCredentialsSpec {
  tenantId: string;
  clientId: string;
  clientSecretEnv?: string;
  certificatePath?: string;
  certificateThumbprint?: string;
  privateKeyPath?: string;
  /** A federated token in a file (Azure workload identity's AZURE_FEDERATED_TOKEN_FILE), read again for each token request. */
  clientAssertionFile?: string;
  /** A federated token from GitHub Actions' OIDC endpoint, fetched for each token request. */
  clientAssertion?: 'github-oidc';
}

export interface ClientCredentialsOptions {
  networkClient?: INetworkModule;
  now?: () => number;
  renewBeforeSeconds?: number;
  /**
   * Told each client assertion read for a token request (a federated token), once, as soon as it is read: for a scrub
   * outside this process. The process-wide redactor already knows it; the fixed secrets come from redactable().
   */
  onSecret?: (value: string) => void;
}

/**
 * A process-wide seam for msal's network: a network module installed under this symbol replaces msal's own when no
 * `networkClient` is given. Only code loaded into the process can set it (the self-tests preload
 * tests/self/support/entra-network.cjs): no variable, file or flag of the product does.
 */
export const TOKEN_NETWORK = Symbol.for('raa-conformance.token-network');

/** The audience Entra expects in a federated token (GitHub's and Azure's documentation for federated credentials). */
export const FEDERATED_AUDIENCE = 'api://AzureADTokenExchange';

type Credential =
  | { kind: 'secret'; secret: string; redact: string[] }
  | { kind: 'certificate'; cert: NonNullable<Configuration['auth']['clientCertificate']>; redact: string[] }
  | { kind: 'assertion'; read: () => Promise<string>; redact: string[] };

const CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_RE = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?)PRIVATE KEY-----[\s\S]+?-----END \1PRIVATE KEY-----/;

// Messages name the file and the errno code only: fs/crypto messages could echo content in some Node versions.
function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} file ${path} (${(e as NodeJS.ErrnoException).code ?? 'read error'})`);
  }
}

/** The federated token in a file, as the kubelet writes it (no trailing newline; one from elsewhere may have one). */
function readAssertionFile(path: string, who: string): string {
  const assertion = readText(path, 'client assertion').trim();
  if (!assertion) throw new Error(`${who}: the client assertion file ${path} is empty`);
  return assertion;
}

const GITHUB_VARIABLES = 'ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN';

/**
 * A federated token from GitHub Actions' OIDC endpoint, for Entra's audience. Messages name the status only: the
 * request URL's path and the answer are the runner's business, and an answer could echo the request token.
 */
async function githubOidcToken(requestUrl: string, requestToken: string, who: string): Promise<string> {
  // Appended to the URL as given (it already carries api-version), the way GitHub's own toolkit does.
  const url = `${requestUrl}${requestUrl.includes('?') ? '&' : '?'}audience=${encodeURIComponent(FEDERATED_AUDIENCE)}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${requestToken}`, Accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    throw new Error(`${who}: GitHub's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) did not answer (${err.cause?.code ?? err.name})`);
  }
  const body = (await res.json().catch(() => undefined)) as { value?: unknown } | undefined;
  if (!res.ok) throw new Error(`${who}: GitHub's OIDC token endpoint answered ${res.status}`);
  if (typeof body?.value !== 'string' || body.value === '') throw new Error(`${who}: GitHub's OIDC token endpoint answered ${res.status} without a token ("value")`);
  return body.value;
}

/** The one way of authenticating a spec names; anything else is an error naming what it has. */
function credentialKind(spec: ClientCredentialsSpec, who: string): 'secret' | 'certificate' | 'file' | 'github' {
  const given = [
    spec.clientSecretEnv !== undefined && 'clientSecretEnv',
    (spec.certificatePath !== undefined || spec.privateKeyPath !== undefined) && 'certificatePath/privateKeyPath',
    spec.clientAssertionFile !== undefined && 'clientAssertionFile',
    spec.clientAssertion !== undefined && 'clientAssertion',
  ].filter((g): g is string => !!g);
  if (given.length !== 1) {
    throw new Error(`${who}: needs exactly one of clientSecretEnv, certificatePath/privateKeyPath, clientAssertionFile, clientAssertion${given.length ? `, not ${given.join(' and ')}` : ''}`);
  }
  return spec.clientSecretEnv !== undefined ? 'secret' : spec.clientAssertionFile !== undefined ? 'file' : spec.clientAssertion !== undefined ? 'github' : 'certificate';
}

function loadCredential(spec: ClientCredentialsSpec): Credential {
  const who = `client credentials for app ${spec.clientId}`;
  const kind = credentialKind(spec, who);
  if (kind === 'secret') {
    const secret = namedVariable(spec.clientSecretEnv!);
    if (!secret) throw new Error(`${who}: environment variable ${spec.clientSecretEnv} is not set or empty`);
    return { kind: 'secret', secret, redact: [secret] };
  }
  if (kind === 'file') {
    const path = spec.clientAssertionFile!;
    // Read now so a missing file fails before any request, and read again for each token request: the kubelet
    // rotates the token in place, and one read at start would be stale within the hour.
    const first = readAssertionFile(path, who);
    return { kind: 'assertion', read: async () => readAssertionFile(path, who), redact: [first] };
  }
  if (kind === 'github') {
    if (spec.clientAssertion !== 'github-oidc') throw new Error(`${who}: clientAssertion ${spec.clientAssertion} is not known (github-oidc)`);
    const url = setting('ACTIONS_ID_TOKEN_REQUEST_URL');
    const requestToken = setting('ACTIONS_ID_TOKEN_REQUEST_TOKEN');
    if (!url || !requestToken) {
      throw new Error(`${who}: clientAssertion github-oidc needs ${GITHUB_VARIABLES}, which GitHub Actions sets only when the workflow or job has \`permissions: id-token: write\``);
    }
    return { kind: 'assertion', read: () => githubOidcToken(url, requestToken, who), redact: [requestToken] };
  }

  const certText = spec.certificatePath ? readText(spec.certificatePath, 'certificate') : undefined;
  const keyFile = spec.privateKeyPath ?? spec.certificatePath!;
  const keyText = spec.privateKeyPath ? readText(spec.privateKeyPath, 'private key') : certText!;
  const keyPem = KEY_RE.exec(keyText)?.[0];
  if (!keyPem) throw new Error(`${who}: no PEM private key found in ${keyFile}`);
  let privateKey: string;
  try {
    // msal signs with jsonwebtoken; normalising to PKCS#8 accepts PKCS#1/SEC1 files too.
    privateKey = createPrivateKey(keyPem).export({ format: 'pem', type: 'pkcs8' }).toString();
  } catch {
    throw new Error(`${who}: the private key in ${keyFile} could not be parsed (encrypted keys are not supported)`);
  }
  const redact = [...new Set([keyPem, privateKey])];

  if (certText === undefined) {
    // Key only: the SHA-1 thumbprint must be given; msal sends it as x5t (deprecated but still accepted by Entra).
    if (!spec.certificateThumbprint) throw new Error(`${who}: privateKeyPath without certificatePath needs certificateThumbprint`);
    return { kind: 'certificate', cert: { thumbprint: spec.certificateThumbprint.toLowerCase(), privateKey }, redact };
  }
  const certPem = CERT_RE.exec(certText)?.[0];
  let der: Buffer;
  try {
    if (!certPem) throw new Error();
    der = new X509Certificate(certPem).raw;
  } catch {
    throw new Error(`${who}: no parsable PEM certificate found in ${spec.certificatePath}`);
  }
  const sha1 = createHash('sha1').update(der).digest('hex');
  if (spec.certificateThumbprint && spec.certificateThumbprint.toLowerCase() !== sha1) {
    throw new Error(`${who}: certificateThumbprint ${spec.certificateThumbprint} does not match ${spec.certificatePath} (SHA-1 ${sha1})`);
  }
  // msal-node v7 prefers x5t#S256 (PS256) over the deprecated SHA-1 x5t.
  return { kind: 'certificate', cert: { thumbprintSha256: createHash('sha256').update(der).digest('hex'), privateKey }, redact };
}

/**
 * Secret values (client secret, private-key PEM, the federated token in a file, GitHub's request token) for the
 * caller's redaction list. Never throws. A token fetched later (GitHub's) reaches the caller through onSecret.
 */
export function redactable(spec: ClientCredentialsSpec): string[] {
  try {
    return loadCredential(spec).redact;
  } catch {
    // A broken spec fails loudly in getToken(); still redact whatever raw secret is reachable.
    const raw = [spec.clientSecretEnv ? namedVariable(spec.clientSecretEnv) : undefined,
      // Unchecked on purpose: this function never throws, and a malformed token is still a secret to scrub.
      spec.clientAssertion !== undefined ? namedVariable('ACTIONS_ID_TOKEN_REQUEST_TOKEN') : undefined];
    return raw.filter((v): v is string => !!v);
  }
}

export class ClientCredentialsProvider {
  private app?: ConfidentialClientApplication;
  /** Every secret this provider has read, to scrub from a token endpoint's error message. */
  private redact: string[] = [];
  private readonly told = new Set<string>();
  private cached?: { token: string; expiresAt: number };
  private inflight?: Promise<string>;
  private readonly now: () => number;
  private readonly renewBeforeMs: number;

  constructor(
    private readonly spec: ClientCredentialsSpec,
    private readonly cloud: CloudId,
    private readonly opts: ClientCredentialsOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.renewBeforeMs = (opts.renewBeforeSeconds ?? 300) * 1000;
  }

  /** When the cached token expires (epoch ms on the injected clock); undefined before the first token. */
  get expiresAt(): number | undefined {
    return this.cached?.expiresAt;
  }

  /** Seeds the cache with a token obtained elsewhere (the runner's), so a worker renews only when it must. */
  prime(token: string, expiresAt: number): void {
    this.cached = { token, expiresAt };
  }

  async getToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.expiresAt - this.renewBeforeMs) return this.cached.token;
    // Concurrent callers share one request rather than each hitting the token endpoint.
    this.inflight ??= this.fetch().finally(() => { this.inflight = undefined; });
    return this.inflight;
  }

  /** A secret read: redacted in this process from now on; an assertion is handed to the caller's scrub too. */
  private remember(value: string, assertion: boolean): void {
    if (!this.redact.includes(value)) {
      this.redact.push(value);
      redactor.add(value);
    }
    if (assertion && !this.told.has(value)) {
      this.told.add(value);
      this.opts.onSecret?.(value);
    }
  }

  private network(): INetworkModule | undefined {
    return this.opts.networkClient ?? (globalThis as { [TOKEN_NETWORK]?: INetworkModule })[TOKEN_NETWORK];
  }

  private async build(): Promise<ConfidentialClientApplication> {
    const { ConfidentialClientApplication } = await import('@azure/msal-node');
    const credential = loadCredential(this.spec);
    for (const v of credential.redact) this.remember(v, false);
    const networkClient = this.network();
    const { authority } = CLOUDS[this.cloud];
    const host = new URL(authority).host;
    const base = `${authority}/${this.spec.tenantId}`;
    return new ConfidentialClientApplication({
      auth: {
        clientId: this.spec.clientId,
        authority: base,
        ...(credential.kind === 'secret' ? { clientSecret: credential.secret }
          : credential.kind === 'certificate' ? { clientCertificate: credential.cert }
          // A callback, so msal asks for the assertion again for each token request (a rotated file, a fresh OIDC token).
          : { clientAssertion: async () => { const v = await credential.read(); this.remember(v, true); return v; } }),
        // Pin discovery and endpoints to the §7 authority host: no instance-discovery or OpenID requests,
        // and no silent switch to an alias (msal's built-in table maps login.chinacloudapi.cn to
        // login.partner.microsoftonline.cn).
        knownAuthorities: [host],
        cloudDiscoveryMetadata: JSON.stringify({
          tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        }),
        authorityMetadata: JSON.stringify({
          token_endpoint: `${base}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          issuer: `${base}/v2.0`,
        }),
      },
      system: networkClient ? { networkClient } : {},
    });
  }

  private async fetch(): Promise<string> {
    this.app ??= await this.build();
    const startedAt = this.now();
    const realStart = Date.now();
    let result;
    try {
      result = await this.app.acquireTokenByClientCredential({
        scopes: [CLOUDS[this.cloud].scope],
        // We are the cache (renewBeforeSeconds, injectable clock); msal's own would answer stale renewals.
        skipCache: true,
        // Ignore MSAL_FORCE_REGION in the environment: regional hosts would leave the §7 authority.
        azureRegion: 'DisableMsalForceRegion',
      });
    } catch (e) {
      let msg = e instanceof Error ? e.message : String(e);
      // A server may echo the form body back, so the URL-encoded form is scrubbed as well.
      for (const s of this.redact.flatMap((v) => [v, encodeURIComponent(v)])) msg = msg.split(s).join('[redacted]');
      throw new Error(`token request for app ${this.spec.clientId} (${this.cloud}) failed: ${msg}`);
    }
    if (!result?.accessToken) throw new Error(`token request for app ${this.spec.clientId} (${this.cloud}) returned no access token`);
    // msal stamps expiresOn with the real clock; carry the lifetime over to the injected one.
    const lifetimeMs = result.expiresOn ? result.expiresOn.getTime() - realStart : 0;
    this.cached = { token: result.accessToken, expiresAt: startedAt + lifetimeMs };
    return result.accessToken;
  }
}
