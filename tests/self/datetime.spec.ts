// Edm.DateTimeOffset at 100 ns: parsing, UTC normalisation and instant comparison, without a millisecond Date.
import { test, expect } from '@playwright/test';
import fc from 'fast-check';
import { dateTime } from '../../src/checks/arbitraries';
import { caseBody, loadCases } from '../../src/checks/cases';
import { validators } from '../../src/contract';
import { formatUtc, parseInstant, sameInstant, toUtc } from '../../schemas/datetime';

const SEED = 20170101;

test('the seed value normalises to 2017-01-01T08:03:07.1589002Z', () => {
  expect(toUtc('2017-01-01T00:03:07.1589002-08:00')).toBe('2017-01-01T08:03:07.1589002Z');
});

test('the seed value and its UTC form are the same instant', () => {
  expect(sameInstant('2017-01-01T00:03:07.1589002-08:00', '2017-01-01T08:03:07.1589002Z')).toBe(true);
});

test('instants 100 ns apart are different', () => {
  expect(sameInstant('2017-01-01T08:03:07.1589002Z', '2017-01-01T08:03:07.1589003Z')).toBe(false);
  expect(parseInstant('2017-01-01T08:03:07.1589003Z')!.ticks - parseInstant('2017-01-01T08:03:07.1589002Z')!.ticks).toBe(1n);
});

test('a millisecond-truncated value is not the same instant', () => {
  expect(sameInstant('2017-01-01T08:03:07.1589002Z', '2017-01-01T08:03:07.158Z')).toBe(false);
});

test('trailing zeros of the fraction do not change the instant', () => {
  expect(sameInstant('2017-01-01T08:03:07.1500000Z', '2017-01-01T08:03:07.15Z')).toBe(true);
  expect(sameInstant('2017-01-01T08:03:07.0000000Z', '2017-01-01T08:03:07Z')).toBe(true);
  expect(toUtc('2017-01-01T08:03:07.1500000Z')).toBe('2017-01-01T08:03:07.15Z');
  expect(toUtc('2017-01-01T08:03:07.0000000Z')).toBe('2017-01-01T08:03:07Z');
});

test('positive and negative offsets, including half hours and +14:00, convert to UTC', () => {
  expect(toUtc('2017-01-01T05:30:00+05:30')).toBe('2017-01-01T00:00:00Z');
  expect(toUtc('2017-01-01T00:00:00-00:30')).toBe('2017-01-01T00:30:00Z');
  expect(toUtc('2017-01-01T10:00:00+14:00')).toBe('2016-12-31T20:00:00Z');
  expect(toUtc('2016-12-31T20:00:00-14:00')).toBe('2017-01-01T10:00:00Z');
  expect(toUtc('2017-01-01T00:00:00+00:00')).toBe('2017-01-01T00:00:00Z');
  expect(toUtc('2017-01-01T00:00:00-00:00')).toBe('2017-01-01T00:00:00Z');
});

test('an offset carries the date across a month and a year', () => {
  expect(toUtc('2017-03-01T01:00:00+02:00')).toBe('2017-02-28T23:00:00Z');
  expect(toUtc('2016-12-31T23:59:59.9999999-00:30')).toBe('2017-01-01T00:29:59.9999999Z');
});

test('leap days parse, and an offset lands on them', () => {
  expect(toUtc('2016-02-29T12:00:00Z')).toBe('2016-02-29T12:00:00Z');
  expect(toUtc('2000-02-29T00:00:00Z')).toBe('2000-02-29T00:00:00Z');
  expect(toUtc('2016-03-01T00:30:00+01:00')).toBe('2016-02-29T23:30:00Z');
});

test('Feb 29 of a non-leap year is rejected (1900 and 2017)', () => {
  expect(parseInstant('2017-02-29T00:00:00Z')).toBeUndefined();
  expect(parseInstant('1900-02-29T00:00:00Z')).toBeUndefined();
});

test('Feb 30 is rejected', () => {
  expect(parseInstant('2016-02-30T00:00:00Z')).toBeUndefined();
});

test('hour 24 is rejected', () => {
  expect(parseInstant('2017-01-01T24:00:00Z')).toBeUndefined();
});

test('out-of-range months, days, minutes, seconds and offsets are rejected', () => {
  for (const v of ['2017-00-01T00:00:00Z', '2017-13-01T00:00:00Z', '2017-04-31T00:00:00Z', '2017-01-00T00:00:00Z',
    '2017-01-01T00:60:00Z', '2017-01-01T00:00:60Z', '2017-01-01T00:00:00+24:00', '2017-01-01T00:00:00+01:60']) {
    expect(parseInstant(v), v).toBeUndefined();
  }
});

test('text that is not RFC 3339 is rejected', () => {
  for (const v of ['', 'not a date', '2017-01-01', '2017-01-01T00:00:00', '2017-01-01 00:00:00Z', '2017-01-01T00:00:00+0800', '2017-01-01T00:00Z']) {
    expect(parseInstant(v), v).toBeUndefined();
    expect(toUtc(v), v).toBeUndefined();
    expect(sameInstant(v, v), v).toBe(false);
  }
});

test('digits beyond the seventh are kept apart and compared', () => {
  expect(parseInstant('2017-01-01T00:00:00.123456789Z')).toEqual({ ticks: parseInstant('2017-01-01T00:00:00.1234567Z')!.ticks, subTick: '89' });
  expect(sameInstant('2017-01-01T00:00:00.123456789Z', '2017-01-01T00:00:00.1234567Z')).toBe(false);
});

test('instants before 1970 convert correctly', () => {
  expect(toUtc('1969-12-31T23:59:59.9999999-01:00')).toBe('1970-01-01T00:59:59.9999999Z');
  expect(toUtc('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00Z');
});

test('toUtc of a generated date-time is the same instant', () => {
  fc.assert(fc.property(dateTime, (x) => {
    const u = toUtc(x);
    return u !== undefined && u.endsWith('Z') && sameInstant(u, x);
  }), { seed: SEED, numRuns: 2000 });
});

test('toUtc is idempotent', () => {
  fc.assert(fc.property(dateTime, (x) => {
    const u = toUtc(x)!;
    return toUtc(u) === u;
  }), { seed: SEED, numRuns: 2000 });
});

test('ticks agree with Date at millisecond granularity', () => {
  const floorDiv = (a: bigint, b: bigint) => (a % b < 0n ? a / b - 1n : a / b);
  fc.assert(fc.property(dateTime, (x) => floorDiv(parseInstant(x)!.ticks, 10_000n) === BigInt(new Date(x).getTime())), { seed: SEED, numRuns: 2000 });
});

// An offset can push the UTC instant past 9999-12-31, which Edm.DateTimeOffset cannot hold: such input is
// not an instant at all (undefined), never a five-digit year.
test('the UTC form of an instant near year 9999 reads back as the same instant', () => {
  for (const x of ['9999-12-31T23:59:59.9999999Z', '9999-12-31T23:30:00-01:00', '9999-12-31T20:00:00-14:00']) {
    const u = toUtc(x);
    expect(u === undefined || sameInstant(u, x), `${x} → ${u}`).toBe(true);
  }
});

test('the smallest and largest instants parse, one tick beyond them does not', () => {
  expect(toUtc('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00Z');
  expect(toUtc('9999-12-31T23:59:59.9999999Z')).toBe('9999-12-31T23:59:59.9999999Z');
  expect(parseInstant('9999-12-31T23:59:59.9999999Z')!.ticks - parseInstant('0001-01-01T00:00:00Z')!.ticks).toBe(315537897599_9999999n);
  expect(toUtc('0001-01-01T14:00:00+14:00')).toBe('0001-01-01T00:00:00Z');
  expect(toUtc('9999-12-31T09:59:59.9999999-14:00')).toBe('9999-12-31T23:59:59.9999999Z');
  expect(parseInstant('0001-01-01T13:59:59.9999999+14:00')).toBeUndefined();
  expect(parseInstant('9999-12-31T10:00:00-14:00')).toBeUndefined();
});

test('an offset that carries 0001-01-01 or 9999-12-31 out of the range leaves no instant, unless read unbounded', () => {
  for (const [x, utc] of [['0001-01-01T00:00:00+01:00', '0000-12-31T23:00:00Z'], ['0001-01-01T00:00:00+14:00', '0000-12-31T10:00:00Z'],
    ['9999-12-31T23:59:59-01:00', '10000-01-01T00:59:59Z'], ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00Z']] as const) {
    expect(parseInstant(x), x).toBeUndefined();
    expect(formatUtc(parseInstant(x, { unbounded: true })!), x).toBe(utc);
  }
});

test('a local time in year 0 whose instant lies in year 1 is in range', () => {
  expect(toUtc('0000-12-31T23:00:00-01:00')).toBe('0001-01-01T00:00:00Z');
  expect(toUtc('0000-12-31T10:00:00-14:00')).toBe('0001-01-01T00:00:00Z');
});

test('instants outside the range compare by instant too', () => {
  expect(sameInstant('0001-01-01T00:00:00+01:00', '0000-12-31T23:00:00Z')).toBe(true);
  expect(sameInstant('0001-01-01T00:00:00+01:00', '0001-01-01T00:00:00Z')).toBe(false);
  expect(sameInstant('9999-12-31T23:59:59-01:00', '9999-12-31T23:59:59-01:00')).toBe(true);
});

test('leap days across the range: 0004, 0400, 2000 and 9996 have Feb 29; 0100, 1900, 2100 and 9999 do not', () => {
  for (const y of ['0004', '0400', '2000', '9996']) expect(toUtc(`${y}-02-29T00:00:00Z`), y).toBe(`${y}-02-29T00:00:00Z`);
  for (const y of ['0100', '1900', '2100', '9999']) expect(parseInstant(`${y}-02-29T00:00:00Z`), y).toBeUndefined();
  expect(toUtc('0004-03-01T00:30:00+01:00')).toBe('0004-02-29T23:30:00Z');
  expect(toUtc('1900-03-01T00:30:00+01:00')).toBe('1900-02-28T23:30:00Z');
});

test('ticks agree with Date at millisecond granularity across the range', () => {
  for (const x of ['0001-01-01T00:00:00Z', '0099-12-31T23:59:59.999Z', '1752-12-31T23:59:59Z', '1901-12-13T20:45:52Z', '2038-01-19T03:14:07Z', '9999-12-31T23:59:59.999Z']) {
    expect(parseInstant(x)!.ticks / 10_000n, x).toBe(BigInt(new Date(x).getTime()));
  }
});

// fixtures/datetime-range.json keeps its promise: each row is a schema-valid body, and lies on the side of the range
// its requirement claims (RANGE: local time and instant inside; EDGE: one of them outside, the other inside).
test.describe('the date-time range rows are on the side they claim', () => {
  const rows = loadCases('datetime-range.json');
  test('the rows cover both requirements', () => {
    expect(new Set(rows.map((c) => c.requirement))).toEqual(new Set(['RAA-CREATE-DATETIME-RANGE', 'RAA-CREATE-DATETIME-EDGE']));
  });
  for (const c of rows) {
    test(c.description, () => {
      const body = caseBody(c)!;
      expect(validators.createBody(body), JSON.stringify(validators.createBody.errors)).toBe(true);
      const t = body.requestDateTime as string;
      const localInside = t.slice(0, 4) !== '0000';
      const instantInside = parseInstant(t) !== undefined;
      expect(parseInstant(t, { unbounded: true }), t).toBeDefined();
      if (c.requirement === 'RAA-CREATE-DATETIME-RANGE') {
        expect([localInside, instantInside], t).toEqual([true, true]);
        expect(c.expect.status).toEqual([201]);
      } else {
        expect(localInside !== instantInside, t).toBe(true);
        expect(c.expect.status).toEqual([201, 400]);
      }
    });
  }
});
