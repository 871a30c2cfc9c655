// Per-request context: the ids Graph puts on every response, the client's preferences, and one `send`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Defects } from './defects';

export const PREFER_UNKNOWN_ENUM = 'include-unknown-enum-members';

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
