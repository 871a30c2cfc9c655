// The one error type of the reference server and the one place that renders it as a Graph error envelope.
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
export const unauthenticated = (message: string) => new GraphError(401, 'InvalidAuthenticationToken', message);
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
      message: err.message,
      innerError: { date: graphDate(ctx.started), 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId },
    },
  };
  ctx.send(res, err.status, body, { 'Content-Type': 'application/json', ...err.headers });
}

/** Anything that is not a GraphError is a bug in the server: a 500 with the envelope, never a stack trace. */
export function toGraphError(e: unknown): GraphError {
  return e instanceof GraphError ? e : new GraphError(500, 'InternalServerError', 'An internal server error occurred.');
}
