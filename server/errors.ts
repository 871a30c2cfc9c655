// The one error type of the reference server and the one place that renders it as a Graph error envelope.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { RequestContext } from './context';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new GraphError(400, 'BadRequest', message);
export const notFound = (message = 'The requested resource does not exist.') => new GraphError(404, 'ResourceNotFound', message);
/** The challenge Graph sends with every 401 (RFC 9110 §11.6.1: a 401 MUST carry WWW-Authenticate; GRAPH-FACTS §12). */
export const BEARER_CHALLENGE = 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';
export const unauthenticated = (message: string, headers: Record<string, string> = { 'WWW-Authenticate': BEARER_CHALLENGE }) => new GraphError(401, 'InvalidAuthenticationToken', message, headers);
export const forbidden = (message: string) => new GraphError(403, 'Forbidden', message);

/** `innerError.date` as Graph prints it: no offset, no fraction (GRAPH-FACTS §5). */
function graphDate(d: Date): string {
  return d.toISOString().slice(0, 19);
}

export function renderError(ctx: RequestContext, res: ServerResponse, err: GraphError): void {
  if (ctx.defects.has('error-body-not-graph')) {
    // A framework's default error page: right status, wrong shape.
    ctx.send(res, err.status, { status: err.status, title: err.message }, { 'Content-Type': 'application/problem+json', ...err.headers });
    return;
  }
  const body = {
    error: {
      code: err.code,
      message: messageOf(ctx, err),
      // The defect: the error filter mints a correlation id of its own instead of reading the request's.
      innerError: { date: graphDate(ctx.started), 'request-id': ctx.defects.has('error-envelope-innererror-mismatch') ? randomUUID() : ctx.requestId, 'client-request-id': ctx.clientRequestId },
    },
  };
  // The defect: the success path's serializer labels its bodies; the error path writes its string bare, unlabelled.
  const type: Record<string, string> = ctx.defects.has('error-content-type-missing') ? {} : { 'Content-Type': 'application/json' };
  ctx.send(res, err.status, body, { ...type, ...err.headers });
}

/** The message; with stack-trace-in-error, a 400's carries the exception's stack (a debug setting left on in production). */
function messageOf(ctx: RequestContext, err: GraphError): string {
  return ctx.defects.has('stack-trace-in-error') && err.status === 400 ? `${err.message}\n${err.stack ?? ''}` : err.message;
}

/** Anything that is not a GraphError is a bug in the server: a 500 with the envelope, never a stack trace. */
export function toGraphError(e: unknown): GraphError {
  return e instanceof GraphError ? e : new GraphError(500, 'InternalServerError', 'An internal server error occurred.');
}
