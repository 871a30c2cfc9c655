// A second remoteActionAudit implementation, written from the contract (schemas, permission matrix, enums) with
// nothing from server/: opaque static tokens, cursor paging at its own page size (it ignores $top), `/{id}`
// Locations, Content-Types of its own. A suite run against it shows the
// suite leans on the contract, not on the reference server's token format or quirks. Also: the CLI runner the
// self-tests share.
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCommandLine } from '../../../src/cli/child';
import { SUITE_VARIABLE, childEnvironment } from '../../../src/core/settings';
import { ROOT, decide, describeErrors, validators, type Operation, type PrincipalType } from '../../../src/contract';
import { toUtc } from '../../../schemas/datetime';
import { ENUM_PROPERTIES, SENTINEL, isAfterSentinel } from '../../../schemas/enums';
import { STRING_PROPERTIES } from '../../../schemas/entity';

const RW = 'DeviceManagementManagedDevices.ReadWrite.All';
type TokenState = 'valid' | 'expired' | 'wrong-audience';
const PRINCIPALS: { name: string; type: PrincipalType; permissions: string[]; tokenState?: TokenState; tenant?: string }[] = [
  { name: 'app-rw', type: 'application', permissions: [RW] },
  { name: 'app-cfg-rw', type: 'application', permissions: ['DeviceManagementConfiguration.ReadWrite.All'] },
  { name: 'app-read', type: 'application', permissions: ['DeviceManagementManagedDevices.Read.All'] },
  { name: 'app-none', type: 'application', permissions: [] },
  { name: 'user-rw', type: 'delegated-work', permissions: [RW] },
  { name: 'personal', type: 'delegated-personal', permissions: [RW] },
  { name: 'app-expired', type: 'application', permissions: [RW], tokenState: 'expired' },
  { name: 'app-aud', type: 'application', permissions: [RW], tokenState: 'wrong-audience' },
  // Another tenant: its records and the others' never meet (opaque tokens name their tenant only in this table).
  { name: 'app-rw-fabrikam', type: 'application', permissions: [RW], tenant: 'fabrikam' },
];
const HOME_TENANT = 'contoso';

const COLLECTION = '/deviceManagement/remoteActionAudits';
const ROUTE = /^\/beta\/deviceManagement\/remoteActionAudits(?:\/([^/()]+)|\('([^']+)'\))?\/?$/i;
const PREFER_TAIL = 'include-unknown-enum-members';
// Its own legal choices, not the reference server's: a shorter JSON Content-Type with parameters (errors say
// `application/json; charset=utf-8`), and a page of 7 that ignores $top (GRAPH-FACTS §12 leaves both open).
const JSON_MINIMAL = 'application/json;odata.metadata=minimal;charset=utf-8';
const JSON_ERROR = 'application/json; charset=utf-8';
const PAGE = 7;
const DEFAULTS: Record<string, unknown> = {
  action: 'unknown', actionState: 'none', deviceActionCategory: 'single', requestDateTime: '0001-01-01T00:00:00Z',
  ...Object.fromEntries(STRING_PROPERTIES.map((p) => [p, null])),
};

export interface IndependentOptions {
  /** Prefix of every token, so a test can look for known literals. */
  tokenPrefix?: string;
  /** Broken on purpose: deviceIMEI is left out of every entity returned. */
  breakEcho?: boolean;
  /** Broken on purpose: the received Authorization value goes into error messages and `x-debug-auth`, its token into entities. */
  echoAuthorization?: boolean;
  /** Broken on purpose: a missing permission is answered 401 instead of 403. */
  deniedAs401?: boolean;
  /** Broken on purpose: any request, with no token or any token, acts as app-rw (as a mock server does); or only expired tokens are accepted as valid. */
  trusts?: 'any-token' | 'expired-tokens';
  /** Broken on purpose: the list answers a bare JSON array of entities (as json-server does), without paging. */
  bareList?: boolean;
}

export interface IndependentServer {
  baseUrl: string;
  /** Principal name → the literal token. */
  tokens: Record<string, string>;
  /** Writes a principals file with the literal tokens into `dir`; returns its path. */
  principalsFile: (dir: string) => string;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) { super(message); }
}
const badRequest = (m: string) => new Refusal(400, 'BadRequest', m);
// Every 401 carries its challenge (RFC 9110 §11.6.1), as Graph's do.
const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="independent"' };
const unauthenticated = (m: string) => new Refusal(401, 'InvalidAuthenticationToken', m, CHALLENGE);
const notFound = () => new Refusal(404, 'ResourceNotFound', 'The requested resource does not exist.');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; if (size <= 1 << 20) chunks.push(c); });
    req.on('end', () => (size > 1 << 20 ? reject(new Refusal(413, 'RequestEntityTooLarge', 'The request body is too large.')) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

export async function startIndependentServer(opts: IndependentOptions = {}): Promise<IndependentServer> {
  const tokens: Record<string, string> = {};
  const table = new Map<string, { type: PrincipalType; permissions: string[]; tenant: string } | 'expired' | 'wrong-audience'>();
  for (const p of PRINCIPALS) {
    const token = `${opts.tokenPrefix ?? ''}${randomBytes(24).toString('hex')}`;
    tokens[p.name] = token;
    table.set(token, p.tokenState && p.tokenState !== 'valid' ? p.tokenState : { type: p.type, permissions: p.permissions, tenant: p.tenant ?? HOME_TENANT });
  }
  const records = new Map<string, { seq: number; tenant: string; entity: Record<string, unknown> }>();
  let seq = 0;
  let baseUrl = '';

  const trusted = { type: 'application' as PrincipalType, permissions: [RW], tenant: HOME_TENANT };
  function authenticate(authorization: string | undefined) {
    if (opts.trusts === 'any-token') return trusted;
    if (!authorization) throw unauthenticated('Access token is empty.');
    const entry = table.get(/^Bearer (\S+)$/i.exec(authorization)?.[1] ?? '');
    if (entry === 'expired' && opts.trusts === 'expired-tokens') return trusted;
    if (entry === undefined) throw unauthenticated('Access token validation failure.');
    if (entry === 'expired') throw unauthenticated('Lifetime validation failed, the token is expired.');
    if (entry === 'wrong-audience') throw unauthenticated('Access token validation failure. Invalid audience.');
    return entry;
  }

  /** A create or update body: JSON media type, a JSON object, the contract schema, then the §4 enum write rules. */
  async function readEntityBody(req: IncomingMessage, kind: 'create' | 'update', prefer: boolean): Promise<Record<string, unknown>> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new Refusal(415, 'UnsupportedMediaType', 'Entity only allows writes with a JSON Content-Type header.');
    let body: unknown;
    try { body = JSON.parse(await readBody(req)); } catch (e) { if (e instanceof Refusal) throw e; throw badRequest('Unable to read JSON request payload.'); }
    if (!isObject(body)) throw badRequest('The request body must be a JSON object.');
    const validate = kind === 'create' ? validators.createBody : validators.updateBody;
    if (!validate(body)) throw badRequest(`Invalid request body: ${describeErrors(validate.errors).join('; ')}`);
    const { '@odata.type': _type, id: _id, ...out } = body as Record<string, unknown>;
    for (const [prop, e] of Object.entries(ENUM_PROPERTIES)) {
      const v = out[prop];
      if (v === SENTINEL) {
        if (kind === 'create') throw badRequest(`'${SENTINEL}' is not a valid value for ${prop}.`);
        delete out[prop];
      } else if (typeof v === 'string' && isAfterSentinel(e, v) && !prefer) {
        throw badRequest(`The value '${v}' of ${prop} requires the header Prefer: ${PREFER_TAIL}.`);
      }
    }
    if (typeof out.requestDateTime === 'string') {
      const utc = toUtc(out.requestDateTime);
      if (!utc) throw badRequest(`requestDateTime '${out.requestDateTime}' is not a valid Edm.DateTimeOffset.`);
      out.requestDateTime = utc;
    }
    return out;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const sent = req.headers['client-request-id'];
    const clientRequestId = typeof sent === 'string' && sent ? sent : requestId;
    const prefer = String(req.headers.prefer ?? '').split(',').some((p) => p.trim().toLowerCase() === PREFER_TAIL);
    const authorization = req.headers.authorization;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      const h: Record<string, string> = { 'request-id': requestId, 'client-request-id': clientRequestId, ...headers };
      if (opts.echoAuthorization && authorization) h['x-debug-auth'] = authorization;
      if (body !== undefined) h['Content-Length'] = String(Buffer.byteLength(text));
      res.writeHead(status, h).end(text);
    };
    const represent = (entity: Record<string, unknown>) => {
      const out = { ...entity };
      if (!prefer) for (const [prop, e] of Object.entries(ENUM_PROPERTIES)) if (typeof out[prop] === 'string' && isAfterSentinel(e, out[prop] as string)) out[prop] = SENTINEL;
      if (opts.breakEcho) delete out.deviceIMEI;
      if (opts.echoAuthorization) out.debugToken = authorization?.replace(/^Bearer\s+/i, '') ?? null;
      return out;
    };
    const ok = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      send(status, body, { 'Content-Type': JSON_MINIMAL, 'OData-Version': '4.0', ...(prefer ? { 'Preference-Applied': PREFER_TAIL } : {}), ...headers });
    const context = (suffix: string) => `${baseUrl}/$metadata#deviceManagement/remoteActionAudits${suffix}`;

    try {
      const url = new URL(req.url ?? '/', 'http://independent.invalid');
      const m = ROUTE.exec(url.pathname);
      if (!m) throw notFound();
      let id: string | undefined;
      try { id = m[1] !== undefined ? decodeURIComponent(m[1]) : m[2]; } catch { throw notFound(); }
      const method = req.method ?? 'GET';
      const ops: Record<string, Operation> = id === undefined ? { GET: 'list', POST: 'create' } : { GET: 'get', PATCH: 'update', DELETE: 'delete' };
      const caller = authenticate(authorization);
      const op = ops[method];
      if (!op) throw new Refusal(405, 'MethodNotAllowed', `The HTTP method '${method}' is not supported for this resource.`, { Allow: Object.keys(ops).join(', ') });
      if (caller.type === 'delegated-personal') throw new Refusal(403, 'Forbidden', 'Personal Microsoft accounts are not supported for this API.');
      // Cells the sources disagree on ('uncertain') are allowed: the permissive reading.
      const decision = decide(op, caller.type, caller.permissions);
      if (decision === 'denied' || decision === 'undocumented') {
        throw new Refusal(opts.deniedAs401 ? 401 : 403, opts.deniedAs401 ? 'InvalidAuthenticationToken' : 'Forbidden', `Application is not authorized to perform this operation (${op}).`, opts.deniedAs401 ? CHALLENGE : {});
      }
      // Another tenant's record is simply not there.
      const found = id === undefined ? undefined : records.get(id);
      const current = found?.tenant === caller.tenant ? found : undefined;
      if (id !== undefined && !current) throw notFound();
      switch (op) {
        case 'create': {
          const body = await readEntityBody(req, 'create', prefer);
          const entity: Record<string, unknown> = { id: randomUUID(), ...DEFAULTS, ...body };
          records.set(entity.id as string, { seq: ++seq, tenant: caller.tenant, entity });
          return ok(201, { '@odata.context': context('/$entity'), ...represent(entity) }, { Location: `${baseUrl}${COLLECTION}/${entity.id}` });
        }
        case 'get': return ok(200, { '@odata.context': context('/$entity'), ...represent(current!.entity) });
        case 'update': {
          const body = await readEntityBody(req, 'update', prefer);
          current!.entity = { ...current!.entity, ...body };
          return ok(200, { '@odata.context': context('/$entity'), ...represent(current!.entity) });
        }
        case 'delete': records.delete(id!); return send(204, undefined);
        case 'list': {
          // Cursor paging on creation order, PAGE records a page whatever $top says: concurrent creates and deletes
          // never shift a page.
          const after = Number(url.searchParams.get('$skiptoken') ?? 0) || 0;
          const page = [...records.values()].filter((r) => r.tenant === caller.tenant && r.seq > after);
          if (opts.bareList) return ok(200, page.map((r) => represent(r.entity)));
          const body: Record<string, unknown> = { '@odata.context': context(''), value: page.slice(0, PAGE).map((r) => represent(r.entity)) };
          if (page.length > PAGE) body['@odata.nextLink'] = `${baseUrl}${COLLECTION}?$skiptoken=${page[PAGE - 1]!.seq}`;
          return ok(200, body);
        }
      }
    } catch (e) {
      const err = e instanceof Refusal ? e : new Refusal(500, 'InternalServerError', 'An internal server error occurred.');
      const message = opts.echoAuthorization ? `${err.message} Authorization received: ${authorization ?? '(none)'}` : err.message;
      const innerError = { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': clientRequestId };
      send(err.status, { error: { code: err.code, message, innerError } }, { 'Content-Type': JSON_ERROR, ...err.headers });
    }
  }

  const server = createServer((req, res) => { handle(req, res).catch(() => res.destroy()); });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/beta`;
  return {
    baseUrl,
    tokens,
    principalsFile: (dir) => {
      const path = join(dir, 'principals.json');
      const principals = PRINCIPALS.map((p) => ({ ...p, token: tokens[p.name]! }));
      writeFileSync(path, JSON.stringify({ $comment: 'opaque static tokens of the independent server', principals }, null, 2), { mode: 0o600 });
      return path;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export interface CliRun { code: number | null; stdout: string; stderr: string; ms: number }

/**
 * Runs bin/raa-conformance.mjs with the suite's own variables removed from the inherited environment. The CLI
 * leads its own process group, so a timeout or `stopOn` (a pattern on stdout) ends it and its Playwright run.
 */
export async function runCli(args: string[], o: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; stopOn?: RegExp } = {}): Promise<CliRun> {
  // The outer Playwright's worker variables would leak into the inner run.
  const drop = new RegExp(`${SUITE_VARIABLE.source}|^(PW_|TEST_|PLAYWRIGHT_)|^(FORCE_COLOR|DEBUG_COLORS)$`);
  const run = await runCommandLine(args, { cwd: o.cwd ?? ROOT, env: childEnvironment(o.env, drop), output: 'capture', timeoutMs: o.timeoutMs ?? 300_000, ...(o.stopOn ? { stopOn: o.stopOn } : {}) });
  return { code: run.code, stdout: run.stdout, stderr: run.stderr, ms: run.ms };
}
