// fast-check arbitraries that mirror the contract schemas: valid create bodies, and invalid ones made from a
// valid body by exactly one defect. tests/self proves each valid value passes the schema and each invalid fails it.
import fc from 'fast-check';
import { ACTION_STATE, DEVICE_ACTION_CATEGORY, ENUMS, knownMembers, tailMembers, type EnumInfo } from '../schemas/enums';
import { STRING_PROPERTIES } from '../schemas/entity';

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

/** RFC 3339 date-times with any offset and 0–7 fractional digits. */
export const dateTime = fc.record({ y: fc.integer({ min: 1900, max: 2100 }), mo: fc.integer({ min: 1, max: 12 }), dRaw: fc.integer({ min: 1, max: 31 }),
  h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }), frac: digits(0, 7), off: offset })
  .map(({ y, mo, dRaw, h, mi, s, frac, off }) => `${y}-${p2(mo)}-${p2(Math.min(dRaw, daysIn(y, mo)))}T${p2(h)}:${p2(mi)}:${p2(s)}${frac ? `.${frac}` : ''}${off}`);

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
