// Entra client-credentials tokens for a principal, per national cloud (GRAPH-FACTS §7), via msal-node.
import { ConfidentialClientApplication, type Configuration, type INetworkModule } from '@azure/msal-node';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CLOUDS, type CloudId } from './clouds';

export interface ClientCredentialsSpec {
  tenantId: string;
  clientId: string;
  clientSecretEnv?: string;
  certificatePath?: string;
  certificateThumbprint?: string;
  privateKeyPath?: string;
}

export interface ClientCredentialsOptions {
  networkClient?: INetworkModule;
  now?: () => number;
  renewBeforeSeconds?: number;
}

type Credential =
  | { kind: 'secret'; secret: string; redact: string[] }
  | { kind: 'certificate'; cert: NonNullable<Configuration['auth']['clientCertificate']>; redact: string[] };

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

function loadCredential(spec: ClientCredentialsSpec): Credential {
  const who = `client credentials for app ${spec.clientId}`;
  const hasCert = !!(spec.certificatePath || spec.privateKeyPath);
  if (spec.clientSecretEnv && hasCert) {
    throw new Error(`${who}: configure either clientSecretEnv or a certificate, not both`);
  }
  if (spec.clientSecretEnv) {
    const secret = process.env[spec.clientSecretEnv];
    if (!secret) throw new Error(`${who}: environment variable ${spec.clientSecretEnv} is not set or empty`);
    return { kind: 'secret', secret, redact: [secret] };
  }
  if (!hasCert) throw new Error(`${who}: needs clientSecretEnv, or certificatePath/privateKeyPath`);

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

/** Secret values (client secret, private-key PEM) for the caller's redaction list. Never throws. */
export function redactable(spec: ClientCredentialsSpec): string[] {
  try {
    return loadCredential(spec).redact;
  } catch {
    // A broken spec fails loudly in getToken(); still redact whatever raw secret is reachable.
    const secret = spec.clientSecretEnv ? process.env[spec.clientSecretEnv] : undefined;
    return secret ? [secret] : [];
  }
}

export class ClientCredentialsProvider {
  private app?: ConfidentialClientApplication;
  private redact: string[] = [];
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

  private build(): ConfidentialClientApplication {
    const credential = loadCredential(this.spec);
    this.redact = credential.redact;
    const { authority } = CLOUDS[this.cloud];
    const host = new URL(authority).host;
    const base = `${authority}/${this.spec.tenantId}`;
    return new ConfidentialClientApplication({
      auth: {
        clientId: this.spec.clientId,
        authority: base,
        ...(credential.kind === 'secret' ? { clientSecret: credential.secret } : { clientCertificate: credential.cert }),
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
      system: this.opts.networkClient ? { networkClient: this.opts.networkClient } : {},
    });
  }

  private async fetch(): Promise<string> {
    this.app ??= this.build();
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
