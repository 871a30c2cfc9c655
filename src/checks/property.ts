// Properties at loopback speed: the samples for a seed are generated up front and sent with bounded
// concurrency over keep-alive connections; checks are plain functions, not one `expect` per case. On a
// failure, fast-check replays that run (seed + path) and shrinks it, so the report holds the smallest case.
import fc from 'fast-check';
import { CheckFailure } from './failure';
import type { Checks } from './checks';
import type { RunConfig } from '../config/config';
import { Inconclusive, NotObserved } from '../core/outcomes';
import { mapLimit, type Exchange } from '../transport/http';

/** How much of the run's seed a property draws: the one place a property reads the seed, the runs and the budget. */
export interface Draw {
  seed: number;
  numRuns: number;
  /** Stop drawing new cases after this long (ms), 0 = no budget. */
  budgetMs?: number;
}

/** The run's draw; `scale` turns the profile's runs into this property's, where one run costs more than a request. */
export function draw(rt: Pick<RunConfig, 'seed' | 'numRuns' | 'propertyBudgetMs'>, scale: (numRuns: number) => number = (n) => n): Draw {
  return { seed: rt.seed, numRuns: scale(rt.numRuns), budgetMs: rt.propertyBudgetMs };
}

/** fast-check's parameters for a draw that fc.check runs itself (a model's sequences, batches sent at once). */
export const fcParameters = (d: Draw) => ({ seed: d.seed, numRuns: d.numRuns, interruptAfterTimeLimit: d.budgetMs || undefined });

/**
 * A failed fc.check run as the failure of the check that threw in it, with the draw and the counterexample's path
 * (which replays it); anything but a CheckFailure is rethrown as it is.
 */
export function failIfFalsified<T>(check: Checks, result: fc.RunDetails<[T]>, d: Draw, summary: string, counterexample: (c: T | undefined) => unknown = (c) => c): void {
  if (!result.failed) return;
  const inner = result.errorInstance;
  if (!(inner instanceof CheckFailure)) throw inner;
  check.fail(`${summary}: ${inner.summary}`, {
    ...inner.detail,
    property: { seed: d.seed, path: result.counterexamplePath ?? '', counterexample: counterexample(result.counterexample?.[0]), numRuns: d.numRuns },
  });
}

export interface PropertySpec<T> extends Draw {
  requirement: string;
  arbitrary: fc.Arbitrary<T>;
  concurrency?: number;
  send: (value: T) => Promise<Exchange>;
  /** Throws a CheckFailure when the exchange breaks the requirement; returns Unobserved when it shows nothing about it. */
  check: PropertyCheck<T>;
  /** Called after each chunk of samples has been judged, e.g. to delete the records the chunk created. */
  afterChunk?: () => Promise<void>;
  /** What a pinned regression of this property expects (see `raa-conformance pin`). */
  pin?: { expectStatus: number[]; headers?: Record<string, string> };
}

export interface PropertyOutcome {
  runs: number;
  durationMs: number;
}

/**
 * A check of one requirement over a sample and its exchange: throws a CheckFailure when it is broken, returns
 * `Unobserved` when this exchange shows nothing about it (e.g. an echo when nothing was created).
 */
export type PropertyCheck<T> = (value: T, ex: Exchange) => void | Unobserved;

/** This exchange could not show the requirement either way; `by` names the requirement that stood in the way. */
export interface Unobserved { unobserved: true; by?: string; reason: string }

export const unobserved = (by: string | undefined, reason: string): Unobserved => ({ unobserved: true, ...(by ? { by } : {}), reason });

const isUnobserved = (v: unknown): v is Unobserved => typeof v === 'object' && v !== null && (v as Unobserved).unobserved === true;

/** Several requirements judged over one send of the same samples: their checks, by requirement. */
export interface SharedSend<T> {
  key: string;
  checks: Record<string, PropertyCheck<T>>;
}

/** What a send pass keeps: counts, and per requirement its first failing run. Exchanges that pass are dropped. */
export interface PassResult {
  runs: number;
  statuses: Record<number, number>;
  failures: Map<string, { index: number; failure: CheckFailure }>;
  /** Per requirement: exchanges that showed it, and those that could not (with what stood in the way). */
  observed: Map<string, number>;
  unobserved: Map<string, Unobserved>;
  /** Samples whose only answers were 429/503 past the retry budget: no exchange to judge. */
  inconclusive: number;
  lastInconclusive?: Inconclusive;
}

const passes = new Map<string, Promise<PassResult>>();

/** The shared pass for `key`, if one ran in this process (the bench reads its status counts). */
export function passResult(key: string): Promise<PassResult> | undefined {
  return passes.get(key);
}

export async function checkProperty<T>(spec: PropertySpec<T>, shared?: SharedSend<T>): Promise<PropertyOutcome> {
  const started = performance.now();
  const checks = shared ? shared.checks : { [spec.requirement]: spec.check };
  let pass = shared ? passes.get(shared.key) : undefined;
  if (!pass) {
    pass = sendPass(spec, checks);
    if (shared) {
      passes.set(shared.key, pass);
      pass.catch(() => passes.delete(shared.key));
    }
  }
  const result = await pass;
  const failed = result.failures.get(spec.requirement);
  if (failed) throw await shrink(spec, failed.index, failed.failure);
  // A property is only as good as what it saw: no judged sample is never a pass.
  if (result.inconclusive) {
    throw new Inconclusive(`${spec.requirement}: ${result.inconclusive} of ${result.runs + result.inconclusive} generated request(s) met only 429/503 past the retry budget (${result.lastInconclusive?.message ?? ''})`);
  }
  if (!result.observed.get(spec.requirement)) {
    const u = result.unobserved.get(spec.requirement);
    const reason = `none of ${result.runs} generated request(s) could show it${u ? `: ${u.reason}` : ''}`;
    throw new NotObserved(u?.by ? { kind: 'blocked', blocked: { by: u.by, reason } } : { kind: 'not-tested', notTested: { kind: 'target', reason } });
  }
  return { runs: result.runs, durationMs: performance.now() - started };
}

/**
 * Generates the samples chunk by chunk (fast-check's path picks up the stream at any index, so run i is the
 * same value whatever the chunking), sends them with bounded concurrency and judges each exchange against
 * every check as it arrives. Only the first failing run per requirement is kept: memory stays flat however
 * many runs.
 */
async function sendPass<T>(spec: PropertySpec<T>, checks: Record<string, PropertyCheck<T>>): Promise<PassResult> {
  const concurrency = spec.concurrency ?? 16;
  const result: PassResult = { runs: 0, statuses: {}, failures: new Map(), observed: new Map(), unobserved: new Map(), inconclusive: 0 };
  const judge = async (v: T, i: number) => {
    let ex: Exchange;
    try {
      ex = await spec.send(v);
    } catch (e) {
      // "Try later" past the budget: this sample has no answer to judge, and is never a failure.
      if (!(e instanceof Inconclusive)) throw e;
      result.inconclusive++;
      result.lastInconclusive = e;
      return;
    }
    result.runs++;
    result.statuses[ex.status] = (result.statuses[ex.status] ?? 0) + 1;
    for (const [requirement, checkFn] of Object.entries(checks)) {
      const known = result.failures.get(requirement);
      if (known && known.index < i) continue;
      try {
        const out = checkFn(v, ex);
        if (isUnobserved(out)) {
          if (!result.unobserved.has(requirement)) result.unobserved.set(requirement, out);
        } else result.observed.set(requirement, (result.observed.get(requirement) ?? 0) + 1);
      } catch (e) {
        if (!(e instanceof CheckFailure)) throw e;
        // The lowest failing index, whatever order the concurrent answers came in: the replay path is stable.
        result.failures.set(requirement, { index: i, failure: e });
      }
    }
  };
  const budgetMs = spec.budgetMs ?? 0;
  const deadline = performance.now() + budgetMs;
  // Large enough that waiting for a chunk's slowest answer costs little; a budget is checked between chunks.
  const chunk = concurrency * (budgetMs ? 8 : 32);
  for (let start = 0; start < spec.numRuns && (!budgetMs || performance.now() < deadline); start += chunk) {
    const values = fc.sample(spec.arbitrary, { seed: spec.seed, numRuns: Math.min(chunk, spec.numRuns - start), path: String(start) });
    await mapLimit(values, concurrency, (v, i) => judge(v, start + i));
    await spec.afterChunk?.();
  }
  return result;
}

/** Replays run `index` with fast-check and shrinks it; the failure names seed, path and counterexample. */
async function shrink<T>(spec: PropertySpec<T>, index: number, first: CheckFailure): Promise<CheckFailure> {
  let last: CheckFailure = first;
  const result = await fc.check(fc.asyncProperty(spec.arbitrary, async (v) => {
    let ex: Exchange;
    try {
      ex = await spec.send(v);
    } catch (e) {
      // Never shrink toward a throttled answer: a sample that got none is not a counterexample.
      if (e instanceof Inconclusive) return true;
      throw e;
    }
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
  // The counterexample travels in the failure (attached to this test), and the reporter collects it for `pin`.
  return new CheckFailure(spec.requirement, `property failed: ${last.summary}`, {
    ...last.detail,
    property: { seed: spec.seed, path, counterexample, numRuns: spec.numRuns, ...(spec.pin ? { pin: spec.pin } : {}) },
  });
}
