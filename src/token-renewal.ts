// A long run (the deep profile, a nightly) can outlive an Entra token, which lasts 60–90 minutes. The runner
// resolves each token once; a worker renews a client-credentials token shortly before it expires, with the
// provider the runner used, primed with the runner's token so nothing is fetched before it is needed.
// Every renewed token is registered for redaction here and appended to a private file the runner reads
// before it scrubs the reports.
import { appendFileSync } from 'node:fs';
import type { Principal } from './principals';
import { redactor } from './redact';
import { ClientCredentialsProvider, type ClientCredentialsOptions } from './token-providers';

export interface TokenRenewalOptions {
  /** Private file (mode 0600) that collects renewed tokens for the runner's scrub. */
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
      provider = new ClientCredentialsProvider(p.renewal.clientCredentials, p.renewal.cloud, this.opts.provider);
      provider.prime(p.token, p.renewal.expiresAt);
      this.providers.set(p.name, provider);
    }
    const token = await provider.getToken();
    if (token !== p.token) {
      redactor.add(token);
      if (this.opts.renewedFile) appendFileSync(this.opts.renewedFile, `${token}\n`, { mode: 0o600 });
      p.token = token;
      p.renewal.expiresAt = provider.expiresAt ?? p.renewal.expiresAt;
    }
    return token;
  }
}
