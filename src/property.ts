// Properties at loopback speed: the samples for a seed are generated up front and sent with bounded
// concurrency over keep-alive connections; checks are plain functions, not one `expect` per case. On a
// failure, fast-check replays that run (seed + path) and shrinks it, so the report holds the smallest case.
import fc from 'fast-check';
import { CheckFailure } from './failure';
import { mapLimit, type Exchange } from './http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadRuntime } from './runtime';
import { redactor } from './redact';
import type { Counterexample } from './report/types';

/** Leaves the shrunk case where the reporter collects it into conformance.json. */
function keepCounterexample(c: Counterexample): void {
  const dir = join(loadRuntime().reportDir, '.counterexamples');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${c.requirement}-${randomUUID()}.json`), redactor.redact(JSON.stringify(c)));
}

export interface PropertySpec<T> {
  requirement: string;
  arbitrary: fc.Arbitrary<T>;
  seed: number;
  numRuns: number;
  /** Stop drawing new cases after this long (ms), 0 = no budget. */
  budgetMs?: number;
  concurrency?: number;
  send: (value: T) => Promise<Exchange>;
  /** Throws a CheckFailure when the exchange breaks the requirement; returns quietly otherwise. */
  check: (value: T, ex: Exchange) => void;
  /** What a pinned regression of this property expects (see `raa-conformance pin`). */
  pin?: { expectStatus: number[]; headers?: Record<string, string> };
}

export interface PropertyOutcome {
  runs: number;
  durationMs: number;
}

/** Cache of sent samples, so several properties over the same generated bodies send them once. */
const sentCache = new Map<string, Promise<Exchange[]>>();
const sampledCache = new Map<string, unknown[]>();

export async function sendSamples<T>(key: string, values: readonly T[], send: (v: T) => Promise<Exchange>, concurrency: number, budgetMs = 0): Promise<Exchange[]> {
  let p = sentCache.get(key);
  if (!p) {
    p = sendBudgeted(values, send, concurrency, budgetMs);
    sentCache.set(key, p);
    p.catch(() => sentCache.delete(key));
  }
  return p;
}

export async function checkProperty<T>(spec: PropertySpec<T>, cacheKey?: string): Promise<PropertyOutcome> {
  const started = performance.now();
  // Properties sharing a cache key share the samples too: generate them once.
  const values = (cacheKey ? sampledCache.get(cacheKey) as T[] | undefined : undefined) ?? fc.sample(spec.arbitrary, { seed: spec.seed, numRuns: spec.numRuns });
  if (cacheKey) sampledCache.set(cacheKey, values);
  const concurrency = spec.concurrency ?? 16;
  let exchanges: Exchange[];
  if (cacheKey) exchanges = await sendSamples(cacheKey, values, spec.send, concurrency, spec.budgetMs ?? 0);
  else exchanges = await sendBudgeted(values, spec.send, concurrency, spec.budgetMs ?? 0);
  for (let i = 0; i < exchanges.length; i++) {
    try {
      spec.check(values[i]!, exchanges[i]!);
    } catch (e) {
      if (!(e instanceof CheckFailure)) throw e;
      throw await shrink(spec, i, e);
    }
  }
  return { runs: exchanges.length, durationMs: performance.now() - started };
}

async function sendBudgeted<T>(values: readonly T[], send: (v: T) => Promise<Exchange>, concurrency: number, budgetMs: number): Promise<Exchange[]> {
  if (!budgetMs) return mapLimit(values, concurrency, send);
  const deadline = performance.now() + budgetMs;
  const out: Exchange[] = [];
  for (let start = 0; start < values.length && performance.now() < deadline; start += concurrency * 8) {
    out.push(...await mapLimit(values.slice(start, start + concurrency * 8), concurrency, send));
  }
  return out;
}

/** Replays run `index` with fast-check and shrinks it; the failure names seed, path and counterexample. */
async function shrink<T>(spec: PropertySpec<T>, index: number, first: CheckFailure): Promise<CheckFailure> {
  let last: CheckFailure = first;
  const result = await fc.check(fc.asyncProperty(spec.arbitrary, async (v) => {
    const ex = await spec.send(v);
    try {
      spec.check(v, ex);
      return true;
    } catch (e) {
      if (e instanceof CheckFailure) { last = e; return false; }
      throw e;
    }
  }), { seed: spec.seed, path: String(index), numRuns: spec.numRuns, endOnFailure: false, interruptAfterTimeLimit: 20_000 });
  // fast-check leaves `last` at the final failing (smallest) case it tried.
  const path = result.counterexamplePath ?? String(index);
  const counterexample = result.counterexample ? result.counterexample[0] : undefined;
  if (spec.pin) keepCounterexample({ requirement: spec.requirement, seed: spec.seed, path, numRuns: spec.numRuns, value: counterexample, expectStatus: spec.pin.expectStatus, ...(spec.pin.headers ? { headers: spec.pin.headers } : {}) });
  return new CheckFailure(spec.requirement, `property failed: ${last.summary}`, {
    ...last.detail,
    property: { seed: spec.seed, path, counterexample, numRuns: spec.numRuns },
  });
}
