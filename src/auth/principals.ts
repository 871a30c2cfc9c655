// Who the suite can act as: a principals file (schemas/suite.ts) resolved to bearer tokens before any test
// runs. Tokens are opaque to the suite (only a JWT's tenant is read, when the file names none); the expected
// outcome of each call comes from the permission matrix.
import { readFileSync, statSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { ConfigError, KNOWN_PERMISSIONS, describeErrors, validators, type PrincipalSpec, type PrincipalType } from '../contract';
import { redactor } from '../core/redact';
import { didYouMean } from '../core/suggest';
import type { CloudId } from './clouds';
import type { ClientCredentialsSpec } from './token-providers';
import { namedVariable } from '../core/settings';

/** How a worker renews a client-credentials token before it expires (src/auth/token-renewal.ts). */
export interface Renewal {
  clientCredentials: ClientCredentialsSpec;
  cloud: CloudId;
  /** Epoch ms at which the current token expires. */
  expiresAt: number;
}

export interface Principal {
  name: string;
  type: PrincipalType;
  permissions: string[];
  tokenState: 'valid' | 'expired' | 'wrong-audience';
  token: string;
  /**
   * The tenant its requests run in: the file's `tenant`, else the JWT's `tid`. Undefined is the default tenant,
   * shared by every principal without either (opaque tokens). Only compared, never sent.
   */
  tenant?: string;
  /** Present for client-credentials principals: no secret, only where to get the next token. */
  renewal?: Renewal;
}

/** A principal the suite may act as: a valid token, and not a personal account (which every operation refuses). */
export const mayAct = (p: Principal) => p.tokenState === 'valid' && p.type !== 'delegated-personal';

export type TokenSource = (spec: PrincipalSpec) => Promise<string>;

/**
 * The principals file as read, once per process and version of the file: the misspelt-variable check
 * (variablesNamedBy), the credential check and the schema all look at this one parse, and workers read none (the
 * runtime hands them the resolved principals). A file written anew (its size or modification time changed) is read anew.
 */
const read = new Map<string, { data?: unknown; error?: string }>();

function parsedFile(path: string): { data?: unknown; error?: string } {
  let version = path;
  try { const s = statSync(path); version = `${path}\0${s.mtimeMs}\0${s.size}\0${s.ino}`; } catch { /* the read below says why */ }
  let got = read.get(version);
  if (!got) {
    try { got = { data: JSON.parse(readFileSync(path, 'utf8')) }; } catch (e) { got = { error: (e as Error).message }; }
    read.set(version, got);
  }
  return got;
}

export function readPrincipalsFile(path: string): PrincipalSpec[] {
  const { data, error } = parsedFile(path);
  if (error !== undefined) throw new ConfigError(`principals file ${path} cannot be read as JSON: ${error}`);
  checkCredentialChoice(path, data);
  if (!validators.principalsFile(data)) throw new ConfigError(`principals file ${path} is invalid:\n  ${describeErrors(validators.principalsFile.errors).join('\n  ')}`);
  const file = data as { principals: PrincipalSpec[] };
  const names = new Set<string>();
  for (const p of file.principals) {
    if (names.has(p.name)) throw new ConfigError(`principals file ${path}: the name "${p.name}" is used twice`);
    names.add(p.name);
    checkPermissions(path, p);
  }
  return file.principals;
}

const CREDENTIALS: [string, (cc: Record<string, unknown>) => boolean][] = [
  ['clientSecretEnv', (cc) => 'clientSecretEnv' in cc],
  ['certificatePath/privateKeyPath', (cc) => 'certificatePath' in cc || 'privateKeyPath' in cc],
  ['clientAssertionFile', (cc) => 'clientAssertionFile' in cc],
  ['clientAssertion', (cc) => 'clientAssertion' in cc],
];

/**
 * clientCredentials authenticates one way. The schema's oneOf says so too, but ajv reports each branch it tried:
 * this names the conflict in one line first. A file that is not JSON is left to the schema check.
 */
function checkCredentialChoice(path: string, data: unknown): void {
  const file = data as { principals?: { name?: unknown; clientCredentials?: unknown }[] } | null;
  if (!Array.isArray(file?.principals)) return;
  file.principals.forEach((p, i) => {
    const cc = p?.clientCredentials;
    if (typeof cc !== 'object' || cc === null || Array.isArray(cc)) return;
    const given = CREDENTIALS.filter(([, has]) => has(cc as Record<string, unknown>)).map(([name]) => name);
    if (given.length === 1) return;
    const who = typeof p.name === 'string' ? `"${p.name}"` : `#${i + 1}`;
    throw new ConfigError(`principals file ${path}: principal ${who}: clientCredentials needs exactly one of ${CREDENTIALS.map(([n]) => n).join(', ')}${given.length ? `, not ${given.join(' and ')}` : ''}`);
  });
}

/** A permission the matrix does not know would silently decide every expectation as "denied": refuse it. */
function checkPermissions(path: string, p: PrincipalSpec): void {
  for (const perm of p.permissions) {
    if (!KNOWN_PERMISSIONS.includes(perm)) {
      throw new ConfigError(`principals file ${path}: principal "${p.name}" names the unknown permission ${perm}${didYouMean(perm, KNOWN_PERMISSIONS) || ` (known: ${KNOWN_PERMISSIONS.join(', ')})`}`);
    }
  }
}

/**
 * The environment variables a principals file names (tokenEnv, clientSecretEnv): they belong to the user, so
 * the check for misspelt suite variables must not refuse them. An unreadable file names none; reading it
 * properly reports that later.
 */
export function variablesNamedBy(path: string): string[] {
  const file = parsedFile(path).data as { principals?: { tokenEnv?: unknown; clientCredentials?: { clientSecretEnv?: unknown } }[] } | undefined;
  const list = Array.isArray(file?.principals) ? file.principals : [];
  return list.flatMap((p) => [p?.tokenEnv, p?.clientCredentials?.clientSecretEnv]).filter((v): v is string => typeof v === 'string');
}

/** A resolved principal as a principals-file entry with its literal token (serve --principals-out, the self-tests). */
export function principalEntry(p: Principal): PrincipalSpec {
  return { name: p.name, type: p.type, permissions: p.permissions, ...(p.tokenState !== 'valid' ? { tokenState: p.tokenState } : {}), ...(p.tenant ? { tenant: p.tenant } : {}), token: p.token };
}

/** Resolves every principal's token; a missing environment variable is a configuration error. */
export interface TokenSources {
  /** The embedded reference target mints its own tokens. */
  mint?: TokenSource;
  clientCredentials?: (spec: PrincipalSpec) => Promise<{ token: string; renewal?: Renewal }>;
}

export async function resolvePrincipals(specs: PrincipalSpec[], sources: TokenSources = {}): Promise<Principal[]> {
  const out: Principal[] = [];
  for (const spec of specs) {
    let token: string;
    let renewal: Renewal | undefined;
    if (spec.token !== undefined) token = spec.token;
    else if (spec.tokenEnv !== undefined) {
      const v = namedVariable(spec.tokenEnv);
      if (!v) throw new ConfigError(`principal "${spec.name}": environment variable ${spec.tokenEnv} is not set (it should hold the bearer token)`);
      token = v;
    } else if (spec.mint) {
      if (!sources.mint) throw new ConfigError(`principal "${spec.name}": "mint" only works against the embedded reference target (leave TARGET_BASE_URL unset)`);
      token = await sources.mint(spec);
    } else {
      if (!sources.clientCredentials) throw new ConfigError(`principal "${spec.name}": client credentials are not available for this target`);
      ({ token, renewal } = await sources.clientCredentials(spec));
    }
    redactor.add(token);
    const tenant = spec.tenant ?? tenantClaim(token);
    out.push({ name: spec.name, type: spec.type, permissions: [...spec.permissions], tokenState: spec.tokenState ?? 'valid', token, ...(tenant !== undefined ? { tenant } : {}), ...(renewal ? { renewal } : {}) });
  }
  return out;
}

/**
 * The `tid` claim of a JWT (GRAPH-FACTS §7), read without verifying it: the target verifies, the suite only needs to
 * know which principals share a tenant. Undefined for an opaque token or one without the claim.
 */
export function tenantClaim(token: string): string | undefined {
  try {
    const tid = decodeJwt(token).tid;
    return typeof tid === 'string' && tid !== '' ? tid : undefined;
  } catch {
    return undefined;
  }
}
