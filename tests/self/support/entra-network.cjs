// The self-tests' stand-in for Entra's network: msal's requests go to a local token endpoint, path and query kept.
// msal still sees the cloud's authority (it refuses http authorities), so the tests prove the requests a real run
// sends. In-process tests hand it to ClientCredentialsProvider as `networkClient`; for a whole command-line run
// the self-test loads this file into every process with NODE_OPTIONS=--require and names the origin in
// SELFTEST_ENTRA_ORIGIN, and it installs itself on the seam src/auth/token-providers.ts reads (TOKEN_NETWORK).
// The product reads no variable for this: nothing a user can put in a .env routes a token request elsewhere.
'use strict';

class LoopbackNetwork {
  constructor(origin) {
    const url = new URL(origin);
    if (url.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) throw new Error(`${origin} is not an http:// loopback origin`);
    this.origin = url.origin;
  }

  sendGetRequestAsync(url, options) { return this.send('GET', url, options); }

  sendPostRequestAsync(url, options) { return this.send('POST', url, options); }

  async send(method, url, options) {
    const u = new URL(url);
    const res = await fetch(`${this.origin}${u.pathname}${u.search}`, { method, headers: options?.headers ?? {}, ...(options?.body !== undefined ? { body: options.body } : {}) });
    const text = await res.text();
    let body = {};
    try { body = JSON.parse(text); } catch { /* msal reads a non-JSON answer as an empty body */ }
    return { status: res.status, headers: Object.fromEntries(res.headers), body };
  }
}

const origin = process.env.SELFTEST_ENTRA_ORIGIN;
if (origin) globalThis[Symbol.for('raa-conformance.token-network')] = new LoopbackNetwork(origin);

module.exports = { LoopbackNetwork, preload: __filename };
