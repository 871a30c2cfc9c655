// Fault injection for the reference server: transient faults (429 with Retry-After, 503 with Retry-After,
// slow answers) a client must ride out, and non-transient ones (500, dropped connections) it must report.
// Wraps the request handler; nothing in the layers below knows about it.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FaultSpec {
  /** Share of requests (0–1) answered 429 with Retry-After. */
  throttle: number;
  /** Share answered 503 with Retry-After. */
  unavailable: number;
  /** Share delayed by `slowMs` before being handled. */
  slow: number;
  slowMs: number;
  /** Share answered 500 (not transient: must be reported, not retried). */
  error: number;
  /** Share whose connection is dropped before any answer. */
  drop: number;
  retryAfterSeconds: number;
  /** Deterministic fault sequence. */
  seed: number;
}

export const NO_FAULTS: FaultSpec = { throttle: 0, unavailable: 0, slow: 0, slowMs: 200, error: 0, drop: 0, retryAfterSeconds: 1, seed: 1 };

/** Parses `throttle=0.1,unavailable=0.05,slow=0.1,slowMs=300,error=0,drop=0,retryAfter=1,seed=7`. */
export function parseFaults(text: string | undefined): FaultSpec {
  const spec = { ...NO_FAULTS };
  for (const part of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = part.split('=');
    const n = Number(v);
    const key = k === 'retryAfter' ? 'retryAfterSeconds' : k;
    if (!(key! in spec) || !Number.isFinite(n) || n < 0) throw new Error(`fault setting "${part}" is not one of ${Object.keys(NO_FAULTS).join(', ')} with a non-negative number`);
    (spec as unknown as Record<string, number>)[key!] = n;
  }
  return spec;
}

/** mulberry32: a tiny seeded generator, so a fault run can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultStats { throttled: number; unavailable: number; slowed: number; errored: number; dropped: number }

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function graphError(res: ServerResponse, status: number, code: string, headers: Record<string, string>): void {
  const body = JSON.stringify({ error: { code, message: `Injected fault: ${code}.`, innerError: { date: new Date().toISOString().slice(0, 19) } } });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function withFaults(handler: Handler, spec: FaultSpec, stats: FaultStats = { throttled: 0, unavailable: 0, slowed: 0, errored: 0, dropped: 0 }): Handler {
  const next = rng(spec.seed);
  const retryAfter = { 'Retry-After': String(spec.retryAfterSeconds) };
  return (req, res) => {
    let roll = next();
    // Faults answer before the request is handled: the server has not acted, as with real throttling.
    if ((roll -= spec.throttle) < 0) { stats.throttled++; req.resume(); graphError(res, 429, 'TooManyRequests', retryAfter); return; }
    if ((roll -= spec.unavailable) < 0) { stats.unavailable++; req.resume(); graphError(res, 503, 'ServiceUnavailable', retryAfter); return; }
    if ((roll -= spec.error) < 0) { stats.errored++; req.resume(); graphError(res, 500, 'InternalServerError', {}); return; }
    if ((roll -= spec.drop) < 0) { stats.dropped++; req.socket.destroy(); return; }
    if ((roll -= spec.slow) < 0) { stats.slowed++; setTimeout(() => handler(req, res), spec.slowMs); return; }
    handler(req, res);
  };
}
