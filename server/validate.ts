// Request bodies: media type, JSON parsing, the compiled contract schemas, and the evolvable-enum write rules
// (GRAPH-FACTS §4). Everything a client can get wrong is answered 400 (415 for a non-JSON media type).
import { describeErrors, validators } from '../schemas/contract';
import { ENUM_PROPERTIES, ENUMS, SENTINEL, isAfterSentinel } from '../schemas/enums';
import { NEWER_PROPERTIES, STRING_PROPERTIES } from '../schemas/entity';
import { parseInstant } from '../schemas/datetime';
import type { RequestContext } from './context';
import type { Defects } from './defects';
import { GraphError, badRequest } from './errors';

export type Body = Record<string, unknown>;

/** ENUM_PROPERTIES as entries, made once rather than per request. */
const ENUM_ENTRIES = Object.entries(ENUM_PROPERTIES);

export function checkMediaType(contentType: string | undefined, defects: Defects): void {
  if (defects.has('media-type-unchecked')) return;
  // A media type's parameters (charset, odata.metadata) do not change it (RFC 9110 §8.3.1). The defect: the header
  // is compared whole, so `application/json; charset=utf-8` is refused.
  const type = defects.has('content-type-parameters-refused') ? (contentType ?? '').trim().toLowerCase() : (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new GraphError(415, 'UnsupportedMediaType', 'Entity only allows writes with a JSON Content-Type header.');
  }
}

export function parseJson(text: string, defects: Defects): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    // A lenient parser that treats what it cannot read as an empty object.
    if (defects.has('malformed-json-accepted')) return {};
    // parser-exception-in-error: the parser's exception is appended to the message "to help the client".
    const detail = defects.has('parser-exception-in-error') ? ` (${(e as Error).name}: ${(e as Error).message})` : '';
    throw badRequest(`Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.${detail}`);
  }
}

/** Deviations that loosen input before the schema sees it, each the shape of a real bug. */
function loosen(body: Body, defects: Defects): Body {
  const b = { ...body };
  for (const [prop, e] of ENUM_ENTRIES) {
    const v = b[prop];
    if (typeof v !== 'string') continue;
    if (defects.has('enum-case-insensitive')) {
      const hit = e.members.find((m) => m.toLowerCase() === v.toLowerCase());
      if (hit) b[prop] = hit;
    }
    if (defects.has('enum-whitespace-trimmed')) b[prop] = (b[prop] as string).trim();
  }
  if (defects.has('action-state-shares-enum-table') && typeof b.actionState === 'string' && ENUMS.remoteAction.members.includes(b.actionState)) {
    b.actionState = 'none';
  }
  if (defects.has('types-coerced')) {
    for (const p of STRING_PROPERTIES) {
      const v = b[p];
      if (typeof v === 'number' || typeof v === 'boolean') b[p] = String(v);
    }
  }
  if (defects.has('nulls-accepted')) {
    for (const p of ['action', 'actionState', 'requestDateTime', 'deviceActionCategory']) if (b[p] === null) delete b[p];
  }
  if (defects.has('unknown-properties-swallowed')) {
    const known = validators.createBody.schema as { properties: Record<string, unknown> };
    for (const k of Object.keys(b)) if (!(k in known.properties)) delete b[k];
  }
  if (defects.has('odata-type-unchecked') && '@odata.type' in b) delete b['@odata.type'];
  // A fallback for what the RFC 3339 parser refuses: JavaScript's lenient Date parser, which rolls 2017-02-30 over
  // to March and reads 'Jan 1 2017' or '2017-01-01 00:03:07Z'.
  if (defects.has('datetime-unchecked') && typeof b.requestDateTime === 'string' && !parseInstant(b.requestDateTime)) {
    const parsed = new Date(b.requestDateTime);
    if (!Number.isNaN(parsed.getTime())) b.requestDateTime = parsed.toISOString();
  }
  // A parser in the style of .NET's DateTime.Parse: a missing offset (or a missing time) is taken as UTC.
  if (defects.has('datetime-offset-optional') && typeof b.requestDateTime === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?))?$/.exec(b.requestDateTime);
    if (m) b.requestDateTime = `${m[1]}T${m[2] ?? '00:00:00'}Z`;
  }
  return b;
}

/** Properties whose checks a deviation skips: the value is held back from the schema and put back after it. */
function unchecked(kind: 'create' | 'update', body: Body, defects: Defects): Body {
  const held: Body = {};
  // deviceActionCategory came after the seed and was declared as a plain string.
  if (defects.has('category-enum-unchecked') && typeof body.deviceActionCategory === 'string') held.deviceActionCategory = body.deviceActionCategory;
  // The PATCH handler merges the body as it is: only the create path runs the validator.
  if (kind === 'update' && defects.has('update-skips-validation')) Object.assign(held, body);
  return held;
}

export function validateBody(kind: 'create' | 'update', raw: unknown, ctx: RequestContext, defects: Defects): Body {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw badRequest('The request body must be a JSON object.');
  }
  // A server built from the seed's property list: today's additions are properties it has never heard of.
  if (defects.has('newer-properties-refused')) {
    const newer = NEWER_PROPERTIES.filter((p) => p in (raw as Body));
    if (newer.length) throw badRequest(`The property '${newer[0]}' does not exist on type 'microsoft.graph.remoteActionAudit'.`);
  }
  const loosened = loosen(raw as Body, defects);
  const held = unchecked(kind, loosened, defects);
  // Usually nothing is held back and the schema sees the loosened body itself (already a copy). `in` also sees
  // Object.prototype's names, so a body's `constructor` or `toString` is dropped here, as it always was.
  const body = Object.keys(loosened).some((k) => k in held) ? Object.fromEntries(Object.entries(loosened).filter(([k]) => !(k in held))) : loosened;
  const validate = kind === 'create' ? validators.createBody : validators.updateBody;
  if (!validate(body)) {
    throw badRequest(`Invalid request body: ${describeErrors(validate.errors).join('; ')}`);
  }
  // The pattern admits instants that Edm.DateTimeOffset cannot hold (0001-01-01T00:00:00+01:00 is in year 0 in
  // UTC). The defect checks the pattern alone, and the conversion in the store throws (a 500).
  if (typeof body.requestDateTime === 'string' && !parseInstant(body.requestDateTime) && !defects.has('datetime-offset-overflow-500')) {
    throw badRequest('requestDateTime is outside the range of Edm.DateTimeOffset.');
  }
  return applyEnumWriteRules(kind, { ...body, ...held }, ctx, defects);
}

/**
 * GRAPH-FACTS §4: the sentinel is rejected in POST and ignored in PATCH; tail members need the Prefer header.
 * Edits `out`, a copy validateBody made for it.
 */
function applyEnumWriteRules(kind: 'create' | 'update', out: Body, ctx: RequestContext, defects: Defects): Body {
  for (const [prop, e] of ENUM_ENTRIES) {
    const v = out[prop];
    if (typeof v !== 'string') continue;
    if (v === SENTINEL) {
      // The defect: PATCH stores the sentinel as sent instead of treating it as absent.
      if (kind === 'update') { if (!defects.has('update-sentinel-stored')) delete out[prop]; continue; }
      if (!defects.has('sentinel-accepted')) throw badRequest(`'${SENTINEL}' is not a valid value for ${prop}.`);
    }
    // A server built from the seed's enum: members added since are not values it knows.
    if (defects.has('newer-members-refused') && e.newerThanSeed.includes(v)) throw badRequest(`'${v}' is not a valid value for ${prop}.`);
    if (isAfterSentinel(e, v) && !ctx.includeUnknownEnumMembers && !defects.has('enum-tail-leaked')) {
      throw badRequest(`The value '${v}' of ${prop} requires the header Prefer: include-unknown-enum-members.`);
    }
  }
  return out;
}

