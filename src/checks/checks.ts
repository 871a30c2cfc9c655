// Response checks: one small named function each, shared by example tests and properties. Each throws a
// CheckFailure naming the requirement it checks; none asserts the wording of an error message. Tests call them
// bound to the requirement they cite (checksFor, the `check` fixture of src/suite/suite.ts), so the id is written once.
import type { ValidateFunction } from 'ajv';
import { describeErrors, entityId, listValue, requirement as catalogued, validators } from '../contract';
import { parseInstant, sameInstant } from '../../schemas/datetime';
import { CheckFailure, type FailureDetail } from './failure';
import type { Exchange } from '../transport/http';
import { SEED_PROPERTIES } from '../../schemas/entity';
import { unobserved, type PropertyCheck } from './property';

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));

export function statusIs(req: string, ex: Exchange, expected: readonly number[]): void {
  if (!expected.includes(ex.status)) {
    throw new CheckFailure(req, `status ${ex.status} where ${expected.join(' or ')} is due`, { expected: expected.join(', '), received: String(ex.status), exchange: ex });
  }
}

export function isJson(req: string, ex: Exchange): void {
  const type = ex.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new CheckFailure(req, 'the response is not labelled JSON', { expected: 'Content-Type: application/json[;…]', received: type || '(no Content-Type)', exchange: ex });
  }
  if (ex.json === undefined) throw new CheckFailure(req, 'the response body is not JSON', { exchange: ex });
}

export function conformsTo(req: string, ex: Exchange, validate: ValidateFunction, what: string): void {
  if (!validate(ex.json)) {
    throw new CheckFailure(req, `the body does not conform to the ${what} schema`, { schemaErrors: describeErrors(validate.errors), exchange: ex });
  }
}

function entity(req: string, ex: Exchange): Record<string, unknown> {
  if (typeof ex.json !== 'object' || ex.json === null || Array.isArray(ex.json)) {
    throw new CheckFailure(req, 'the body is not a JSON object', { exchange: ex });
  }
  return ex.json as Record<string, unknown>;
}

/** Every property sent comes back the same: strings exactly, requestDateTime as the same instant. */
export function echoes(req: string, ex: Exchange, sent: Record<string, unknown>): void {
  const got = entity(req, ex);
  for (const [k, v] of Object.entries(sent)) {
    if (k.startsWith('@odata.') || k === 'id') continue;
    const r = got[k];
    const same = k === 'requestDateTime' && typeof v === 'string' && typeof r === 'string' ? sameInstant(v, r) : r === v;
    if (!same) {
      throw new CheckFailure(req, `${k} is not echoed`, { expected: show(v), received: show(r), exchange: ex });
    }
  }
}

export function hasId(req: string, ex: Exchange): string {
  const id = entity(req, ex).id;
  if (typeof id !== 'string' || id.length === 0) throw new CheckFailure(req, 'the created entity has no id', { expected: 'a non-empty string', received: show(id), exchange: ex });
  return id;
}

export function distinctIds(req: string, a: Exchange, b: Exchange): void {
  const x = hasId(req, a);
  const y = hasId(req, b);
  if (x === y) throw new CheckFailure(req, 'two creates returned the same id', { expected: 'distinct ids', received: `${x} twice`, exchange: b });
}

export function allPropertiesPresent(req: string, ex: Exchange): void {
  const got = entity(req, ex);
  const missing = SEED_PROPERTIES.filter((p) => !(p in got));
  if (missing.length) throw new CheckFailure(req, `properties not sent are missing: ${missing.join(', ')}`, { expected: 'every seed property', received: Object.keys(got).join(', '), exchange: ex });
}

export function isUtc(req: string, ex: Exchange): void {
  const v = entity(req, ex).requestDateTime;
  if (typeof v !== 'string' || !/Z$/.test(v) || !parseInstant(v)) throw new CheckFailure(req, 'requestDateTime is not given in UTC', { expected: 'an RFC 3339 date-time ending in Z', received: show(v), exchange: ex });
}

export function isGraphError(req: string, ex: Exchange): void {
  if (!/^application\/json\s*(;|$)/i.test(ex.headers['content-type'] ?? '') || ex.json === undefined) {
    throw new CheckFailure(req, 'the error response is not JSON', { expected: 'Content-Type: application/json', received: ex.headers['content-type'] ?? '(none)', exchange: ex });
  }
  conformsTo(req, ex, validators.error, 'Graph error envelope');
}

export function errorCodeIs(req: string, ex: Exchange, code: string): void {
  const got = (ex.json as { error?: { code?: unknown } } | undefined)?.error?.code;
  if (got !== code) throw new CheckFailure(req, `error code ${show(got)} where ${code} is due`, { expected: code, received: show(got), exchange: ex });
}

export function notServerError(req: string, ex: Exchange): void {
  if (ex.status >= 500) throw new CheckFailure(req, `server error ${ex.status} for a client request`, { expected: 'a status below 500', received: String(ex.status), exchange: ex });
}

export function refused(req: string, ex: Exchange): void {
  statusIs(req, ex, [401, 403]);
}

export function hasHeader(req: string, ex: Exchange, name: string): void {
  if (!ex.headers[name.toLowerCase()]) throw new CheckFailure(req, `the ${name} header is missing`, { expected: `${name}: <value>`, received: '(absent)', exchange: ex });
}

export function headerEquals(req: string, ex: Exchange, name: string, value: string): void {
  const got = ex.headers[name.toLowerCase()];
  if (got !== value) throw new CheckFailure(req, `${name} is not ${value}`, { expected: value, received: show(got), exchange: ex });
}

export function propertyEquals(req: string, ex: Exchange, prop: string, value: unknown): void {
  const got = entity(req, ex)[prop];
  if (got !== value) throw new CheckFailure(req, `${prop} is ${show(got)}`, { expected: show(value), received: show(got), exchange: ex });
}

/** The record read back equals `expected` (what create or update returned): values, with instants compared exactly. */
export function sameRecord(req: string, ex: Exchange, expected: Record<string, unknown>): void {
  const diff = recordDifference(entity(req, ex), expected);
  if (diff) throw new CheckFailure(req, `${diff.property} differs from what was written`, { expected: diff.expected, received: diff.received, exchange: ex });
}

/**
 * Why the suite will not follow `link`, a URL the target handed back (e.g. @odata.nextLink), or undefined when it
 * may: only an absolute URL on the target's own origin (scheme, host and port) is requested, so a principal's
 * token never goes anywhere else.
 */
export function linkProblem(link: unknown, target: string): string | undefined {
  if (typeof link !== 'string') return `it is ${link === null ? 'null' : `a ${Array.isArray(link) ? 'array' : typeof link}`}, not a URL`;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return 'it is not an absolute URL';
  }
  const origin = new URL(target).origin;
  if (url.origin !== origin) return `it leads away from the target's origin ${origin} (to ${url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : `a ${url.protocol} URL`})`;
  return undefined;
}

/** A link the target handed back stays on the target; returns it as a URL the suite may request. */
export function linkWithinTarget(req: string, ex: Exchange, link: unknown, target: string): string {
  const problem = linkProblem(link, target);
  if (problem !== undefined) {
    throw new CheckFailure(req, `the suite will not follow the link the target handed back: ${problem}`, { expected: `an absolute URL under ${new URL(target).origin}`, received: show(link), exchange: ex });
  }
  return link as string;
}

/** A 200 carries the entity: a JSON object, not an empty body or anything else. */
export function hasEntity(req: string, ex: Exchange): void {
  if (typeof ex.json === 'object' && ex.json !== null && !Array.isArray(ex.json)) return;
  throw new CheckFailure(req, `a ${ex.status} carries no entity`, { expected: 'the entity as a JSON object', received: ex.text === '' ? '(no body)' : ex.text.length > 300 ? `${ex.text.slice(0, 300)}… (${ex.text.length} characters)` : ex.text, exchange: ex });
}

/** A 204 carries no body (RFC 9110 §15.3.5); `received` shows what came instead. */
export function hasNoBody(req: string, ex: Exchange): void {
  if (ex.text !== '') throw new CheckFailure(req, `a ${ex.status} carries a body`, { expected: '(no body)', received: ex.text.length > 300 ? `${ex.text.slice(0, 300)}… (${ex.text.length} characters)` : ex.text, exchange: ex });
}

/**
 * The first property where `got` (a read) differs from `expected` (what was written), compared as sameRecord does;
 * undefined when none does. Not a check: tests use it to tell a precondition another requirement covers.
 */
export function recordDifference(got: unknown, expected: Record<string, unknown>): { property: string; expected: string; received: string } | undefined {
  if (typeof got !== 'object' || got === null || Array.isArray(got)) return { property: '(body)', expected: 'a JSON object', received: show(got) };
  for (const [k, v] of Object.entries(expected)) {
    if (k.startsWith('@odata.')) continue;
    const r = (got as Record<string, unknown>)[k];
    const same = k === 'requestDateTime' && typeof v === 'string' && typeof r === 'string' ? sameInstant(v, r) : JSON.stringify(r) === JSON.stringify(v);
    if (!same) return { property: k, expected: show(v), received: show(r) };
  }
  return undefined;
}

/**
 * What a write left behind, seen by a later GET (`read`): the record `what` names as `expected`, or no record at
 * all (null, a 404). The failure's exchange is the write, the request a reader replays; the read is in Received.
 */
export function foundAfter(req: string, write: Exchange, read: Exchange, what: string, expected: Record<string, unknown> | null): void {
  const get = `GET ${read.request.url}`;
  const answered = `${get} answered ${read.status}${read.text ? `: ${read.text.length > 600 ? `${read.text.slice(0, 600)}…` : read.text}` : ''}`;
  const after = `after ${write.request.method} ${write.request.url} (answered ${write.status})`;
  if (expected === null) {
    if (read.status !== 404) throw new CheckFailure(req, `${what} exists ${after}`, { expected: `${get} answers 404`, received: answered, exchange: write });
    return;
  }
  if (read.status !== 200) throw new CheckFailure(req, `${what} is no longer found under its id ${after}`, { expected: `${get} answers 200 with the record`, received: answered, exchange: write });
  const diff = recordDifference(read.json, expected);
  if (diff) throw new CheckFailure(req, `${what}: ${diff.property} is ${diff.received} ${after}`, { expected: `${get} shows ${diff.property} ${diff.expected}`, received: `${diff.property} ${diff.received} (${answered})`, exchange: write });
}

/** A list page does not show the record `id` (another tenant's, say: GRAPH-FACTS §11); `what` names the record. */
export function notListed(req: string, ex: Exchange, id: string, what: string): void {
  if (pageIds(ex).includes(id)) throw new CheckFailure(req, `${what} is listed`, { expected: `no item with the id ${id}`, received: `an item with the id ${id} on this page`, exchange: ex });
}

const pageValue = (ex: Exchange) => listValue(ex.json);

/** The ids of a list page's items, as strings. */
function pageIds(ex: Exchange): string[] {
  return pageValue(ex).map(entityId).filter((id): id is string => id !== undefined);
}

/** A list page answered to a request that sent `$top=top` holds at most `top` items. */
export function pageWithinTop(req: string, ex: Exchange, top: number): void {
  const n = pageValue(ex).length;
  if (n > top) throw new CheckFailure(req, `a page of ${n} items where $top=${top} was sent`, { expected: `at most ${top} item(s)`, received: `${n} items`, exchange: ex });
}

const some = (ids: readonly string[]) => `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}`;

/**
 * The pages read by following @odata.nextLink from the first (in that order) list each of `own` exactly once: this
 * run's records, in the order they were created. Other records are not judged: they may come and go meanwhile.
 * The evidence is the page where a record shows again, or the page after the one that lists the record created
 * just before a missing one (where the gap most likely is).
 */
export function listedOnce(req: string, pages: readonly Exchange[], own: readonly string[]): void {
  const mine = new Set(own);
  const on = new Map<string, number[]>();
  pages.forEach((ex, i) => { for (const id of pageIds(ex)) if (mine.has(id)) on.set(id, [...(on.get(id) ?? []), i]); });
  const missing = own.filter((id) => !on.has(id));
  const repeated = own.filter((id) => (on.get(id)?.length ?? 0) > 1).sort((a, b) => on.get(a)![1]! - on.get(b)![1]!);
  if (missing.length === 0 && repeated.length === 0) return;
  const sizes = pages.map((ex) => pageValue(ex).length);
  const found: string[] = [`${pages.length} page(s) of ${sizes.slice(0, 12).join(', ')}${sizes.length > 12 ? ', …' : ''} items`];
  let evidence = pages[Math.min(1, pages.length - 1)]!;
  if (missing.length) {
    const before = own.slice(0, own.indexOf(missing[0]!)).reverse().find((id) => on.has(id));
    const page = before === undefined ? undefined : Math.max(...on.get(before)!);
    found.push(`never listed: ${some(missing)}${page === undefined ? '' : ` (${missing[0]} was created after ${before}, listed on page ${page + 1}${page + 1 < pages.length ? `; this is page ${page + 2}` : ''})`}`);
    if (page !== undefined && page + 1 < pages.length) evidence = pages[page + 1]!;
  }
  if (repeated.length) {
    found.push(`listed more than once: ${repeated.slice(0, 3).map((id) => `${id} (pages ${on.get(id)!.map((p) => p + 1).join(', ')})`).join(', ')}${repeated.length > 3 ? ` and ${repeated.length - 3} more` : ''}`);
    evidence = pages[on.get(repeated[0]!)![1]!]!;
  }
  const what = [missing.length ? `${missing.length} never listed` : '', repeated.length ? `${repeated.length} listed more than once` : ''].filter(Boolean).join(', ');
  throw new CheckFailure(req, `following @odata.nextLink from the first page, of this run's ${own.length} records ${what}`, { expected: `each of this run's ${own.length} records exactly once over the pages`, received: found.join('; '), exchange: evidence });
}

/** The checks by name, each taking the requirement it judges first: what checksFor binds. */
export const CHECKS = {
  statusIs, isJson, conformsTo, echoes, hasId, distinctIds, allPropertiesPresent, isUtc, isGraphError, errorCodeIs, notServerError,
  refused, hasHeader, headerEquals, propertyEquals, sameRecord, linkWithinTarget, hasEntity, hasNoBody, foundAfter, notListed,
  pageWithinTop, listedOnce,
};

type CheckFn = (req: string, ...args: never[]) => unknown;

/** A module of checks with the requirement bound: `statusIs(ex, [201])` for `statusIs(req, ex, [201])`. */
export type Bound<M> = { [K in keyof M]: M[K] extends (req: string, ...args: infer A) => infer R ? (...args: A) => R : never };

/** The checks of one requirement, plus the id itself and a failure of its own for what no named check covers. */
export type Checks = Bound<typeof CHECKS> & {
  readonly requirement: string;
  fail(summary: string, detail?: FailureDetail): never;
  /** Another module's checks (src/checks/checks-metadata.ts) bound to the same requirement. */
  bind<M extends Record<string, CheckFn>>(checks: M): Bound<M>;
};

/** `checks` with `requirement` bound as their first argument. */
export function bindChecks<M extends Record<string, CheckFn>>(requirement: string, checks: M): Bound<M> {
  return Object.fromEntries(Object.entries(checks).map(([name, fn]) => [name, (...args: never[]) => fn(requirement, ...args)])) as Bound<M>;
}

/** The checks bound to one requirement of the catalogue (an unknown id is a suite bug, thrown at once). */
export function checksFor(requirement: string): Checks {
  catalogued(requirement);
  return {
    ...bindChecks(requirement, CHECKS),
    requirement,
    fail: (summary, detail) => { throw new CheckFailure(requirement, summary, detail); },
    bind: (checks) => bindChecks(requirement, checks),
  };
}

/** Property checks made for a requirement from its bound checks; `bindEach` makes each for its key. */
type CheckMaker<T> = (check: Checks) => PropertyCheck<T>;

export function bindEach<T>(makers: Record<string, CheckMaker<T>>): Record<string, PropertyCheck<T>> {
  return Object.fromEntries(Object.entries(makers).map(([requirement, make]) => [requirement, make(checksFor(requirement))]));
}

/**
 * The requirements judged over every generated valid create body, by requirement. The create properties and
 * the bench send the samples once and run all four on each answer (src/checks/property.ts SharedSend); each check is
 * bound to its key here, so the shared pass still knows which requirement a failure belongs to.
 */
export const VALID_CREATE_CHECKS: Record<string, PropertyCheck<Record<string, unknown>>> = bindEach<Record<string, unknown>>({
  'RAA-CREATE-201': (check) => (_b, ex) => check.statusIs(ex, [201]),
  'RAA-CREATE-SCHEMA': (check) => (_b, ex) => (ex.status === 201 ? check.conformsTo(ex, validators.entity, 'remoteActionAudit') : unobserved('RAA-CREATE-201', `create answered ${ex.status}, so there is no created entity`)),
  'RAA-CREATE-ECHO': (check) => (b, ex) => (ex.status !== 201 ? unobserved('RAA-CREATE-201', `create answered ${ex.status}, so nothing was echoed`)
    : ex.json === undefined ? unobserved('RAA-CREATE-JSON', 'the 201 body is not JSON') : check.echoes(ex, b)),
  'RAA-NO-5XX': (check) => (_b, ex) => check.notServerError(ex),
});
