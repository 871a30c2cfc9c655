// A long run (the deep profile, a nightly) can outlive an Entra token, which lasts 60–90 minutes. The runner
// resolves each token once; a worker renews a client-credentials token shortly before it expires, with the
// provider the runner used, primed with the runner's token so nothing is fetched before it is needed.
// Every renewed token, and every federated token read to get one (a rotated file, a fresh GitHub OIDC token), is
// registered for redaction here and appended to a private file the runner reads before it scrubs the reports.
import { appendFileSync } from 'node:fs';
import type { Principal } from './principals';
import { redactor } from '../core/redact';
import { ClientCredentialsProvider, type ClientCredentialsOptions } from './token-providers';

export interface TokenRenewalOptions {
  /** Private file (mode 0600) that collects renewed tokens and the assertions read for them, for the runner's scrub. */
  renewedFile?: string;
  /** For tests: the provider's network and clock. */
  provider?: ClientCredentialsOptions;
}

export class TokenRenewal {
  private readonly providers = new Map<string, ClientCredentialsProvider>();

  constructor(private readonly opts: TokenRenewalOptions = {}) {}

  /** The principal's current bearer token, renewed first when it is within the renewal window. */
  async bearer(p: Principal): Promise<string> {
    if (!p.renewal || p.tokenState !== 'valid') return p.token;
    let provider = this.providers.get(p.name);
    if (!provider) {
      provider = new ClientCredentialsProvider(p.renewal.clientCredentials, p.renewal.cloud, { ...this.opts.provider, onSecret: (v) => this.record(v) });
      provider.prime(p.token, p.renewal.expiresAt);
      this.providers.set(p.name, provider);
    }
    const token = await provider.getToken();
    if (token !== p.token) {
      this.record(token);
      p.token = token;
      p.renewal.expiresAt = provider.expiresAt ?? p.renewal.expiresAt;
    }
    return token;
  }

  /** A secret this worker learned: redacted here, and kept for the runner's final scrub. */
  private record(value: string): void {
    redactor.add(value);
    if (this.opts.renewedFile) appendFileSync(this.opts.renewedFile, `${value}\n`, { mode: 0o600 });
  }
}
