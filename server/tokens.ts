// Tokens for the reference target: HS256 JWTs shaped like Entra access tokens (GRAPH-FACTS §7):
// application tokens carry `roles`, delegated tokens `scp`; the tenant is in `tid`.
import { SignJWT } from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import type { PrincipalType } from '../schemas/contract';

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
export const REFERENCE_TENANT = '11111111-2222-4333-8444-555555555555';
/** The tenant Entra issues personal Microsoft account tokens from. */
export const PERSONAL_ACCOUNT_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

export interface TokenRequest {
  type: PrincipalType;
  permissions: readonly string[];
  tokenState?: 'valid' | 'expired' | 'wrong-audience';
  name?: string;
  /** The `tid` claim: the reference tenant by default (personal accounts: Entra's consumer tenant). */
  tenant?: string;
  /** Lifetime in seconds for valid tokens. */
  lifetime?: number;
}

export class TokenIssuer {
  readonly key: Uint8Array;

  constructor(key?: Uint8Array) {
    this.key = key ?? new Uint8Array(randomBytes(32));
  }

  async mint(r: TokenRequest): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const tid = r.tenant ?? (r.type === 'delegated-personal' ? PERSONAL_ACCOUNT_TENANT : REFERENCE_TENANT);
    const claims: Record<string, unknown> = { tid, azp: randomUUID(), name: r.name ?? r.type };
    if (r.type === 'application') claims.roles = [...r.permissions];
    else claims.scp = r.permissions.join(' ');
    const expired = r.tokenState === 'expired';
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(`https://sts.windows.net/${tid}/`)
      .setAudience(r.tokenState === 'wrong-audience' ? 'api://not-microsoft-graph' : GRAPH_AUDIENCE)
      .setIssuedAt(expired ? now - 7200 : now)
      .setNotBefore(expired ? now - 7200 : now - 60)
      .setExpirationTime(expired ? now - 3600 : now + (r.lifetime ?? 3600))
      .sign(this.key);
  }
}
