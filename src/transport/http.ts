// The suite's one HTTP transport: undici with keep-alive and bounded concurrency, a timeout on every request,
// a client-side rate limit, 429/503 waited out within a budget, and exchanges captured with secrets redacted.
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as undiciRequest } from 'undici';
import { Inconclusive } from '../core/outcomes';
import { redactor } from '../core/redact';

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

export const TRANSPORT_ERROR = 'TransportError';

export class TransportError extends Error {
  override name = TRANSPORT_ERROR;
}

export interface TransportOptions {
  timeoutMs?: number;
  /** Requests per second; 0 = unlimited. */
  rateLimit?: number;
  connections?: number;
  /** Resends per request after 429/503 (default 8). */
  maxRetries?: number;
  /** Wall-clock time this transport may spend waiting on 429/503 in all (default 300 s). */
  retryBudgetMs?: number;
  /** Where the wait spent is kept across transports that share one budget (see RetryLedger). */
  ledger?: RetryLedger;
}

export interface Stats {
  /** HTTP requests sent, resends included. */
  requests: number;
  /** 429/503 answers waited out. */
  throttled: number;
  /** Wall-clock time spent waiting on them (overlapping waits counted once). */
  retryWaitMs: number;
  /** Answers by endpoint (`GET:/deviceManagement/remoteActionAudits/{id}`) and status, for the WFC report. */
  statuses?: Record<string, Record<string, number>>;
}

/** A request's endpoint as a WFC operation id: the method and the path, the record's id written `{id}`. */
export function endpointOf(method: string, url: string): string {
  let path: string;
  try { path = new URL(url).pathname; } catch { path = url; }
  const at = path.search(/\/deviceManagement\/remoteActionAudits(\/|$)/i);
  const tail = at >= 0 ? path.slice(at).replace(/^(\/deviceManagement\/remoteActionAudits)\/[^/]+/i, '$1/{id}') : path.slice(path.lastIndexOf('/'));
  return `${method.toUpperCase()}:${tail}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Longest single wait: a Retry-After of hours would stall the run; the budget decides when to give up. */
const MAX_WAIT_MS = 60_000;

/** How long to wait before resending after the `attempt`-th 429/503 (0-based): Retry-After, else 1 s, 2 s, 4 s, … */
export function retryDelay(retryAfter: string | undefined, attempt: number): number {
  const backoff = Math.min(1000 * 2 ** attempt, MAX_WAIT_MS);
  if (retryAfter === undefined || retryAfter.trim() === '') return backoff;
  const value = retryAfter.trim();
  // delay-seconds, or an HTTP-date (RFC 9110 §10.2.3)
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  if (Number.isNaN(ms)) return backoff;
  return Math.min(Math.max(ms, 0), MAX_WAIT_MS);
}

/**
 * The wait spent so far by one lane of Playwright workers, in a private file of the run. Playwright replaces a
 * worker after every failed test, inconclusive ones included; without the ledger each replacement would start
 * with the whole budget again, and a throttled target could hold a run for a budget per test.
 */
export class RetryLedger {
  constructor(readonly path: string) {}

  read(): number {
    try {
      return Number(readFileSync(this.path, 'utf8')) || 0;
    } catch {
      return 0;
    }
  }

  write(spentMs: number): void {
    writeFileSync(this.path, String(Math.round(spentMs)));
  }
}

export class Transport {
  private readonly agent: Agent;
  private nextSlot = 0;
  /** When the latest wait on a 429/503 ends (performance.now() time). */
  private waitingUntil = 0;
  readonly stats: Stats = { requests: 0, throttled: 0, retryWaitMs: 0, statuses: {} };
  /** Wait spent against the same budget before this transport existed (its ledger). */
  private readonly spentBefore: number;

  /**
   * Sees every answer this transport returns (the 429/503 it waited out never reach it): the suite's fixture sets it
   * for each test so the every-response oracles judge whatever the test received (src/checks/oracles.ts).
   */
  observer: ((ex: Exchange) => void) | undefined;

  constructor(private readonly opts: TransportOptions = {}) {
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: opts.connections ?? 16, pipelining: 1 });
    this.spentBefore = opts.ledger?.read() ?? 0;
  }

  private async pace(): Promise<void> {
    const rate = this.opts.rateLimit ?? 0;
    if (rate <= 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / rate;
    if (slot > now) await sleep(slot - now);
  }

  /**
   * Sends `req` and returns the target's answer, never a "try later": a 429 or 503 is waited out (Retry-After when
   * given, else exponential backoff from 1 s) and the request resent, which is safe even for POST because the
   * server did not act (GRAPH-FACTS §5). Past the per-request cap or the transport's wait budget it throws
   * Inconclusive: a verdict on such an answer would judge the target's load, not its conformance. `unjudged`: the
   * suite's own housekeeping (cleanup), kept from the observer.
   */
  async send(req: SentRequest, o: { unjudged?: boolean } = {}): Promise<Exchange> {
    const maxRetries = this.opts.maxRetries ?? 8;
    const budgetMs = this.opts.retryBudgetMs ?? 300_000;
    let throttled = 0;
    let waitedMs = 0;
    for (;;) {
      await this.pace();
      const ex = await this.once(req);
      if (ex.status !== 429 && ex.status !== 503) {
        ex.throttled = throttled;
        if (!o.unjudged) this.observer?.(ex);
        return ex;
      }
      const waitMs = retryDelay(ex.headers['retry-after'], throttled);
      const start = performance.now();
      // Concurrent requests wait side by side: the budget is wall-clock time spent waiting, so only the part of
      // this wait that no earlier wait already covers is counted. Waits start in time order, so that part is
      // whatever reaches past the latest end so far.
      const added = Math.max(0, start + waitMs - Math.max(start, this.waitingUntil));
      const spent = this.spentBefore + this.stats.retryWaitMs;
      const why = throttled >= maxRetries ? `after ${throttled} retries (the cap per request)`
        : spent + added > budgetMs ? `and the next wait (${seconds(waitMs)}) would pass the run's retry budget (${seconds(budgetMs)}, ${seconds(spent)} spent)`
        : undefined;
      if (why) {
        throw new Inconclusive(redactor.redact(`${req.method} ${req.url} answered ${ex.status} ${why}; this request waited ${seconds(waitedMs)}. No verdict: the target only said "try later".`));
      }
      throttled++;
      this.stats.throttled++;
      this.stats.retryWaitMs += added;
      this.waitingUntil = Math.max(this.waitingUntil, start + waitMs);
      if (added > 0) this.opts.ledger?.write(this.spentBefore + this.stats.retryWaitMs);
      waitedMs += waitMs;
      await sleep(waitMs);
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
      const byStatus = (this.stats.statuses![endpointOf(req.method, req.url)] ??= {});
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
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
