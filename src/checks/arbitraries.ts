// fast-check arbitraries that mirror the contract schemas: valid create bodies, and invalid ones made from a
// valid body by exactly one defect. tests/self proves each valid value passes the schema and each invalid fails it.
import fc from 'fast-check';
import { ACTION_STATE, DEVICE_ACTION_CATEGORY, ENUMS, knownMembers, tailMembers, type EnumInfo } from '../../schemas/enums';
import { STRING_PROPERTIES } from '../../schemas/entity';

const SEED_STRINGS = STRING_PROPERTIES.filter((p) => p !== 'bulkDeviceActionId');

/** Characters that break naive serialisers, escapers and storage. */
const tricky = fc.constantFrom("'", '"', '\\', '\u0000', '\n', '\r', '\t', '\u001f', '\u007f', '\u2028', '\u2029', '😀', '𝄞',
  'é', 'e\u0301', '\u202e', '\ufeff', '<script>', '%00', '{{x}}', '/', '\\u0000');

const piece = fc.oneof(fc.string({ unit: 'binary', maxLength: 24 }), fc.string({ unit: 'grapheme-ascii', maxLength: 24 }), tricky);

/** Between 1,000 and 4,000 code points, repeated from a random seed string (never a split surrogate pair). */
const longText = fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), fc.integer({ min: 1000, max: 4000 }))
  .map(([s, n]) => { const cps = [...s]; return s.repeat(Math.floor(n / cps.length)) + cps.slice(0, n % cps.length).join(''); });

/** Strings from the whole of Unicode: empty, short mixes with tricky characters, and long ones. */
export const text = fc.oneof(
  { weight: 8, arbitrary: fc.array(piece, { maxLength: 5 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: longText },
);

export const nullableText = fc.option(text, { nil: null, freq: 6 });

function daysIn(y: number, m: number): number {
  return [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

const p2 = (n: number) => String(n).padStart(2, '0');
const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** Offsets .NET's DateTimeOffset accepts: Z or ±hh:mm up to 14:00. */
const offset = fc.oneof(
  fc.constant('Z'),
  fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 59 })).map(([s, h, m]) => `${s}${p2(h)}:${p2(m)}`),
  fc.constantFrom('+14:00', '-14:00', '+05:30', '-03:30', '+00:00', '-00:00'),
);

const offsetMinutes = (off: string) => (off === 'Z' ? 0 : (off[0] === '-' ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6))));
const negate = (off: string) => (off === 'Z' ? off : `${off[0] === '-' ? '+' : '-'}${off.slice(1)}`);
const isLeap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/**
 * Years of Edm.DateTimeOffset (0001–9999, GRAPH-FACTS §11), weighted to where storage breaks: the first and the
 * last millennium (pre-1753 SQL datetime, two-digit-year and 32-bit Unix time bugs), today's years, the extremes.
 */
const year = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 9999 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 999 }) },
  { weight: 2, arbitrary: fc.integer({ min: 9001, max: 9999 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1900, max: 2100 }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 9999) },
);

/** Leap years across the range: 0004, 2000 and 9996 always among them, 1900 and 2100 never. */
const leapYear = fc.oneof(
  fc.constantFrom(4, 400, 1600, 2000, 2400, 9996),
  fc.integer({ min: 1, max: 2499 }).map((n) => n * 4).filter(isLeap),
);

/** A calendar date: any, a leap day, the first or last day of a year, or the last day of a month. */
const date: fc.Arbitrary<[number, number, number]> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(year, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 })).map(([y, mo, d]): [number, number, number] => [y, mo, Math.min(d, daysIn(y, mo))]) },
  { weight: 1, arbitrary: leapYear.map((y): [number, number, number] => [y, 2, 29]) },
  { weight: 1, arbitrary: fc.tuple(year, fc.boolean()).map(([y, first]): [number, number, number] => (first ? [y, 1, 1] : [y, 12, 31])) },
  { weight: 1, arbitrary: fc.tuple(year, fc.integer({ min: 1, max: 12 })).map(([y, mo]): [number, number, number] => [y, mo, daysIn(y, mo)]) },
);

/** A time of day, often in the first or last hour, so that an offset carries the instant across the day. */
const time = fc.tuple(
  fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 0, max: 23 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 23) }),
  fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }),
  fc.oneof({ weight: 4, arbitrary: digits(0, 7) }, { weight: 1, arbitrary: fc.constantFrom('9999999', '0000001') }),
);

/** The smallest and largest instants Edm.DateTimeOffset holds, in UTC and at the ±14:00 that still reach them, and neighbours. */
const EXTREME_DATE_TIMES = [
  '0001-01-01T00:00:00Z', '0001-01-01T00:00:00.0000000+00:00', '0001-01-01T14:00:00+14:00', '0001-01-01T00:00:00.0000001-14:00',
  '9999-12-31T23:59:59.9999999Z', '9999-12-31T23:59:59.9999999-00:00', '9999-12-31T09:59:59.9999999-14:00', '9999-12-31T23:59:59+14:00',
] as const;

/**
 * RFC 3339 date-times whose instant lies in Edm.DateTimeOffset's range (GRAPH-FACTS §11): years 0001–9999, any
 * offset up to ±14:00, 0–7 fractional digits. An offset that would carry 0001-01-01 or 9999-12-31 out of the
 * range is turned round (+01:00 becomes -01:00): such input is RAA-CREATE-DATETIME-EDGE's (edgeDateTime), never
 * a MUST's.
 */
export const dateTime = fc.oneof(
  { weight: 19, arbitrary: fc.tuple(date, time, offset).map(([[y, mo, d], [h, mi, s, frac], off]) => {
    // Days the UTC date lies after the local one: -1 (the day before), 0 or 1 (the day after).
    const shift = Math.floor((h * 60 + mi - offsetMinutes(off)) / 1440);
    const out = (shift < 0 && y === 1 && mo === 1 && d === 1) || (shift > 0 && y === 9999 && mo === 12 && d === 31);
    return `${String(y).padStart(4, '0')}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}${frac ? `.${frac}` : ''}${out ? negate(off) : off}`;
  }) },
  { weight: 1, arbitrary: fc.constantFrom(...EXTREME_DATE_TIMES) },
);

const hhmm = (sign: '+' | '-', minutes: number) => `${sign}${p2(Math.floor(minutes / 60))}:${p2(minutes % 60)}`;
const clock = (minuteOfDay: number, s: number, frac: string) => `${p2(Math.floor(minuteOfDay / 60))}:${p2(minuteOfDay % 60)}:${p2(s)}${frac ? `.${frac}` : ''}`;
const secondsAndFraction = fc.tuple(fc.integer({ min: 0, max: 59 }), digits(0, 7));

/**
 * Date-times at the edges of Edm.DateTimeOffset whose local time and UTC instant disagree about the range
 * (GRAPH-FACTS §11, UNCERTAIN: accepted and echoed, or refused with 400): 0001-01-01 at a positive offset and
 * 9999-12-31 at a negative one, whose instant lies outside, and 0000-12-31 at a negative offset, whose instant
 * (0001-01-01 UTC) lies inside but whose local year does not.
 */
export const edgeDateTimes = [
  // 0001-01-01T00:30:00+01:00 is 0000-12-31T23:30:00Z.
  fc.integer({ min: 0, max: 839 }).chain((local) => fc.tuple(fc.constant(local), fc.integer({ min: local + 1, max: 840 }), secondsAndFraction))
    .map(([local, off, [s, frac]]) => `0001-01-01T${clock(local, s, frac)}${hhmm('+', off)}`),
  // 9999-12-31T23:30:00-01:00 is 10000-01-01T00:30:00Z.
  fc.integer({ min: 600, max: 1439 }).chain((local) => fc.tuple(fc.constant(local), fc.integer({ min: 1440 - local, max: 840 }), secondsAndFraction))
    .map(([local, off, [s, frac]]) => `9999-12-31T${clock(local, s, frac)}${hhmm('-', off)}`),
  // 0000-12-31T23:30:00-01:00 is 0001-01-01T00:30:00Z.
  fc.integer({ min: 600, max: 1439 }).chain((local) => fc.tuple(fc.constant(local), fc.integer({ min: 1440 - local, max: 840 }), secondsAndFraction))
    .map(([local, off, [s, frac]]) => `0000-12-31T${clock(local, s, frac)}${hhmm('-', off)}`),
] as const;

export const edgeDateTime = fc.oneof(...edgeDateTimes);

export interface BodyOptions {
  /** Include today's properties that the seed lacks (bulkDeviceActionId, deviceActionCategory). */
  newer?: boolean;
  /**
   * Draw remoteAction from the seed's evolvable tail too (send with Prefer: include-unknown-enum-members). Members
   * newer than the seed are never drawn: they are tolerated, never required (RAA-ENUM-NEWER-MEMBERS tries them).
   */
  tail?: boolean;
}

/** Valid create bodies: optional properties omitted at random, nullable strings sometimes null. */
export function validBody(o: BodyOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  const seedTail = tailMembers(ENUMS.remoteAction).filter((m) => !ENUMS.remoteAction.newerThanSeed.includes(m));
  const actions = o.tail ? [...knownMembers(ENUMS.remoteAction), ...seedTail] : [...knownMembers(ENUMS.remoteAction)];
  const model: Record<string, fc.Arbitrary<unknown>> = {
    '@odata.type': fc.constant('#microsoft.graph.remoteActionAudit'),
    ...Object.fromEntries(SEED_STRINGS.map((p) => [p, nullableText])),
    action: fc.constantFrom(...actions),
    actionState: fc.constantFrom(...ACTION_STATE),
    requestDateTime: dateTime,
  };
  if (o.newer) {
    model.bulkDeviceActionId = nullableText;
    model.deviceActionCategory = fc.constantFrom(...DEVICE_ACTION_CATEGORY);
  }
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
}

/** Values that are not members of any known version of the enum: random strings, case variants, padding, other enums. */
export function notAMember(e: EnumInfo): fc.Arbitrary<string> {
  const members = fc.constantFrom(...e.members);
  const others = [...ENUMS.remoteAction.members, ...ENUMS.actionState.members, ...ENUMS.deviceActionCategory.members].filter((m) => !e.members.includes(m));
  return fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    members.map((m) => m.toUpperCase()),
    members.map((m) => m[0]!.toUpperCase() + m.slice(1)),
    fc.tuple(members, fc.constantFrom(' ', '\t', '\n', '\u00a0')).chain(([m, pad]) => fc.constantFrom(`${pad}${m}`, `${m}${pad}`)),
    fc.constantFrom(...others),
  ).filter((v) => !e.members.includes(v));
}

/** Date-times no ISO 8601 parser accepts: out-of-range fields and text that is not a date at all. */
export const invalidDateTime = fc.oneof(
  fc.tuple(fc.constantFrom('00', '13', '99'), fc.constantFrom('01', '15')).map(([mo, d]) => `2017-${mo}-${d}T00:03:07Z`),
  fc.constantFrom('32', '00').map((d) => `2017-01-${d}T00:03:07Z`),
  fc.constant('2017-02-30T00:03:07Z'),
  fc.constantFrom('24:00:00', '25:03:07', '10:60:07', '10:03:61').map((t) => `2017-01-01T${t}Z`),
  fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !/^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(s) && !/^\s*[0-9]+\s*$/.test(s)),
  fc.constantFrom('yesterday', 'not a date', '2017-01-01T00:03:07.1589002-08:00 and more', 'T00:03:07Z'),
);

const ENUM_PROPS = ['action', 'actionState'] as const;

export type Mutation = 'enum-action' | 'enum-state' | 'type' | 'null' | 'datetime';

/** A wrong JSON type for `prop`: never a number for an enum (Graph may accept enum integers, GRAPH-FACTS §3). */
function wrongType(prop: string): fc.Arbitrary<unknown> {
  const structural = [fc.boolean(), fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }), fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 })];
  return (ENUM_PROPS as readonly string[]).includes(prop) ? fc.oneof(...structural) : fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), ...structural);
}

/** A valid body with exactly one defect of the given kind; the property it breaks is named in `path`. */
export function invalidBody(kind: Mutation): fc.Arbitrary<{ body: Record<string, unknown>; path: string }> {
  const mutate = (prop: string, value: fc.Arbitrary<unknown>) =>
    fc.tuple(validBody(), value).map(([b, v]) => ({ body: { ...b, [prop]: v }, path: `/${prop}` }));
  switch (kind) {
    case 'enum-action': return mutate('action', notAMember(ENUMS.remoteAction));
    case 'enum-state': return mutate('actionState', notAMember(ENUMS.actionState));
    case 'null': return fc.constantFrom('action', 'actionState', 'requestDateTime').chain((p) => mutate(p, fc.constant(null)));
    case 'datetime': return mutate('requestDateTime', invalidDateTime);
    case 'type': return fc.constantFrom(...SEED_STRINGS, 'action', 'actionState', 'requestDateTime').chain((p) => mutate(p, wrongType(p)));
  }
}

// The request surface beyond the body (fixtures/request-surface.json lists the cases someone thought of; these
// draw the rest): key segments, media-type parameters, Accept, Prefer, and the query options the contract names.

/** Characters a key segment may carry that break a naive router: quotes, percent signs, dots, parentheses. */
const keyTricky = fc.constantFrom("'", '"', '%', '..', '(', ')', '\u0000', 'é', '😀', '\u202e', ' ', '+', '=', '&', ';', ',', '~', '/', '\\');

/** A segment percent-encoded as a client would (lone surrogates made well-formed first, as encodeURIComponent needs). */
const encodedSegment = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), keyTricky), { minLength: 1, maxLength: 5 })
  .map((a) => encodeURIComponent(a.join('').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')));

/** A percent sign followed by fewer than two hex digits: what decodeURIComponent throws on. */
const brokenPercent = fc.tuple(fc.constantFrom('', '0', 'A', 'e', 'E0%A4', 'C3'), fc.constantFrom('', 'G', 'z', '%', '-'))
  .map(([hex, after]) => `%${hex}${after}`);

/**
 * A key segment as sent after the collection: well-formed percent-encoding, the same with malformed percent-encoding
 * spliced in, a long one, or OData key syntax. Never empty, '.' or '..': a client's URL parser folds those into
 * the collection itself (WHATWG URL), so they would not name a key at all.
 */
export const keySegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: encodedSegment.map((s) => `/${s}`) },
  { weight: 3, arbitrary: fc.tuple(encodedSegment, brokenPercent, fc.nat()).map(([s, bad, at]) => { const i = at % (s.length + 1); return `/${s.slice(0, i)}${bad}${s.slice(i)}`; }) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 2000 }).map((n) => `/${'k'.repeat(n)}`) },
  { weight: 2, arbitrary: fc.oneof(encodedSegment, brokenPercent).map((s) => `('${s}')`) },
).filter((p) => p !== '/' && p !== '/.' && p !== '/..');

const mediaParameter = fc.tuple(
  fc.constantFrom('charset', 'odata.metadata', 'odata.streaming', 'IEEE754Compatible', 'odata.format', 'x-raa'),
  fc.constantFrom('utf-8', 'UTF-8', 'minimal', 'true', 'false', '"quoted"', '1'),
  fc.constantFrom(';', '; ', ' ;', ' ; '),
).map(([name, value, sep]) => `${sep}${name}=${value}`);

/** `application/json` in any casing with zero to four parameters: a JSON Content-Type (RFC 9110 §8.3.1). */
export const jsonContentType: fc.Arbitrary<string> = fc.tuple(fc.constantFrom('application/json', 'Application/JSON', 'APPLICATION/json'), fc.array(mediaParameter, { maxLength: 4 }))
  .map(([type, params]) => `${type}${params.join('')}`);

/** An Accept the contract admits (RAA-REQ-ACCEPT): none (null), a wildcard, or JSON with parameters. */
export const acceptValue: fc.Arbitrary<string | null> = fc.oneof(
  fc.constantFrom(null, '*/*', 'application/*', 'application/json', 'application/json;odata.metadata=minimal', 'application/json;odata.metadata=minimal;odata.streaming=true'),
  fc.array(mediaParameter.filter((p) => !/odata\.metadata|odata\.format/.test(p)), { minLength: 1, maxLength: 3 }).map((params) => `application/json${params.join('')}`),
  fc.tuple(fc.constantFrom('application/json', 'application/json;odata.metadata=minimal'), fc.constantFrom('*/*;q=0.1', 'text/plain;q=0.5')).map(([a, b]) => `${a}, ${b}`),
);

/** A preference no target knows (RFC 7240: `token [= value] *( ; param )`), named x-raa-… so it never means anything. */
export const unknownPreference: fc.Arbitrary<string> = fc.tuple(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
  fc.option(fc.constantFrom('1', 'true', 'minimal', '"x y"'), { nil: undefined }),
  fc.option(fc.constantFrom('p=1', 'q', 'x="y"'), { nil: undefined }),
).map(([name, value, param]) => `x-raa-${name}${value === undefined ? '' : `=${value}`}${param === undefined ? '' : `; ${param}`}`);

/** A Prefer header holding one to three unknown preferences, maybe beside a known one the read ignores or honours. */
export const preferWithUnknown: fc.Arbitrary<string> = fc.tuple(fc.array(unknownPreference, { minLength: 1, maxLength: 3 }), fc.constantFrom(undefined, 'include-unknown-enum-members'))
  .chain(([unknown, known]) => fc.shuffledSubarray(known ? [...unknown, known] : unknown, { minLength: unknown.length + (known ? 1 : 0) }))
  .map((all) => all.join(', '));

/** Values of the query options the contract names ($top, $skiptoken: GRAPH-FACTS §12), well-formed or not. */
export const pagingQuery: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom('$top', '$skiptoken', '$TOP', '$skipToken'),
  fc.oneof(fc.integer({ min: -5, max: 2_000_000 }).map(String), fc.constantFrom('', '0', '1e3', '0x10', '1.5', 'abc', '99999999999999999999999', 'NaN', '%00', '%ZZ'), encodedSegment),
  fc.option(fc.constantFrom('$top=1', '$skiptoken=1', '$top=2'), { nil: undefined }),
).map(([name, value, more]) => `${name}=${value}${more ? `&${more}` : ''}`);
