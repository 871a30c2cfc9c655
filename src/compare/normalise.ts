// What of an answer is compared: everything the contract fixes, nothing it leaves open. Ids become the run's
// handles (any case), request ids and dates are not compared, requestDateTime is an instant, annotations are
// compared only where a requirement names them, properties and enum members newer than the suite's contract are
// left out, JSON is compared parsed, a list is the union of its pages, an error is its status and envelope (its
// code only where a requirement fixes it), and the alternatives a requirement allows are one outcome.
import { catalogue, entityId, validators } from '../contract';
import { ENUM_PROPERTIES } from '../../schemas/enums';
import { NEWER_PROPERTIES, SEED_PROPERTIES } from '../../schemas/entity';
import { parseInstant } from '../../schemas/datetime';
import { compareContract, parseCsdlSource } from '../metadata/drift';
import { ORACLES } from '../checks/oracles';
import type { Exchange } from '../transport/http';
import type { Alternative, Step } from './stream';
import type { Observation, Side } from './execute';

/** A normalised answer: one value per path (`status`, `header location`, `body/action`, `list #3/userName`). */
export type Fields = Record<string, string>;

/** The properties compared: the contract's, in its order. */
const PROPERTIES = [...SEED_PROPERTIES, ...NEWER_PROPERTIES] as const;

/** Annotations a requirement's title names (@odata.context): the rest are optional and not compared. */
export const NAMED_ANNOTATIONS = [...new Set(catalogue.requirements.flatMap((r) => r.title.match(/@odata\.[A-Za-z]+/g) ?? []))]
  .filter((a) => a !== '@odata.nextLink' && a !== '@odata.type');

/**
 * The alternatives a requirement allows, each one outcome (tests/self/compare.spec.ts checks that the requirement's
 * title names every status listed). `entity` says whether a body may come with it.
 */
export const ALTERNATIVES: Record<Alternative, { requirement: string; statuses: number[]; label: string }> = {
  'media-type': { requirement: 'RAA-CREATE-MEDIA-TYPE', statuses: [400, 415], label: 'refused (400 or 415)' },
  'update-minimal': { requirement: 'RAA-UPDATE-MINIMAL', statuses: [204, 200], label: 'updated (204 empty, or 200 with the entity)' },
  'update-id': { requirement: 'RAA-UPDATE-ID-IMMUTABLE', statuses: [400, 200], label: 'id refused with 400 or ignored' },
  'datetime-edge': { requirement: 'RAA-CREATE-DATETIME-EDGE', statuses: [201, 400], label: 'created or refused with 400' },
  refused: { requirement: 'RAA-PERM-UNDOCUMENTED', statuses: [401, 403], label: 'refused (401 or 403)' },
  'create-minimal': { requirement: 'RAA-CREATE-MINIMAL', statuses: [201, 204], label: 'created (201 with the entity, or 204 with Location)' },
};

/** The status as compared: an alternative's class, or the number. A 200 without a body is no updated entity. */
function statusOf(alt: Alternative | undefined, expect: number[] | undefined, ex: Exchange): { text: string; settled: boolean } {
  const a = alt ? ALTERNATIVES[alt] : undefined;
  const empty = ex.text.length === 0;
  const bodiless = (alt === 'update-minimal' && ex.status === 200 || alt === 'create-minimal' && ex.status === 201) && empty;
  if (a && a.statuses.includes(ex.status) && !bodiless) return { text: a.label, settled: true };
  // A surface row's statuses: any is one outcome; where it allows more than one, the body follows the status.
  if (expect && expect.length > 1 && expect.includes(ex.status)) return { text: `one of ${expect.join(', ')}`, settled: true };
  return { text: String(ex.status), settled: false };
}

const present = (v: string | undefined) => (v === undefined ? 'absent' : 'present');

/** A header value that names a record, as its handle. */
function idLabel(side: Side, id: unknown): string {
  if (typeof id !== 'string' || id === '') return id === undefined ? '(absent)' : `(not an id: ${JSON.stringify(id)})`;
  const k = side.handleOf(id);
  return k === undefined ? '(an id this run did not create)' : `record #${k}`;
}

function headerFields(ex: Exchange, step: Step, side: Side): Fields {
  const h = ex.headers;
  const f: Fields = {
    'header content-type': ex.text.length ? (h['content-type'] ?? '(absent)').split(';')[0]!.trim().toLowerCase() : '(no body)',
    'header request-id': present(h['request-id']),
    'header client-request-id': h['client-request-id'] === undefined ? 'absent' : h['client-request-id'] === (step.headers?.['client-request-id'] ?? `compare-step-${step.index}`) ? 'echoes the client\'s' : 'another value',
  };
  if (step.method === 'POST' && ex.status >= 200 && ex.status < 300) {
    const loc = h.location;
    f['header location'] = loc === undefined ? '(absent)' : idLabel(side, /\('([^']+)'\)$/.exec(loc)?.[1] ?? loc.split('/').pop()?.split('?')[0]);
  }
  if (ex.status === 405) f['header allow'] = (h.allow ?? '').split(',').map((m) => m.trim().toUpperCase()).filter(Boolean).sort().join(', ') || '(absent)';
  if (ex.status === 401) f['header www-authenticate'] = present(h['www-authenticate']);
  f['header preference-applied'] = (h['preference-applied'] ?? '').split(',').map((p) => p.trim().toLowerCase()).filter(Boolean).sort().join(', ') || '(absent)';
  return f;
}

/** One property's value as compared. */
function valueOf(p: string, v: unknown): string {
  if (v === undefined) return '(absent)';
  if (p === 'requestDateTime' && typeof v === 'string') {
    const i = parseInstant(v);
    return i ? `instant ${i.ticks}${i.subTick}${/Z$/i.test(v) ? ' (UTC)' : ' (with an offset)'}` : `(not a date-time: ${JSON.stringify(v)})`;
  }
  const e = (ENUM_PROPERTIES as Record<string, { members: readonly string[] }>)[p];
  if (e && typeof v === 'string' && !e.members.includes(v)) return /^[a-z][A-Za-z]*$/.test(v) ? '(a member newer than the suite)' : JSON.stringify(v);
  return JSON.stringify(v);
}

function entityFields(e: unknown, prefix: string, side: Side): Fields {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return { [prefix]: `(not an object: ${JSON.stringify(e)?.slice(0, 40)})` };
  const o = e as Record<string, unknown>;
  const f: Fields = { [`${prefix} id`]: idLabel(side, o.id) };
  for (const p of PROPERTIES) f[`${prefix}/${p}`] = valueOf(p, o[p]);
  for (const a of NAMED_ANNOTATIONS) {
    const v = o[a];
    f[`${prefix}/${a}`] = typeof v === 'string' ? v.replace(side.base, '(base)') : present(v as undefined);
  }
  return f;
}

/** Every page's items that are this run's records, by handle; a record twice is counted twice. */
function listFields(obs: Observation, side: Side): Fields {
  const f: Fields = {};
  const counts = new Map<number, number>();
  // A surface row's list: its first page's shape only (which records a page shows is the paging steps' business).
  if (obs.step.onePage) return { 'list page': Array.isArray((obs.exchanges[0]!.json as { value?: unknown } | undefined)?.value) ? 'a value array' : 'without a value array' };
  const top = /\$top=(\d+)/.exec(obs.step.query ?? '')?.[1];
  let withinTop = true;
  for (const ex of obs.exchanges) {
    const value = (ex.json as { value?: unknown } | undefined)?.value;
    if (ex.status !== 200 || !Array.isArray(value)) return { ...f, 'list page': `${ex.status}${Array.isArray(value) ? '' : ' without a value array'}` };
    if (top !== undefined && value.length > Number(top)) withinTop = false;
    for (const item of value) {
      const id = (item as { id?: unknown } | null)?.id;
      const k = typeof id === 'string' ? side.handleOf(id) : undefined;
      if (k === undefined) continue;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      Object.assign(f, entityFields(item, `list record #${k}`, side));
    }
  }
  for (const [k, n] of counts) f[`list record #${k} times listed`] = String(n);
  if (top !== undefined) f['list pages within $top'] = String(withinTop);
  const annotations = obs.exchanges[0]?.json as Record<string, unknown>;
  for (const a of NAMED_ANNOTATIONS) f[`list/${a}`] = typeof annotations?.[a] === 'string' ? (annotations[a] as string).replace(side.base, '(base)') : 'absent';
  return f;
}

const RACED_GET = '(the record as it was, or 404)';

/** A get racing a delete: the record as the read before the batch showed it, or 404; else what differs first. */
function racedGet(ex: Exchange, before: Fields | undefined, side: Side): string {
  if (ex.status === 404) return RACED_GET;
  if (ex.status !== 200) return String(ex.status);
  const got = entityFields(ex.json, 'entity', side);
  const other = Object.keys(got).find((p) => got[p] !== before?.[p]);
  return other === undefined ? RACED_GET : `(200 with another ${other})`;
}

/**
 * A batch sent at once, normalised to what every order of it leaves the same: each member's status (a create's
 * id as its handle, a PATCH's own properties as its answer shows them, a racing get's class) and whether the
 * creates' ids are distinct. Which of the batch the server ran first is not compared.
 */
function batchFields(obs: Observation, side: Side): Fields {
  const { step } = obs;
  const members = step.batch!;
  const read = step.readFirst ? obs.exchanges[0] : undefined;
  const before = read?.status === 200 ? entityFields(read.json, 'entity', side) : undefined;
  const answers = obs.exchanges.slice(step.readFirst ? 1 : 0);
  const f: Fields = { status: `${members.length} requests at once` };
  const ids: string[] = [];
  members.forEach((m, i) => {
    const ex = answers[i];
    const at = `at once #${i} ${m.method}`;
    if (!ex) { f[`${at} status`] = '(no answer)'; return; }
    if (m.method === 'GET') { f[`${at} outcome`] = racedGet(ex, before, side); return; }
    f[`${at} status`] = String(ex.status);
    if (m.method === 'POST') {
      const id = entityId(ex.json);
      if (id !== undefined) ids.push(id.toLowerCase());
      f[`${at} id`] = idLabel(side, id);
    }
    if (m.method === 'PATCH' && ex.status === 200) for (const k of Object.keys(m.json as object)) f[`${at}/${k}`] = valueOf(k, (ex.json as Record<string, unknown> | undefined)?.[k]);
  });
  if (ids.length) f['ids of the creates'] = new Set(ids).size === ids.length ? 'distinct' : 'repeated';
  return f;
}

/** $metadata as the contract's drift findings (src/metadata/drift.ts): the same document gives the same findings. */
function metadataFields(ex: Exchange): Fields {
  if (ex.status !== 200) return {};
  try {
    const { changes } = compareContract(parseCsdlSource(ex.text, 'metadata'));
    return Object.fromEntries(changes.map((c) => [`metadata ${c.kind} ${c.subject} ${c.name}`, c.detail]));
  } catch (e) {
    return { metadata: (e as Error).message.slice(0, 120) };
  }
}

/** Where an every-response oracle's finding is kept: one path per requirement, so each reads as its own cause. */
export const ORACLE_PATH = 'oracle ';

/**
 * The every-response oracles (src/checks/oracles.ts) over each exchange of the step: the requirements one found
 * something against. A correct server gives none, so these are never noise (diff.ts does not learn them).
 */
function oracleFields(obs: Observation): Fields {
  const f: Fields = {};
  for (const ex of obs.exchanges) {
    for (const o of ORACLES) if (f[ORACLE_PATH + o.requirement] === undefined && o.applies(ex) && o.judge(ex)) f[ORACLE_PATH + o.requirement] = 'found';
  }
  return f;
}

/** The normalised answer to one step on one side: what the contract fixes of it, and what the oracles found. */
export function normalise(obs: Observation, side: Side): Fields {
  return { ...answerFields(obs, side), ...oracleFields(obs) };
}

function answerFields(obs: Observation, side: Side): Fields {
  const step = obs.step;
  if (obs.error !== undefined) return { status: obs.error.includes('try later') ? '(only "try later")' : '(no HTTP answer)' };
  if (step.batch) return batchFields(obs, side);
  const ex = obs.exchanges[0]!;
  const status = statusOf(step.alternative, step.expect, ex);
  const f: Fields = { status: status.text, ...headerFields(ex, step, side) };
  if (status.settled && step.alternative !== 'refused') return f;
  if (step.target === 'metadata') return { ...f, ...metadataFields(ex) };
  if (ex.text.length === 0) return { ...f, body: '(empty)' };
  if (ex.json === undefined) return { ...f, body: '(not JSON)' };
  if (ex.status >= 400) {
    f['error envelope'] = validators.error(ex.json) ? 'valid' : 'not the Graph envelope';
    // RAA-AUTH-CODE fixes the code of a 401; elsewhere GRAPH-FACTS §5 says codes vary by workload.
    if (ex.status === 401) f['error code'] = String((ex.json as { error?: { code?: unknown } }).error?.code);
    return f;
  }
  if (step.method === 'GET' && step.target === 'collection') return { ...f, ...listFields(obs, side) };
  return { ...f, ...entityFields(ex.json, 'body', side) };
}
