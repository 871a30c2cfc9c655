// The transport against a stand-in that answers "try later": a 429 or 503 never reaches a check. It is waited
// out (Retry-After, else backoff from 1 s) and resent, POST included; past the per-request cap or the wait
// budget the request ends Inconclusive, never with a status a check could judge.
import { expect, test } from '@playwright/test';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { retryDelay, RetryLedger, Transport, TransportError } from '../../src/transport/http';
import { Inconclusive } from '../../src/core/outcomes';

/** A server on 127.0.0.1 whose answer to the n-th request (0-based) is `answer(n)`; it records every request. */
async function standIn(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const seen: { method: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { seen.push({ method: req.method ?? '', body }); answer(seen.length - 1, req, res); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/beta/deviceManagement/remoteActionAudits`;
  return { url, seen, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const answer = (res: ServerResponse, status: number, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(status < 300 ? { id: 'x' } : { error: { code: 'TooManyRequests', message: 'later' } }));

test('Retry-After is honoured, in seconds or as a date; without it the wait doubles from 1 s', () => {
  expect(retryDelay('2', 0)).toBe(2000);
  expect(retryDelay('0', 3)).toBe(0);
  expect(retryDelay('86400', 0), 'a single wait is capped').toBe(60_000);
  expect(retryDelay(undefined, 0)).toBe(1000);
  expect(retryDelay(undefined, 2)).toBe(4000);
  expect(retryDelay('soon', 1), 'an unreadable Retry-After falls back to backoff').toBe(2000);
  const date = retryDelay(new Date(Date.now() + 5000).toUTCString(), 0);
  expect(date).toBeGreaterThan(3000);
  expect(date).toBeLessThanOrEqual(5000);
});

test('a POST answered 429 and 503 without Retry-After is resent until it is answered', async () => {
  const s = await standIn((n, _req, res) => answer(res, n === 0 ? 429 : n === 1 ? 503 : 201));
  const t = new Transport();
  try {
    const started = performance.now();
    const ex = await t.send({ method: 'POST', url: s.url, headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' });
    expect(ex.status).toBe(201);
    expect(ex.throttled).toBe(2);
    expect(s.seen.map((r) => `${r.method} ${r.body}`)).toEqual(Array(3).fill('POST {"a":1}'));
    // Backoff: 1 s, then 2 s.
    expect(performance.now() - started).toBeGreaterThanOrEqual(2900);
    expect(t.stats).toMatchObject({ requests: 3, throttled: 2 });
    // Counted from the clock, so a timer that fires a millisecond early shows as a sliver of overlap.
    expect(t.stats.retryWaitMs).toBeGreaterThan(2950);
    expect(t.stats.retryWaitMs).toBeLessThanOrEqual(3000);
  } finally {
    await t.close();
    await s.close();
  }
});

test('past the per-request cap the request is inconclusive, naming method, URL, status and time waited', async () => {
  const s = await standIn((_n, _req, res) => answer(res, 503, { 'Retry-After': '0' }));
  const t = new Transport({ maxRetries: 3 });
  try {
    const err = await t.send({ method: 'GET', url: s.url, headers: {} }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(Inconclusive);
    const message = (err as Error).message;
    expect(message).toContain(`GET ${s.url} answered 503 after 3 retries`);
    expect(message).toContain('waited 0.0 s');
    expect(s.seen).toHaveLength(4);
    expect(t.stats.throttled).toBe(3);
  } finally {
    await t.close();
    await s.close();
  }
});

test('waits that overlap count once against the budget, and a spent budget ends requests inconclusive', async () => {
  // Every request is throttled once (Retry-After 1), then answered.
  const throttledOnce = new Set<string>();
  const s = await standIn((_n, req, res) => {
    const first = !throttledOnce.has(req.url!);
    throttledOnce.add(req.url!);
    answer(res, first ? 429 : 200, { 'Retry-After': '1' });
  });
  const t = new Transport({ retryBudgetMs: 1500 });
  try {
    const started = performance.now();
    const exs = await Promise.all([1, 2, 3, 4].map((i) => t.send({ method: 'GET', url: `${s.url}?i=${i}`, headers: {} })));
    expect(exs.map((e) => e.status)).toEqual([200, 200, 200, 200]);
    expect(t.stats.throttled).toBe(4);
    // Four one-second waits side by side are about one second of the run, not four.
    expect(t.stats.retryWaitMs).toBeLessThan(1500);
    expect(t.stats.retryWaitMs).toBeGreaterThanOrEqual(1000);
    expect(performance.now() - started).toBeLessThan(3000);
    // A further second would pass the 1.5 s budget.
    const err = await t.send({ method: 'DELETE', url: `${s.url}/1`, headers: {} }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(Inconclusive);
    expect((err as Error).message).toMatch(/^DELETE \S+\/1 answered 429 and the next wait \(1\.0 s\) would pass the run's retry budget \(1\.5 s, 1\.\d s spent\)/);
  } finally {
    await t.close();
    await s.close();
  }
});

test('a transport that takes over a ledger continues its budget: a replaced worker does not start afresh', async () => {
  const s = await standIn((n, _req, res) => answer(res, n % 2 === 0 ? 429 : 200, { 'Retry-After': '1' }));
  const ledger = new RetryLedger(join(mkdtempSync(join(tmpdir(), 'raa-ledger-')), 'retry-wait'));
  const first = new Transport({ retryBudgetMs: 1500, ledger });
  try {
    expect((await first.send({ method: 'GET', url: s.url, headers: {} })).status).toBe(200);
    expect(ledger.read()).toBe(1000);
    const replaced = new Transport({ retryBudgetMs: 1500, ledger });
    try {
      await expect(replaced.send({ method: 'GET', url: s.url, headers: {} })).rejects.toThrow(/would pass the run's retry budget \(1\.5 s, 1\.0 s spent\)/);
    } finally {
      await replaced.close();
    }
  } finally {
    await first.close();
    await s.close();
  }
});

test('a dropped connection is a TransportError and is not resent', async () => {
  const s = await standIn((_n, req) => req.socket.destroy());
  const t = new Transport();
  try {
    await expect(t.send({ method: 'POST', url: s.url, headers: {}, body: '{}' })).rejects.toBeInstanceOf(TransportError);
    expect(s.seen).toHaveLength(1);
  } finally {
    await t.close();
    await s.close();
  }
});
