// The reference server: routing over the layers auth → permissions → body validation → store → representation.
// Everything an error can be is a GraphError, rendered in errors.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COLLECTION, type Operation } from '../schemas/contract';
import { type Authenticator, JwtAuthenticator } from './auth';
import { PREFER_UNKNOWN_ENUM, RequestContext, negotiate, unknownPreference } from './context';
import { type Defects, NO_DEFECTS, SEED_CONTRACT } from './defects';
import { GraphError, badRequest, notFound, renderError, toGraphError } from './errors';
import { METADATA_PATH, metadataDocument, sendMetadata } from './metadata';
import { authorize } from './permissions';
import { represent, withContext } from './representation';
import { type Store, TenantStores } from './store';
import { REFERENCE_TENANT, TokenIssuer } from './tokens';
import { checkMediaType, parseJson, validateBody } from './validate';

const MAX_BODY = 1 << 20;
const JSON_MINIMAL = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export interface ReferenceOptions {
  defects?: Defects;
  issuer?: TokenIssuer;
  /** Replaces JWT verification, e.g. with opaque static tokens. */
  authenticator?: Authenticator;
  pageSize?: number;
  capacity?: number;
  /** Path prefix of the version segment. */
  basePath?: string;
  /** Which contract to implement: today's Graph (default) or the seed's (REFERENCE_CONTRACT). */
  contract?: 'today' | 'seed';
}

const RETURN_MINIMAL = 'return=minimal';

/** Whether a Prefer header asks for `return=minimal` (RFC 7240: a comma-separated list, parameters after `;`). */
function prefersMinimal(prefer: string | string[] | undefined): boolean {
  return [prefer ?? ''].flat().join(',').split(',').some((p) => p.split(';')[0]!.replace(/\s+/g, '').toLowerCase() === RETURN_MINIMAL);
}

/** A PATCH body without its `id` (a string or null, as a create body may carry one), and that id. */
function splitKey(parsed: unknown): { body: unknown; key?: string } {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('id' in parsed)) return { body: parsed };
  const { id, ...body } = parsed as Record<string, unknown>;
  if (id === null) return { body };
  return typeof id === 'string' ? { body, key: id } : { body: parsed };
}

/** A list handler that never binds $top: top-ignored, and the paging defects that only a server paging at its own size shows. */
const ignoresTop = (defects: Defects) => defects.has('top-ignored') || defects.has('own-pages-skip-record') || defects.has('own-pages-repeat-record');

const ROUTE = /^\/deviceManagement\/remoteActionAudits(?:\/([^/?]+)|\('([^')]+)'\))?\/?$/i;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the limit the rest is drained, not kept, so the 413 envelope still reaches the client.
      if (size > MAX_BODY) { reject(new GraphError(413, 'RequestEntityTooLarge', 'The request body is too large.')); return; }
      chunks.push(c);
    });
    // A body that arrived in one chunk is decoded as it is, without Buffer.concat's copy.
    req.on('end', () => resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
    req.on('error', reject);
  });
}

export class ReferenceServer {
  readonly issuer: TokenIssuer;
  /** The reference tenant's records (each tenant has its own: `tenants`). */
  readonly store: Store;
  private readonly tenants: TenantStores;
  readonly defects: Defects;

  /** The records of `tenant` (tests seed and inspect other tenants' tables through it). */
  storeOf(tenant: string): Store {
    return this.tenants.of(tenant);
  }
  private readonly auth: Authenticator;
  private readonly pageSize: number;
  private readonly basePath: string;
  private server?: Server;
  baseUrl = '';

  constructor(opts: ReferenceOptions = {}) {
    // The seed's contract is today's minus what came after it: the same layers, with those additions refused.
    this.defects = opts.contract === 'seed' ? new Set([...(opts.defects ?? NO_DEFECTS), ...SEED_CONTRACT]) : opts.defects ?? NO_DEFECTS;
    this.issuer = opts.issuer ?? new TokenIssuer();
    this.auth = opts.authenticator ?? new JwtAuthenticator(this.issuer.key, this.defects);
    this.tenants = new TenantStores(this.defects, opts.capacity);
    this.store = this.tenants.of(REFERENCE_TENANT);
    this.pageSize = opts.pageSize ?? 100;
    this.basePath = opts.basePath ?? '/beta';
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const ctx = new RequestContext(req, this.defects);
    this.route(ctx, req, res).catch((e) => {
      if (res.headersSent) { res.destroy(); return; }
      renderError(ctx, res, toGraphError(e));
    });
  };

  private async route(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://reference.invalid');
    if (!url.pathname.toLowerCase().startsWith(this.basePath.toLowerCase() + '/')) throw notFound(`Invalid version: ${url.pathname.split('/')[1] ?? ''}`);
    if (url.pathname.slice(this.basePath.length) === METADATA_PATH) return this.metadata(ctx, req, res);
    const m = ROUTE.exec(url.pathname.slice(this.basePath.length));
    if (!m) throw badRequest(`Resource not found for the segment '${url.pathname.split('/').pop()}'.`);
    const caller = await this.auth.authenticate(req.headers.authorization);
    const id = this.key(m);
    const method = req.method ?? 'GET';
    const allowed = id === undefined ? ['GET', 'POST'] : ['GET', 'PATCH', 'DELETE'];
    negotiate(req.headers.accept, this.defects);
    // The defect: a preference parser that knows a fixed list and refuses the rest, where RFC 7240 §2 has it ignored.
    const unknown = unknownPreference(req.headers.prefer);
    if (unknown !== undefined && this.defects.has('prefer-unknown-refused')) throw badRequest(`The preference '${unknown}' is not supported.`);
    if (!allowed.includes(method)) {
      // The defect: the router's catch-all for an unmatched route answers every unsupported method with its generic 400.
      if (this.defects.has('method-not-allowed-400')) throw badRequest(`No HTTP resource was found that matches the request URI for method '${method}'.`);
      // allow-header-missing: the 405 is thrown without the route's methods, so no Allow reaches the client.
      throw new GraphError(405, 'MethodNotAllowed', `The HTTP method '${method}' is not supported for this resource.`, this.defects.has('allow-header-missing') ? {} : { Allow: allowed.join(', ') });
    }
    const ITEM_OPS: Record<string, Operation> = { GET: 'get', PATCH: 'update', DELETE: 'delete' };
    const op: Operation = id === undefined ? (method === 'GET' ? 'list' : 'create') : ITEM_OPS[method]!;
    authorize(op, caller, this.defects);
    const store = this.tenants.of(caller.tenant ?? REFERENCE_TENANT);

    const origin = `http://${req.headers.host ?? '127.0.0.1'}${this.basePath}`;
    switch (op) {
      case 'list': return this.list(store, ctx, res, url, origin);
      case 'get': return this.get(store, ctx, res, id!, origin);
      case 'delete': return await this.remove(store, ctx, res, id!);
      default: {
        checkMediaType(req.headers['content-type'], this.defects);
        const parsed = parseJson(await readBody(req), this.defects);
        if (op === 'update') return await this.update(store, ctx, res, id!, parsed, origin, prefersMinimal(req.headers.prefer));
        return await this.create(store, ctx, res, validateBody(op, parsed, ctx, this.defects), origin, prefersMinimal(req.headers.prefer));
      }
    }
  }

  /** The record key of a matched route (undefined for the collection): a path segment percent-decoded, or `('…')`. */
  private key(m: RegExpExecArray): string | undefined {
    if (m[1] === undefined) return m[2];
    // The defect: the router decodes the segment unguarded, so malformed percent-encoding (%E0%A4%A) throws a URIError: a 500.
    if (this.defects.has('key-percent-decoding-500')) return decodeURIComponent(m[1]);
    try {
      return decodeURIComponent(m[1]);
    } catch {
      throw badRequest(`The key segment '${m[1]}' is not a valid percent-encoded string.`);
    }
  }

  /** The service's description (server/metadata.ts): served without a token, as Graph does; one that is sent is not checked. */
  private metadata(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') throw new GraphError(405, 'MethodNotAllowed', `The HTTP method '${req.method}' is not supported for $metadata.`, { Allow: 'GET' });
    this.metadataXml ??= metadataDocument(this.defects);
    sendMetadata(ctx, res, this.metadataXml);
  }

  private metadataXml?: string;

  private headers(ctx: RequestContext, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { 'Content-Type': this.defects.has('content-type-text-plain') ? 'text/plain' : JSON_MINIMAL, 'OData-Version': '4.0', ...extra };
    if (ctx.includeUnknownEnumMembers) h['Preference-Applied'] = PREFER_UNKNOWN_ENUM;
    return h;
  }

  private async create(store: Store, ctx: RequestContext, res: ServerResponse, body: Record<string, unknown>, origin: string, minimal: boolean): Promise<void> {
    const record = await store.createAwaited(body);
    const entity = withContext(origin, true, represent(record, ctx, this.defects, 'write'), this.defects);
    const status = this.defects.has('create-returns-200') ? 200 : 201;
    // location-missing: the handler returns the entity and never sets the header its framework does not add for it.
    // location-names-other-record: the handler builds the URL from the request's correlation id, not the record's key.
    const key = this.defects.has('location-names-other-record') ? ctx.requestId : record.id;
    const location: Record<string, string> = this.defects.has('location-missing') ? {} : { Location: `${origin}${COLLECTION}('${key}')` };
    // return=minimal on create is honoured by no Graph doc (GRAPH-FACTS §6): the entity is sent all the same. The
    // defect: the response filter written for PATCH drops the body of a 201 too, and leaves the status as it is.
    if (minimal && this.defects.has('create-minimal-201-empty')) { ctx.send(res, status, undefined, this.headers(ctx, location)); return; }
    ctx.send(res, status, entity, this.headers(ctx, location));
  }

  private get(store: Store, ctx: RequestContext, res: ServerResponse, id: string, origin: string): void {
    const record = store.get(id);
    if (!record) throw notFound();
    ctx.send(res, 200, withContext(origin, true, represent(record, ctx, this.defects, 'read'), this.defects), this.headers(ctx));
  }

  private list(store: Store, ctx: RequestContext, res: ServerResponse, url: URL, origin: string): void {
    // $top sets the page size (Graph's client-side paging), up to the server's own. The defect: the handler never
    // binds $top, so every page holds the server's page size whatever the client asked for.
    const asked = ignoresTop(this.defects) ? this.pageSize : Number(url.searchParams.get('$top') ?? this.pageSize);
    const top = Number.isInteger(asked) && asked > 0 ? Math.min(asked, this.pageSize) : this.pageSize;
    // The skip token is the position of the last record served (store.ts page()), not an offset.
    const after = Number(url.searchParams.get('$skiptoken') ?? 0) || 0;
    const { items, next } = store.page(after, top);
    const body = withContext(origin, false, { value: items.map((r) => represent(r, ctx, this.defects, 'read')) }, this.defects);
    if (next !== undefined) body['@odata.nextLink'] = `${origin}${COLLECTION}?$top=${top}&$skiptoken=${next}`;
    ctx.send(res, 200, body, this.headers(ctx));
  }

  private async update(store: Store, ctx: RequestContext, res: ServerResponse, id: string, parsed: unknown, origin: string, minimal: boolean): Promise<void> {
    // The key is not updatable (GRAPH-FACTS §11): an id in the body is ignored, as OData asks, and handed to the
    // store only so that its defects can misuse it.
    const { body: sent, key } = splitKey(parsed);
    // The defect: the handler validates and writes one property at a time, so those before an invalid one are
    // stored by the time the request is refused.
    if (this.defects.has('refused-patch-half-applied')) this.applyEach(store, id, sent, ctx);
    const record = await store.updateAwaited(id, validateBody('update', sent, ctx, this.defects), key);
    if (!record) throw notFound();
    // The defect: the framework's default for a PATCH handler that returns nothing, whatever the client preferred.
    if (this.defects.has('update-returns-204')) { ctx.send(res, 204, undefined); return; }
    if (minimal) {
      // The defect: a response filter honours the preference by dropping the body, and leaves the status at 200.
      if (this.defects.has('update-minimal-200-empty')) { ctx.send(res, 200, undefined, this.headers(ctx)); return; }
      ctx.send(res, 204, undefined, { 'OData-Version': '4.0', 'Preference-Applied': RETURN_MINIMAL });
      return;
    }
    ctx.send(res, 200, withContext(origin, true, represent(record, ctx, this.defects, 'write'), this.defects), this.headers(ctx));
  }

  /** refused-patch-half-applied: each property validated and written alone, up to the first one refused. */
  private applyEach(store: Store, id: string, sent: unknown, ctx: RequestContext): void {
    if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) return;
    for (const [k, v] of Object.entries(sent)) {
      let one: Record<string, unknown>;
      try {
        one = validateBody('update', { [k]: v }, ctx, this.defects);
      } catch {
        return;
      }
      store.update(id, one);
    }
  }

  private async remove(store: Store, ctx: RequestContext, res: ServerResponse, id: string): Promise<void> {
    if (!(await store.deleteAwaited(id))) throw notFound();
    // The defect: 200 OK with an empty JSON object, the framework's default for a handler that returns a value.
    if (this.defects.has('delete-returns-200')) { ctx.send(res, 200, {}, this.headers(ctx)); return; }
    ctx.send(res, 204, undefined);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer({ keepAliveTimeout: 30_000 }, this.handle);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const { port: actual } = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${actual}${this.basePath}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
