// Preparing a target: the embedded reference server (defects, faults, the contract it implements) with its
// principals' tokens minted, or a remote target with the principals file's tokens and client credentials.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ConfigError, ROOT } from '../contract';
import type { RunConfig } from '../config/config';
import { readPrincipalsFile, resolvePrincipals, type Principal } from '../auth/principals';
import { redactor } from '../core/redact';
import type { RuntimeTarget } from '../config/runtime';
import { ClientCredentialsProvider, redactable } from '../auth/token-providers';
import { ReferenceServer } from '../../server/index';
import { parseDefects } from '../../server/index';
import { parseFaults, withFaults, type FaultSpec } from '../../server/index';
import { parseVariants, withVariants } from '../../server/index';
import type { TokenIssuer } from '../../server/index';

export interface Embedded {
  server: ReferenceServer;
  baseUrl: string;
  principals: Principal[];
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The contract the reference server implements (REFERENCE_CONTRACT); unset = today's. */
  contract?: 'today' | 'seed';
  /** Legal variations of the reference server (server/variants.ts, REFERENCE_VARIANTS); unset = none. */
  variants?: string;
}

/** The reference principals (fixtures/reference-principals.json) with tokens minted by `issuer`, valid for 12 hours. */
export function referencePrincipals(issuer: TokenIssuer): Promise<Principal[]> {
  return resolvePrincipals(readPrincipalsFile(join(ROOT, 'fixtures', 'reference-principals.json')), {
    mint: (s) => issuer.mint({ type: s.type, permissions: s.permissions, tokenState: s.tokenState, name: s.name, lifetime: 12 * 3600, ...(s.tenant ? { tenant: s.tenant } : {}) }),
  });
}

/** The reference server behind a fault injector and its legal variations, on 127.0.0.1:`port`. */
async function listenWrapped(server: ReferenceServer, faults: string | undefined, variants: string | undefined, port: number): Promise<{ baseUrl: string; close(): Promise<void> }> {
  let spec: FaultSpec;
  try { spec = parseFaults(faults); } catch (e) { throw new ConfigError(`REFERENCE_FAULTS: ${(e as Error).message}`); }
  let varied;
  try { varied = withVariants(server.handle, parseVariants(variants)); } catch (e) { throw new ConfigError(`REFERENCE_VARIANTS: ${(e as Error).message}`); }
  const http = createServer({ keepAliveTimeout: 30_000 }, withFaults(varied, spec));
  await new Promise<void>((resolve, reject) => { http.once('error', reject); http.listen(port, '127.0.0.1', () => resolve()); });
  return {
    baseUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/beta`,
    close: () => new Promise<void>((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }),
  };
}

/** Starts the embedded reference server (with defects and faults if asked) and mints its principals' tokens. */
export async function startEmbedded(defects: string[], faults?: string, port = 0, opts: EmbeddedOptions = {}): Promise<Embedded> {
  // parseDefects refuses a misspelt name, which would otherwise run a clean server and "pass".
  const server = new ReferenceServer({ defects: parseDefects(defects.join(',')), ...(opts.contract ? { contract: opts.contract } : {}) });
  const { baseUrl, close } = faults || opts.variants ? await listenWrapped(server, faults, opts.variants, port)
    : { baseUrl: await server.listen(port), close: () => server.close() };
  const principals = await referencePrincipals(server.issuer);
  return { server, baseUrl, principals, close };
}

/** Principals for a real target: static tokens, or client credentials against the cloud's Entra authority. */
export async function targetPrincipals(config: RunConfig, secrets: string[]): Promise<Principal[]> {
  const cloud = config.cloud ?? 'global';
  return resolvePrincipals(readPrincipalsFile(config.principalsFile!), {
    clientCredentials: async (spec) => {
      const cc = spec.clientCredentials!;
      const extra = redactable(cc);
      secrets.push(...extra);
      redactor.add(...extra);
      try {
        // A federated token fetched for the first token (GitHub's) is scrubbed from the reports like the rest.
        const provider = new ClientCredentialsProvider(cc, cloud, { onSecret: (v) => secrets.push(v) });
        const token = await provider.getToken();
        return { token, renewal: { clientCredentials: cc, cloud, expiresAt: provider.expiresAt! } };
      } catch (e) {
        throw new ConfigError(`principal "${spec.name}": ${(e as Error).message}`);
      }
    },
  });
}

export interface PreparedTarget extends RuntimeTarget {
  /** Stops the embedded server; nothing for a remote target. */
  close(): Promise<void>;
}

/** The run's target: the embedded reference server unless the configuration names one. */
export async function prepareTarget(config: RunConfig): Promise<PreparedTarget> {
  if (!config.targetBaseUrl) {
    const embedded = await startEmbedded(config.defects, config.faults, 0, { contract: config.referenceContract });
    return { target: embedded.baseUrl, principals: embedded.principals, embedded: true, secrets: [], close: () => embedded.close() };
  }
  if (config.defects.length || config.faults || config.referenceContract) throw new ConfigError('REFERENCE_DEFECTS, REFERENCE_FAULTS and REFERENCE_CONTRACT apply only to the embedded reference target (leave TARGET_BASE_URL unset)');
  const target = config.targetBaseUrl;
  const secrets: string[] = [];
  const principals = await targetPrincipals(config, secrets);
  return { target, principals, embedded: false, secrets, close: async () => {} };
}
