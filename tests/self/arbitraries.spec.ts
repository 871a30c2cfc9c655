// The arbitraries mirror the schemas: every valid body passes validators.createBody, every mutated body fails it
// at the one property it breaks, and the generators reach the regions where servers break.
import { test, expect } from '@playwright/test';
import fc from 'fast-check';
import { ENUMS, SENTINEL, isAfterSentinel } from '../../schemas/enums';
import { dateTime, edgeDateTime, invalidBody, invalidDateTime, text, validBody, type Mutation } from '../../src/checks/arbitraries';
import { describeErrors, validators } from '../../src/contract';
import { parseInstant, toUtc } from '../../schemas/datetime';

const SEED = 424242;
const RUNS = 2000;
const params = { seed: SEED, numRuns: RUNS };
const sample = <T>(a: fc.Arbitrary<T>, numRuns = RUNS) => fc.sample(a, { seed: SEED, numRuns });

// Properties throw plain errors: Playwright's expect records a step per call, too slow for thousands of runs.
function passes(body: unknown): void {
  if (!validators.createBody(body)) throw new Error(`rejected:\n${describeErrors(validators.createBody.errors).join('\n')}`);
}

/** Fails unless the body is rejected, and rejected only at `path`: one defect at a time. */
function failsOnlyAt(body: unknown, path: string): void {
  if (validators.createBody(body)) throw new Error(`accepted although ${path} is broken`);
  const elsewhere = (validators.createBody.errors ?? []).filter((e) => !e.instancePath.startsWith(path));
  if (elsewhere.length) throw new Error(`errors outside ${path}:\n${describeErrors(elsewhere).join('\n')}`);
}

test.describe('valid bodies pass the create schema', () => {
  for (const [name, options] of [['validBody()', {}], ['validBody({ newer: true })', { newer: true }], ['validBody({ tail: true })', { tail: true }]] as const) {
    test(`every ${name} value is a valid create body`, () => {
      fc.assert(fc.property(validBody(options), passes), params);
    });
  }

  test('validBody() never sends the sentinel or a tail member', () => {
    fc.assert(fc.property(validBody(), (b) => b.action !== SENTINEL && !isAfterSentinel(ENUMS.remoteAction, String(b.action))), params);
  });

  test('validBody() sends only the seed properties', () => {
    fc.assert(fc.property(validBody(), (b) => !('bulkDeviceActionId' in b) && !('deviceActionCategory' in b)), params);
  });

  test('validBody({ tail: true }) reaches the tail but never the sentinel', () => {
    const actions = sample(validBody({ tail: true })).map((b) => b.action);
    expect(actions).not.toContain(SENTINEL);
    expect(actions.some((a) => isAfterSentinel(ENUMS.remoteAction, String(a)))).toBe(true);
  });

  test('validBody({ newer: true }) reaches bulkDeviceActionId and both categories', () => {
    const bodies = sample(validBody({ newer: true }));
    expect(bodies.some((b) => typeof b.bulkDeviceActionId === 'string')).toBe(true);
    expect(new Set(bodies.map((b) => b.deviceActionCategory))).toEqual(new Set(['single', 'bulk', undefined]));
  });
});

test.describe('invalid bodies fail the create schema at the mutated property', () => {
  const KINDS: Mutation[] = ['enum-action', 'enum-state', 'type', 'null', 'datetime'];
  for (const kind of KINDS) {
    test(`every invalidBody('${kind}') value is rejected`, () => {
      fc.assert(fc.property(invalidBody(kind), ({ body, path }) => failsOnlyAt(body, path)), params);
    });
  }
});

// RAA-CREATE-DATETIME-RANGE (a MUST) is judged over dateTime: a value whose local time or instant left the range
// would make the MUST demand what GRAPH-FACTS §11 leaves open. Those are edgeDateTime's, for the tentative EDGE.
test('every dateTime value is an instant in the range, written in years 0001-9999', () => {
  fc.assert(fc.property(dateTime, (t) => {
    passes({ requestDateTime: t });
    if (!parseInstant(t)) throw new Error(`${t} is not an instant in Edm.DateTimeOffset's range`);
    if (t.startsWith('0000')) throw new Error(`${t} is written in year 0`);
  }), params);
});

test('every edgeDateTime value passes the create schema, and its local time or its instant lies outside the range', () => {
  fc.assert(fc.property(edgeDateTime, (t) => {
    passes({ requestDateTime: t });
    const localInside = !t.startsWith('0000');
    const instantInside = parseInstant(t) !== undefined;
    if (localInside === instantInside) throw new Error(`${t}: local time ${localInside ? 'and instant both inside' : 'and instant both outside'}`);
    if (!parseInstant(t, { unbounded: true })) throw new Error(`${t} is not an RFC 3339 date-time`);
  }), params);
});

test('invalidDateTime values never parse', () => {
  fc.assert(fc.property(invalidDateTime, (v) => parseInstant(v) === undefined), params);
});

test('text values round-trip through JSON', () => {
  fc.assert(fc.property(text, (s) => JSON.parse(JSON.stringify(s)) === s), params);
});

test('text values round-trip through UTF-8 (no lone surrogates)', () => {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  fc.assert(fc.property(text, (s) => strict.decode(Buffer.from(s, 'utf8')) === s), params);
});

test.describe('generators reach the interesting regions', () => {
  // Drawn on first use, not at load: every worker loads this file, whichever tests it runs.
  const lazy = <T>(f: () => T) => { let v: T | undefined; return () => (v ??= f()); };
  const texts = lazy(() => sample(text));
  const bodies = lazy(() => sample(validBody()));
  const times = lazy(() => sample(dateTime));

  test('text reaches an astral-plane character', () => {
    expect(texts().some((s) => /[\u{10000}-\u{10FFFF}]/u.test(s))).toBe(true);
  });

  test('text reaches the empty string', () => {
    expect(texts()).toContain('');
  });

  test('text reaches strings longer than 1024 characters', () => {
    expect(texts().some((s) => s.length > 1024)).toBe(true);
  });

  test('text reaches a quote and a backslash', () => {
    expect(texts().some((s) => s.includes('"'))).toBe(true);
    expect(texts().some((s) => s.includes('\\'))).toBe(true);
  });

  test('text reaches control characters and U+2028', () => {
    expect(texts().some((s) => s.includes('\u0000'))).toBe(true);
    expect(texts().some((s) => s.includes('\u2028'))).toBe(true);
  });

  test('valid bodies reach null strings and omitted properties', () => {
    expect(bodies().some((b) => Object.values(b).includes(null))).toBe(true);
    expect(bodies().some((b) => !('requestDateTime' in b))).toBe(true);
  });

  test('valid bodies reach every known action and every state', () => {
    expect(new Set(bodies().map((b) => b.action)).size).toBe(31 + 1); // the known members and "omitted"
    expect(new Set(bodies().map((b) => b.actionState)).size).toBe(7 + 1);
  });

  test('date-times reach 0 and 7 fractional digits', () => {
    const fraction = (t: string) => /\.(\d+)/.exec(t)?.[1]?.length ?? 0;
    expect(times().some((t) => fraction(t) === 0)).toBe(true);
    expect(times().some((t) => fraction(t) === 7)).toBe(true);
  });

  test('date-times reach Z and non-Z offsets', () => {
    expect(times().some((t) => t.endsWith('Z'))).toBe(true);
    expect(times().some((t) => /[+-]\d\d:\d\d$/.test(t))).toBe(true);
    expect(times().some((t) => t.endsWith('+14:00') || t.endsWith('-14:00'))).toBe(true);
  });

  const year = (t: string) => Number(t.slice(0, 4));

  test('date-times reach years below 1000 and above 9000', () => {
    expect(times().filter((t) => year(t) < 1000).length).toBeGreaterThan(RUNS / 20);
    expect(times().filter((t) => year(t) > 9000).length).toBeGreaterThan(RUNS / 20);
  });

  test('date-times reach a leap day, among them those of 0004, 2000 and 9996, and never Feb 29 of 1900 or 2100', () => {
    const leapDays = times().filter((t) => t.slice(5, 10) === '02-29').map((t) => t.slice(0, 4));
    expect(leapDays.length).toBeGreaterThan(RUNS / 50);
    for (const y of ['0004', '2000', '9996']) expect(leapDays, y).toContain(y);
    expect(leapDays.filter((y) => ['1900', '2100'].includes(y))).toEqual([]);
  });

  test('date-times reach offsets that carry the date across a day and across a year', () => {
    expect(times().some((t) => toUtc(t)!.slice(0, 10) !== t.slice(0, 10))).toBe(true);
    expect(times().some((t) => toUtc(t)!.slice(0, 4) !== t.slice(0, 4))).toBe(true);
  });

  test('date-times reach the smallest and the largest instant', () => {
    expect(times().map((t) => toUtc(t))).toContain('0001-01-01T00:00:00Z');
    expect(times().map((t) => toUtc(t))).toContain('9999-12-31T23:59:59.9999999Z');
  });

  test('valid bodies draw requestDateTime from the whole range', () => {
    const years = bodies().flatMap((b) => (typeof b.requestDateTime === 'string' ? [year(b.requestDateTime)] : []));
    expect(years.some((y) => y < 1000)).toBe(true);
    expect(years.some((y) => y > 9000)).toBe(true);
  });

  test('edge date-times reach both ends and a local time in year 0', () => {
    const edges = sample(edgeDateTime);
    for (const prefix of ['0001-01-01', '9999-12-31', '0000-12-31']) expect(edges.some((t) => t.startsWith(prefix)), prefix).toBe(true);
  });
});
