// Authentication: who is calling. Two interchangeable authenticators: JWTs signed by the server's key
// (the default) and opaque static tokens (proves the suite never depends on a token format).
import { decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import type { PrincipalType } from '../schemas/contract';
import type { Defects } from './defects';
import { BEARER_CHALLENGE, GraphError, unauthenticated } from './errors';
import { GRAPH_AUDIENCE, PERSONAL_ACCOUNT_TENANT, REFERENCE_TENANT } from './tokens';

export interface Caller {
  type: PrincipalType;
  permissions: readonly string[];
  /** The tenant whose records the caller reaches (GRAPH-FACTS §11): the token's `tid`; absent, the reference tenant. */
  tenant?: string;
}

export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Caller>;
}

/**
 * A 401 with its Bearer challenge; with auth-error-code-generic, under the HTTP reason phrase instead of Graph's code;
 * with www-authenticate-missing, without the challenge (the middleware throws its 401 bare).
 */
function denied(message: string, defects: Defects): GraphError {
  const challenge: Record<string, string> = defects.has('www-authenticate-missing') ? {} : { 'WWW-Authenticate': BEARER_CHALLENGE };
  return defects.has('auth-error-code-generic') ? new GraphError(401, 'Unauthorized', message, challenge) : unauthenticated(message, challenge);
}

function bearer(authorization: string | undefined, defects: Defects): string {
  if (!authorization) {
    if (defects.has('auth-missing-accepted')) return '';
    throw denied('Access token is empty.', defects);
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m) throw denied('CompactToken parsing failed with error code: 80049217', defects);
  return m[1]!;
}

/** A caller with every permission: what a server that skips authentication effectively grants. */
const ANYONE: Caller = { type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.All'] };

export class JwtAuthenticator implements Authenticator {
  private readonly cache = new Map<string, { caller: Caller; exp: number }>();

  constructor(private readonly key: Uint8Array, private readonly defects: Defects) {}

  async authenticate(authorization: string | undefined): Promise<Caller> {
    const token = bearer(authorization, this.defects);
    if (token === '') return ANYONE;
    const hit = this.cache.get(token);
    if (hit && hit.exp * 1000 > Date.now()) return hit.caller;
    const payload = await this.verify(token);
    const caller = callerFromClaims(payload);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(token, { caller, exp: typeof payload.exp === 'number' ? payload.exp : Number.MAX_SAFE_INTEGER });
    return caller;
  }

  private async verify(token: string): Promise<Record<string, unknown>> {
    if (this.defects.has('auth-signature-unchecked')) return this.decodeOnly(token);
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        audience: this.defects.has('auth-audience-unchecked') ? undefined : GRAPH_AUDIENCE,
        // A server that forgets expiry: tolerate any age.
        clockTolerance: this.defects.has('auth-expiry-unchecked') ? 10 * 365 * 86400 : 60,
      });
      return payload;
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw denied('Lifetime validation failed, the token is expired.', this.defects);
      if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'aud') throw denied('Access token validation failure. Invalid audience.', this.defects);
      throw denied('Access token validation failure.', this.defects);
    }
  }

  /**
   * The defect auth-signature-unchecked: the token is decoded and its claims checked by hand, but the signature is
   * never verified (a gateway was supposed to have done it), so a tampered or self-made token passes.
   */
  private decodeOnly(token: string): Record<string, unknown> {
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwt(token);
    } catch {
      throw denied('Access token validation failure.', this.defects);
    }
    const now = Date.now() / 1000;
    if (!this.defects.has('auth-expiry-unchecked') && (typeof claims.exp !== 'number' || claims.exp + 60 < now)) {
      throw denied('Lifetime validation failed, the token is expired.', this.defects);
    }
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!this.defects.has('auth-audience-unchecked') && !aud.includes(GRAPH_AUDIENCE)) {
      throw denied('Access token validation failure. Invalid audience.', this.defects);
    }
    return claims;
  }
}

function callerFromClaims(claims: Record<string, unknown>): Caller {
  // GRAPH-FACTS §7: a token with `scp` is delegated, otherwise `roles` lists application permissions.
  if (typeof claims.scp === 'string') {
    const personal = claims.tid === PERSONAL_ACCOUNT_TENANT;
    return { type: personal ? 'delegated-personal' : 'delegated-work', permissions: claims.scp.split(' ').filter(Boolean), tenant: tenantOf(claims) };
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  return { type: 'application', permissions: roles, tenant: tenantOf(claims) };
}

/** Every Graph request runs in the tenant of its token (GRAPH-FACTS §11). */
function tenantOf(claims: Record<string, unknown>): string {
  return typeof claims.tid === 'string' && claims.tid !== '' ? claims.tid : REFERENCE_TENANT;
}

/** Opaque tokens looked up in a table, as a vendor server fronted by its own identity layer might do. */
export class StaticTokenAuthenticator implements Authenticator {
  constructor(private readonly table: ReadonlyMap<string, Caller | 'expired' | 'wrong-audience'>, private readonly defects: Defects) {}

  async authenticate(authorization: string | undefined): Promise<Caller> {
    const token = bearer(authorization, this.defects);
    if (token === '') return ANYONE;
    const entry = this.table.get(token);
    if (entry === undefined) throw denied('Access token validation failure.', this.defects);
    if (entry === 'expired') throw denied('Lifetime validation failed, the token is expired.', this.defects);
    if (entry === 'wrong-audience') throw denied('Access token validation failure. Invalid audience.', this.defects);
    return entry;
  }
}
