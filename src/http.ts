// The suite's one HTTP transport: undici with keep-alive and bounded concurrency, a timeout on every request,
// a client-side rate limit, bounded honouring of 429/503 Retry-After, and exchanges captured with secrets redacted.
import { Agent, request as undiciRequest } from 'undici';
import { redactor } from './redact';

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Exchange {
  request: SentRequest;
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed body when it is JSON, else undefined. */
  json?: unknown;
  durationMs: number;
  /** How many 429/503 answers were waited out before this one. */
  throttled: number;
}

export class TransportError extends Error {
  override name = 'TransportError';
}

export interface TransportOptions {
  timeoutMs?: number;
  /** Requests per second; 0 = unlimited. */
  rateLimit?: number;
  connections?: number;
  maxRetries?: number;
  /** Total time the run may spend waiting on Retry-After. */
  retryBudgetMs?: number;
}

export interface Stats {
  requests: number;
  throttled: number;
  retryWaitMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Transport {
  private readonly agent: Agent;
  private nextSlot = 0;
  readonly stats: Stats = { requests: 0, throttled: 0, retryWaitMs: 0 };

  constructor(private readonly opts: TransportOptions = {}) {
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: opts.connections ?? 16, pipelining: 1 });
  }

  private async pace(): Promise<void> {
    const rate = this.opts.rateLimit ?? 0;
    if (rate <= 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / rate;
    if (slot > now) await sleep(slot - now);
  }

  async send(req: SentRequest): Promise<Exchange> {
    const maxRetries = this.opts.maxRetries ?? 4;
    let throttled = 0;
    for (;;) {
      await this.pace();
      const ex = await this.once(req);
      const retryAfter = ex.headers['retry-after'];
      if ((ex.status === 429 || ex.status === 503) && retryAfter !== undefined && throttled < maxRetries) {
        // Throttling means the server did not act, so resending is safe even for POST (GRAPH-FACTS §5).
        const seconds = Number(retryAfter);
        const waitMs = Math.min(Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000, 30_000);
        if (this.stats.retryWaitMs + waitMs <= (this.opts.retryBudgetMs ?? 120_000)) {
          throttled++;
          this.stats.throttled++;
          this.stats.retryWaitMs += waitMs;
          await sleep(waitMs);
          continue;
        }
      }
      ex.throttled = throttled;
      return ex;
    }
  }

  private async once(req: SentRequest): Promise<Exchange> {
    const started = performance.now();
    this.stats.requests++;
    const timeout = this.opts.timeoutMs ?? 15_000;
    try {
      const res = await undiciRequest(req.url, {
        method: req.method as 'GET',
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const text = await res.body.text();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      let json: unknown;
      if (text.length > 0) { try { json = JSON.parse(text); } catch { json = undefined; } }
      return { request: req, status: res.statusCode, headers, text, json, durationMs: performance.now() - started, throttled: 0 };
    } catch (e) {
      const err = e as Error & { code?: string };
      // A non-idempotent request may have been acted on; it is reported, never silently resent.
      throw new TransportError(redactor.redact(`${req.method} ${req.url} failed without an HTTP response: ${err.code ?? ''} ${err.message}`.trim()));
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
