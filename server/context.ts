// Per-request context: the ids Graph puts on every response, the client's preferences, and one `send`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Defects } from './defects';
import { GraphError } from './errors';

export const PREFER_UNKNOWN_ENUM = 'include-unknown-enum-members';

/** The preferences the server acts on (GRAPH-FACTS §4, §6, §11); any other is ignored (RFC 7240 §2). */
const KNOWN_PREFERENCES = new Set([PREFER_UNKNOWN_ENUM, 'return', 'odata.maxpagesize', 'odata.track-changes']);

/** The first preference token of a Prefer header the server does not know (RFC 7240: comma-separated, `token[=value][; param]`). */
export function unknownPreference(prefer: string | string[] | undefined): string | undefined {
  const tokens = [prefer ?? ''].flat().join(',').split(',').map((p) => p.split(';')[0]!.split('=')[0]!.trim().toLowerCase()).filter(Boolean);
  return tokens.find((t) => !KNOWN_PREFERENCES.has(t));
}

/**
 * Content negotiation: every answer is JSON, which any Accept naming JSON or a wildcard admits, parameters and all.
 * No Accept, or one naming no JSON at all, is served JSON too, as Graph does. The defect: the media ranges are
 * compared whole, so `application/json;odata.metadata=minimal` (what OData clients send) matches nothing and is
 * answered 406.
 */
export function negotiate(accept: string | undefined, defects: Defects): void {
  if (!defects.has('accept-parameters-406') || accept === undefined) return;
  const ranges = accept.split(',').map((r) => r.trim().toLowerCase());
  if (!ranges.some((r) => r === 'application/json' || r === '*/*' || r === 'application/*')) {
    throw new GraphError(406, 'NotAcceptable', `None of the media types in Accept '${accept}' can be produced.`);
  }
}

export class RequestContext {
  readonly requestId = randomUUID();
  readonly clientRequestId: string;
  readonly started = new Date();
  /** True when the client opted in to members after `unknownFutureValue` (GRAPH-FACTS §4). */
  readonly includeUnknownEnumMembers: boolean;
  private readonly clientSentRequestId: boolean;

  constructor(req: IncomingMessage, readonly defects: Defects) {
    const sent = req.headers['client-request-id'];
    this.clientSentRequestId = typeof sent === 'string' && sent.length > 0;
    this.clientRequestId = this.clientSentRequestId ? (sent as string) : this.requestId;
    const prefer = req.headers.prefer;
    this.includeUnknownEnumMembers = typeof prefer === 'string'
      && prefer.split(',').some((p) => p.trim().toLowerCase() === PREFER_UNKNOWN_ENUM);
  }

  /** Writes a response with the headers Graph puts on every answer. */
  send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const h: Record<string, string | number> = { ...headers };
    // request-id-missing-on-errors: the id is stamped by a success-only response hook, so error answers go without it.
    if (!this.defects.has('no-request-id') && !(this.defects.has('request-id-missing-on-errors') && status >= 400)) h['request-id'] = this.requestId;
    if (!(this.defects.has('client-request-id-not-echoed') && this.clientSentRequestId)) h['client-request-id'] = this.clientRequestId;
    if (body === undefined) {
      res.writeHead(status, h);
      res.end('');
      return;
    }
    // Encoded once: the length is the buffer's, and the socket writes these bytes without encoding them again.
    const bytes = Buffer.from(JSON.stringify(body), 'utf8');
    h['Content-Length'] = bytes.length;
    res.writeHead(status, h);
    res.end(bytes);
  }
}
