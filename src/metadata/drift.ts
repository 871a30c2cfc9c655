// raa-conformance drift: compares the suite's contract (schemas/entity.ts, schemas/enums.ts) with a CSDL document, a
// published snapshot or a live target's $metadata, and Microsoft's permissions data with the checked-in slice
// (src/metadata/permission-drift.ts), and names for each difference the requirements it would make wrong.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, requirementsById, type Level } from '../contract';
import { edmTypeOf, GRAPH_ALIAS, nullableOf, parseCsdl, type CsdlEntityType, type CsdlModel } from './csdl';
import { entitySchema, SEED_PROPERTIES } from '../../schemas/entity';
import { ENUMS, SENTINEL, type EnumInfo } from '../../schemas/enums';
import { setting } from '../core/settings';

export const NAMESPACE = 'microsoft.graph';
export const ENTITY = 'remoteActionAudit';
const CONTAINER = 'deviceManagement';
const NAVIGATION = 'remoteActionAudits';

/** One property of the contract, as CSDL would declare it. */
export interface ContractProperty {
  name: string;
  /** Qualified: `Edm.String`, `microsoft.graph.remoteAction`. */
  type: string;
  nullable: boolean;
  /** The seed lists it (or it is the key); otherwise it is newer than the seed: tolerated, never required. */
  seed: boolean;
}

export interface Contract {
  properties: ContractProperty[];
  enums: EnumInfo[];
}

/** The contract as the schemas state it: every property of the entity schema with its Edm type and nullability. */
export function suiteContract(): Contract {
  const seed = new Set<string>(['id', ...SEED_PROPERTIES]);
  // The same mapping the reference server's $metadata is generated with, written in the namespace, not its alias.
  const properties = Object.keys(entitySchema.properties).filter((name) => !name.startsWith('@'))
    .map((name): ContractProperty => ({ name, type: edmTypeOf(name).replace(new RegExp(`^${GRAPH_ALIAS}\\.`), `${NAMESPACE}.`), nullable: nullableOf(name), seed: seed.has(name) }));
  return { properties, enums: Object.values(ENUMS) };
}

export type DriftKind = 'added' | 'removed' | 'retyped' | 'reordered';

export interface DriftRequirement {
  id: string;
  level: Level;
  tentative: boolean;
}

export interface DriftChange {
  kind: DriftKind;
  /** The CSDL's (property … navigation) or the permissions data's (permission, scheme, method). */
  subject: 'property' | 'member' | 'enum' | 'key' | 'navigation' | 'permission' | 'scheme' | 'method';
  /** `remoteActionAudit.requestDateTime`, `remoteAction.delete`. */
  name: string;
  /** What differs, in one line. */
  detail: string;
  /** A difference the catalogue documents (newer than the seed): printed as known, never drift. */
  known: boolean;
  /** The current requirements this change would make wrong; empty when it touches none. */
  requirements: DriftRequirement[];
  /** Why those requirements, or why none. */
  because: string;
}

export interface DriftReport {
  /** What was compared, in one line (the CSDL document and/or the permissions data). */
  source: string;
  /** Each source by kind: a report of `drift --permissions` alone has no csdl. */
  sources?: { csdl?: string; permissions?: string[] };
  comparedAt: string;
  entity: string;
  changes: DriftChange[];
  /** What was not compared, and why (a base type the document leaves out). */
  notes: string[];
  /** Requirements at MUST level some change (not a known one) touches. */
  mustTouched: string[];
  exitCode: 0 | 1;
}

/**
 * What each contract fact feeds, so a change to the fact names the requirements it would make wrong. Keys are the
 * facts; the lists are catalogue ids (a self-test checks they exist).
 */
export const RELIES_ON = {
  seedProperty: { ids: ['RAA-CREATE-201', 'RAA-CREATE-SCHEMA', 'RAA-CREATE-ECHO', 'RAA-CREATE-ALLPROPS', 'RAA-GET-READBACK', 'RAA-UPDATE-PARTIAL', 'RAA-MODEL'],
    because: 'valid bodies send every seed property, the echo and read-back compare it, ALLPROPS expects it present and PATCHes change it' },
  newerProperty: { ids: ['RAA-CREATE-NEWER-PROPS'], because: 'only the MAY check of properties newer than the seed sends it' },
  string: { ids: ['RAA-CREATE-TYPES', 'RAA-UPDATE-INVALID'], because: 'a non-string value for a string property must be refused' },
  dateTime: { ids: ['RAA-CREATE-DATETIME', 'RAA-CREATE-DATETIME-STRICT', 'RAA-CREATE-DATETIME-RANGE', 'RAA-CREATE-DATETIME-EDGE', 'RAA-CREATE-DATETIME-UTC', 'RAA-CREATE-ECHO'],
    because: 'Edm.DateTimeOffset decides what is refused, its range and precision, UTC output and the instant echoed' },
  nonNullable: { ids: ['RAA-CREATE-NONNULL', 'RAA-UPDATE-NONNULL'], because: 'null must be refused for a non-nullable property' },
  nullable: { ids: ['RAA-CREATE-201', 'RAA-CREATE-ECHO', 'RAA-UPDATE-PARTIAL'], because: 'valid bodies send null for nullable strings and expect it created and echoed' },
  remoteAction: { ids: ['RAA-CREATE-ENUM-ACTION', 'RAA-UPDATE-INVALID'], because: 'an action outside remoteAction must be refused' },
  actionState: { ids: ['RAA-CREATE-ENUM-STATE', 'RAA-UPDATE-INVALID'], because: 'an actionState outside actionState must be refused' },
  deviceActionCategory: { ids: ['RAA-CREATE-ENUM-CATEGORY', 'RAA-CREATE-NEWER-PROPS'], because: 'a deviceActionCategory outside its enum must be refused; the newer-property check sends its members' },
  knownMember: { ids: ['RAA-CREATE-201', 'RAA-CREATE-ECHO', 'RAA-UPDATE-PARTIAL', 'RAA-MODEL'], because: 'valid bodies draw every member before unknownFutureValue (and every member of a non-evolvable enum)' },
  tailMember: { ids: ['RAA-ENUM-EVOLVABLE', 'RAA-ENUM-MASKED-READ'], because: 'a member after unknownFutureValue needs Prefer: include-unknown-enum-members and reads back masked without it' },
  newerMember: { ids: ['RAA-ENUM-NEWER-MEMBERS'], because: 'only the MAY check of members newer than the seed sends it' },
  sentinel: { ids: ['RAA-ENUM-EVOLVABLE', 'RAA-ENUM-SENTINEL', 'RAA-UPDATE-SENTINEL', 'RAA-ENUM-MASKED-READ'], because: 'unknownFutureValue marks where the evolvable tail starts and is refused in a create' },
  key: { ids: ['RAA-CREATE-ID', 'RAA-CREATE-SCHEMA', 'RAA-UPDATE-ID-IMMUTABLE'], because: 'the key id is a non-empty string, distinct per record and never moved by a PATCH' },
  collection: { ids: ['RAA-CREATE-201', 'RAA-GET-200', 'RAA-LIST-200', 'RAA-UPDATE-200', 'RAA-DELETE-204'], because: 'every operation addresses /deviceManagement/remoteActionAudits' },
  containment: { ids: ['RAA-ODATA-CONTEXT'], because: 'the context URL names deviceManagement/remoteActionAudits' },
} as const satisfies Record<string, { ids: readonly string[]; because: string }>;

type Fact = keyof typeof RELIES_ON;

function requirementsOf(...facts: Fact[]): DriftRequirement[] {
  const ids = [...new Set(facts.flatMap((f) => RELIES_ON[f].ids))];
  return ids.map((id) => {
    const r = requirementsById.get(id);
    if (!r) throw new Error(`src/metadata/drift.ts names ${id}, which schemas/requirements.json does not have`);
    return { id, level: r.level as Level, tentative: r.tentative };
  });
}

const becauseOf = (...facts: Fact[]) => facts.map((f) => RELIES_ON[f].because).join('; ');

/** `graph.x` and `Collection(graph.x)` as `microsoft.graph.x`: the alias is the document's choice, not a change. */
function qualify(type: string, model: CsdlModel): string {
  const inner = /^Collection\((.*)\)$/.exec(type)?.[1];
  if (inner !== undefined) return `Collection(${qualify(inner, model)})`;
  if (model.alias && type.startsWith(`${model.alias}.`)) return `${model.namespace}${type.slice(model.alias.length)}`;
  return type;
}

/** An entity or enum type of the document by its simple or qualified name. */
function lookup<T>(map: Map<string, T>, model: CsdlModel, name: string): T | undefined {
  const q = qualify(name, model);
  const simple = q.startsWith(`${model.namespace}.`) ? q.slice(model.namespace.length + 1) : q;
  return map.get(simple) ?? map.get(q) ?? map.get(`${model.namespace}.${simple}`);
}

const describe = (type: string, nullable: boolean) => `${type}${nullable ? ', nullable' : ', not nullable'}`;

/**
 * The differences between the contract and the document: added, removed, retyped (type or nullability) and reordered
 * (members out of the contract's order, the sentinel moved). Throws a ConfigError when the document has no remoteActionAudit.
 */
export function compareContract(model: CsdlModel, contract: Contract = suiteContract()): { changes: DriftChange[]; notes: string[] } {
  const changes: DriftChange[] = [];
  const notes: string[] = [];
  const entity = lookup(model.entityTypes, model, ENTITY);
  if (!entity) throw new ConfigError(`the document declares no EntityType ${ENTITY} in namespace ${model.namespace}: nothing to compare`);

  const { declared, key } = declaredProperties(entity, model, notes);
  compareProperties(contract, declared, entity.name, changes);
  if (key && (key.length !== 1 || key[0] !== 'id')) {
    changes.push({ kind: 'retyped', subject: 'key', name: `${ENTITY} key`, detail: `key (${key.join(', ')}) in the document, (id) in the contract`, known: false, requirements: requirementsOf('key'), because: becauseOf('key') });
  }

  for (const e of contract.enums) compareEnum(e, model, contract, changes);
  compareNavigation(model, changes, notes);
  return { changes, notes };
}

type Declared = Map<string, { type: string; nullable: boolean; from: string }>;

/** The entity's properties, its base types' included (id comes from graph.entity), and the key it inherits. */
function declaredProperties(entity: CsdlEntityType, model: CsdlModel, notes: string[]): { declared: Declared; key: string[] | undefined } {
  const declared: Declared = new Map();
  let key: string[] | undefined;
  const seen = new Set<string>();
  for (let t: CsdlEntityType | undefined = entity; t && !seen.has(t.name); ) {
    seen.add(t.name);
    for (const p of t.properties) if (!declared.has(p.name)) declared.set(p.name, { type: qualify(p.type, model), nullable: p.nullable, from: t.name });
    if (!key && t.key.length) key = t.key;
    if (!t.baseType) break;
    const base: CsdlEntityType | undefined = lookup(model.entityTypes, model, t.baseType);
    if (!base) {
      if (qualify(t.baseType, model) === `${NAMESPACE}.entity`) {
        notes.push(`${t.name}'s base type ${NAMESPACE}.entity is not in the document: its key id is taken as Graph declares it (Edm.String, not nullable)`);
        if (!declared.has('id')) declared.set('id', { type: 'Edm.String', nullable: false, from: 'entity' });
        key ??= ['id'];
      } else {
        notes.push(`${t.name}'s base type ${t.baseType} is not in the document: properties it declares were not compared`);
      }
    }
    t = base;
  }
  return { declared, key };
}

/** Each contract property against the document's (removed, retyped, newer), then the document's that the contract lacks. */
function compareProperties(contract: Contract, declared: Declared, entityName: string, changes: DriftChange[]): void {
  const contractNames = new Set(contract.properties.map((p) => p.name));
  for (const p of contract.properties) {
    const got = declared.get(p.name);
    // Only the seed's strings are sent with wrong types; an enum's refusals hold for a newer property too.
    const typeFacts: Fact[] = p.name === 'id' ? ['key'] : p.type === 'Edm.DateTimeOffset' ? ['dateTime'] : p.type === 'Edm.String' ? (p.seed ? ['string'] : []) : [p.type.slice(NAMESPACE.length + 1) as Fact];
    const presence: Fact = p.seed ? 'seedProperty' : 'newerProperty';
    if (!got) {
      const facts: Fact[] = p.name === 'id' ? ['key'] : [presence, ...(p.seed ? typeFacts : [])];
      changes.push({ kind: 'removed', subject: 'property', name: `${ENTITY}.${p.name}`, detail: `the contract declares ${p.name} (${describe(p.type, p.nullable)}); the document does not`,
        known: !p.seed, requirements: p.seed ? requirementsOf(...facts) : [], because: p.seed ? becauseOf(...facts) : `newer than the seed: tolerated, never required (${RELIES_ON.newerProperty.ids.join(', ')}, MAY)` });
      continue;
    }
    if (got.type !== p.type) {
      const facts: Fact[] = [...typeFacts, ...(p.seed ? ['seedProperty' as const] : ['newerProperty' as const])];
      changes.push({ kind: 'retyped', subject: 'property', name: `${ENTITY}.${p.name}`, detail: `type ${p.type} in the contract, ${got.type} in the document`,
        known: false, requirements: requirementsOf(...facts), because: becauseOf(...facts) });
    }
    if (got.nullable !== p.nullable) {
      // Now nullable: the refusals of null are wrong. Now required: the nulls valid bodies send are wrong.
      const facts: Fact[] = p.name === 'id' ? ['key'] : got.nullable ? ['nonNullable'] : p.seed ? ['nullable'] : ['newerProperty'];
      changes.push({ kind: 'retyped', subject: 'property', name: `${ENTITY}.${p.name}`, detail: `${got.nullable ? 'nullable' : 'not nullable'} in the document, ${p.nullable ? 'nullable' : 'not nullable'} in the contract`,
        known: false, requirements: requirementsOf(...facts), because: becauseOf(...facts) });
    }
    if (!p.seed) changes.push({ kind: 'added', subject: 'property', name: `${ENTITY}.${p.name}`, detail: `${describe(got.type, got.nullable)}: newer than the seed`,
      known: true, requirements: [], because: `documented: tolerated, never required (${RELIES_ON.newerProperty.ids.join(', ')}, MAY)` });
  }
  for (const [name, got] of declared) {
    if (contractNames.has(name)) continue;
    changes.push({ kind: 'added', subject: 'property', name: `${ENTITY}.${name}`, detail: `${describe(got.type, got.nullable)}${got.from !== entityName ? ` (from ${got.from})` : ''}: not in the contract`,
      known: false, requirements: [], because: got.nullable ? 'tolerated, never required: no requirement sends or expects it' : 'tolerated, never required; not nullable, so a target may insist on it, which RAA-CREATE-201 would then show' });
  }
}

function compareEnum(e: EnumInfo, model: CsdlModel, contract: Contract, changes: DriftChange[]): void {
  const propertyFact = e.name as Fact;
  // An enum only properties newer than the seed use: valid bodies of the seed never send it.
  const users = contract.properties.filter((p) => p.type === `${NAMESPACE}.${e.name}`);
  const newerEnum = users.length > 0 && users.every((p) => !p.seed);
  const memberFacts: Fact[] = newerEnum ? [propertyFact] : [propertyFact, 'knownMember'];
  const got = lookup(model.enumTypes, model, e.name);
  if (!got) {
    changes.push({ kind: 'removed', subject: 'enum', name: e.name, detail: `the contract's enum ${e.name} (${e.members.length} members) is not in the document`,
      known: newerEnum, requirements: newerEnum ? [] : requirementsOf(...memberFacts), because: newerEnum ? 'it types only properties newer than the seed: tolerated, never required' : becauseOf(...memberFacts) });
    return;
  }
  if (got.isFlags) changes.push({ kind: 'retyped', subject: 'enum', name: e.name, detail: 'IsFlags="true" in the document: values may combine members, the contract expects exactly one',
    known: false, requirements: requirementsOf(propertyFact), because: becauseOf(propertyFact) });
  const names = got.members.map((m) => m.name);
  const side = (i: number, sentinel: number) => (sentinel < 0 || i < sentinel ? 'known' : i === sentinel ? 'sentinel' : 'tail');
  const docSentinel = names.indexOf(SENTINEL);
  for (const [i, m] of e.members.entries()) {
    if (names.includes(m)) continue;
    const newer = e.newerThanSeed.includes(m);
    const where = side(i, e.sentinelIndex);
    const facts: Fact[] = newer ? ['newerMember'] : where === 'sentinel' ? ['sentinel'] : where === 'tail' ? ['tailMember'] : memberFacts;
    changes.push({ kind: 'removed', subject: 'member', name: `${e.name}.${m}`, detail: `the contract's member ${m} (${where === 'known' ? `before ${SENTINEL}` : where === 'tail' ? `after ${SENTINEL}` : 'the sentinel'}) is not in the document`,
      known: newer, requirements: newer ? [] : requirementsOf(...facts), because: newer ? `newer than the seed: tolerated, never required (${RELIES_ON.newerMember.ids.join(', ')}, MAY)` : becauseOf(...facts) });
  }
  for (const [i, m] of names.entries()) {
    if (e.members.includes(m)) {
      if (e.newerThanSeed.includes(m)) changes.push({ kind: 'added', subject: 'member', name: `${e.name}.${m}`, detail: `value ${got.members[i]!.value}: newer than the seed`,
        known: true, requirements: [], because: `documented: tolerated, never required (${RELIES_ON.newerMember.ids.join(', ')}, MAY)` });
      continue;
    }
    const where = side(i, docSentinel);
    changes.push({ kind: 'added', subject: 'member', name: `${e.name}.${m}`, detail: `value ${got.members[i]!.value}, ${where === 'known' && docSentinel >= 0 ? `before ${SENTINEL}` : where === 'tail' ? `after ${SENTINEL}` : 'in a non-evolvable enum'}: not in the contract`,
      known: false, requirements: where === 'known' && docSentinel >= 0 ? requirementsOf('sentinel') : [],
      because: where === 'known' && docSentinel >= 0 ? `evolvable enums add members only after ${SENTINEL} (GRAPH-FACTS §4); ${RELIES_ON.sentinel.because}` : 'tolerated, never required: no requirement sends it' });
  }
  // Order: the members both declare, in the contract's order and in the document's.
  const common = e.members.filter((m) => names.includes(m));
  const docOrder = names.filter((m) => e.members.includes(m));
  const moved = common.filter((m, i) => docOrder[i] !== m);
  if (moved.length) {
    const sideChanged = common.filter((m) => m !== SENTINEL && side(e.members.indexOf(m), e.sentinelIndex) !== side(names.indexOf(m), docSentinel));
    const sentinelMoved = e.sentinelIndex >= 0 && docSentinel >= 0 && sideChanged.length > 0;
    const toTail = sideChanged.filter((m) => side(e.members.indexOf(m), e.sentinelIndex) === 'known');
    const toKnown = sideChanged.filter((m) => side(e.members.indexOf(m), e.sentinelIndex) === 'tail');
    const facts: Fact[] = [...(toTail.length ? memberFacts : []), ...(toKnown.length ? ['tailMember' as const] : []), ...(sentinelMoved ? ['sentinel' as const] : [])];
    const shown = (list: string[]) => `${list.slice(0, 6).join(', ')}${list.length > 6 ? `, … (${list.length})` : ''}`;
    changes.push({ kind: 'reordered', subject: 'enum', name: e.name,
      detail: sentinelMoved
        ? `${SENTINEL} moved: ${toTail.length ? `now after it: ${shown(toTail)}` : ''}${toTail.length && toKnown.length ? '; ' : ''}${toKnown.length ? `now before it: ${shown(toKnown)}` : ''}`
        : `members out of the contract's order: ${shown(moved)} (each stays on its side of ${SENTINEL})`,
      known: false, requirements: requirementsOf(...facts),
      because: facts.length ? becauseOf(...facts) : 'no current requirement judges member order or numeric values; a client that sends integers (GRAPH-FACTS §3) would mean other members' });
  }
}

function compareNavigation(model: CsdlModel, changes: DriftChange[], notes: string[]): void {
  const container = lookup(model.entityTypes, model, CONTAINER);
  if (!container) { notes.push(`the document has no EntityType ${CONTAINER}: the ${NAVIGATION} navigation property was not compared`); return; }
  const nav = container.navigation.find((n) => n.name === NAVIGATION);
  const name = `${CONTAINER}.${NAVIGATION}`;
  const expected = `Collection(${NAMESPACE}.${ENTITY})`;
  if (!nav) {
    changes.push({ kind: 'removed', subject: 'navigation', name, detail: `${CONTAINER} has no navigation property ${NAVIGATION}: the collection the suite addresses is not declared`,
      known: false, requirements: requirementsOf('collection'), because: becauseOf('collection') });
    return;
  }
  if (qualify(nav.type, model) !== expected) changes.push({ kind: 'retyped', subject: 'navigation', name, detail: `type ${qualify(nav.type, model)} in the document, ${expected} in the contract`,
    known: false, requirements: requirementsOf('collection'), because: becauseOf('collection') });
  if (!nav.containsTarget) changes.push({ kind: 'retyped', subject: 'navigation', name, detail: 'ContainsTarget is not true in the document: the records live in an entity set of their own',
    known: false, requirements: requirementsOf('containment'), because: becauseOf('containment') });
}

/** Reads a CSDL document from a file or an http(s) URL; any failure is one line (exit 2). */
export async function readCsdlSource(source: string, timeoutMs = 15_000, flag = '--csdl', accept = 'application/xml'): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    let url: URL;
    try { url = new URL(source); } catch { throw new ConfigError(`drift: ${flag} ${source} is not a URL`); }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`drift: ${flag} ${source}: only http and https URLs are read`);
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new ConfigError(`drift: ${source} does not answer: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new ConfigError(`drift: ${source} answered ${res.status}${res.status === 401 || res.status === 403 ? ' (Graph serves $metadata without a token; this target wants one)' : ''}`);
    return text;
  }
  try {
    return readFileSync(source, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ConfigError(`drift: cannot read ${source}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a folder' : err.code ?? err.message}`);
  }
}

/** The document as a model, or one line saying why it is not CSDL. */
export function parseCsdlSource(xml: string, source: string): CsdlModel {
  try {
    return parseCsdl(xml);
  } catch (e) {
    throw new ConfigError(`drift: ${source} is not a CSDL document: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function driftReport(model: CsdlModel, source: string, contract: Contract = suiteContract()): DriftReport {
  const { changes, notes } = compareContract(model, contract);
  return assembleReport(changes, notes, { csdl: source });
}

/** One report of what a drift run compared: the CSDL's changes and the permissions data's, ordered, with the MUSTs they touch. */
export function assembleReport(changes: DriftChange[], notes: string[], sources: { csdl?: string; permissions?: string[] }): DriftReport {
  const source = [sources.csdl, ...(sources.permissions ?? [])].filter(Boolean).join(' and ');
  const order = (c: DriftChange) => (c.known ? 2 : c.requirements.length ? 0 : 1);
  changes.sort((a, b) => order(a) - order(b));
  const mustTouched = [...new Set(changes.filter((c) => !c.known).flatMap((c) => c.requirements.filter((r) => r.level === 'MUST').map((r) => r.id)))];
  return { source, sources, comparedAt: new Date().toISOString(), entity: `${NAMESPACE}.${ENTITY}`, changes, notes, mustTouched, exitCode: mustTouched.length ? 1 : 0 };
}

const KIND_LABEL: Record<DriftKind, string> = { added: 'ADDED', removed: 'REMOVED', retyped: 'RETYPED', reordered: 'REORDERED' };
const reqList = (c: DriftChange) => c.requirements.map((r) => `${r.id} (${r.level}${r.tentative ? ', tentative' : ''})`).join(', ');

/** The groups a report prints, in order: touching a requirement, touching none, known. */
export function driftGroups(r: DriftReport): { title: string; changes: DriftChange[] }[] {
  return [
    { title: 'Changes that would make a current requirement wrong', changes: r.changes.filter((c) => !c.known && c.requirements.length) },
    { title: 'Changes no requirement depends on (informational)', changes: r.changes.filter((c) => !c.known && !c.requirements.length) },
    { title: 'Known differences (documented: newer than the seed, tolerated, never required)', changes: r.changes.filter((c) => c.known) },
  ].filter((g) => g.changes.length);
}

export function driftSummary(r: DriftReport): string {
  const drift = r.changes.filter((c) => !c.known);
  const touching = drift.filter((c) => c.requirements.length).length;
  const known = r.changes.length - drift.length;
  return `drift: ${drift.length} change(s), ${touching} touching a requirement${r.mustTouched.length ? ` (MUST: ${r.mustTouched.join(', ')})` : ' (none at MUST)'}; ${known} known difference(s)`;
}

/** What was compared with what, in one line. */
function comparedLine(r: DriftReport): string {
  const csdl = r.sources ? r.sources.csdl : r.source;
  return [csdl ? `${csdl} against the suite's contract (schemas/entity.ts, schemas/enums.ts), entity ${r.entity}` : '',
    r.sources?.permissions?.length ? `${r.sources.permissions.join(' and ')} against the permissions data the suite was checked with (${PERMISSIONS_BASELINE}) and schemas/permissions.json` : '']
    .filter(Boolean).join('; ');
}

export function renderDriftText(r: DriftReport): string {
  const lines = [`drift: ${comparedLine(r)}`];
  for (const g of driftGroups(r)) {
    lines.push('', `${g.title}:`);
    for (const c of g.changes) {
      lines.push(`  ${c.known ? 'known ' : ''}${KIND_LABEL[c.kind].padEnd(9)} ${c.subject} ${c.name}: ${c.detail}`);
      if (c.requirements.length) lines.push(`            would make wrong: ${reqList(c)}`, `            because ${c.because}`);
      else lines.push(`            ${c.because}`);
    }
  }
  if (!r.changes.length) lines.push('', 'no differences: what was compared says what the suite holds, exactly');
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push('', driftSummary(r), r.exitCode ? 'exit 1: a change touches a MUST requirement; the suite would judge this target against a contract it no longer has' : 'exit 0: nothing touches a MUST requirement');
  return lines.join('\n') + '\n';
}

const md = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderDriftMarkdown(r: DriftReport): string {
  const lines = ['# Contract drift', '', `${md(comparedLine(r))}, compared ${r.comparedAt}.`, '',
    `**${md(driftSummary(r))}**`, ''];
  for (const g of driftGroups(r)) {
    lines.push(`## ${g.title}`, '', '| Change | What | Detail | Would make wrong | Why |', '|---|---|---|---|---|');
    for (const c of g.changes) lines.push(`| ${c.kind} | ${c.subject} \`${md(c.name)}\` | ${md(c.detail)} | ${md(reqList(c) || '—')} | ${md(c.because)} |`);
    lines.push('');
  }
  if (r.notes.length) lines.push('## Notes', '', ...r.notes.map((n) => `- ${md(n)}`), '');
  return lines.join('\n');
}

const PERMISSIONS_BASELINE = 'fixtures/permissions/remoteActionAudits.permissions.json';

/** The permissions documents (files or URLs, read as one) against the checked-in slice. */
async function permissionChanges(sources: string[], timeoutMs?: number): Promise<DriftChange[]> {
  const { asPermissionsDocument, loadSlice, mergeDocuments } = await import('./permissions');
  const { comparePermissions } = await import('./permission-drift');
  const docs = [];
  for (const source of sources) {
    const text = await readCsdlSource(source, timeoutMs, '--permissions', 'application/json');
    let data: unknown;
    try { data = JSON.parse(text); } catch (e) { throw new ConfigError(`drift: ${source} is not JSON: ${(e as Error).message.split('\n')[0]}`); }
    docs.push(asPermissionsDocument(data, source));
  }
  return comparePermissions(loadSlice(), mergeDocuments(docs));
}

/** Reads, compares, prints and writes drift.json and drift.md into `reportDir`; returns the exit code. */
export async function runDrift(sources: { csdl?: string; permissions?: string[] }, reportDir: string, timeoutMs?: number): Promise<number> {
  const csdl = sources.csdl ? compareContract(parseCsdlSource(await readCsdlSource(sources.csdl, timeoutMs), sources.csdl)) : { changes: [], notes: [] };
  const permissions = sources.permissions?.length ? await permissionChanges(sources.permissions, timeoutMs) : [];
  const report = assembleReport([...csdl.changes, ...permissions], csdl.notes, sources);
  process.stdout.write(renderDriftText(report));
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(join(reportDir, 'drift.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(reportDir, 'drift.md'), renderDriftMarkdown(report));
  const summary = setting('GITHUB_STEP_SUMMARY');
  if (summary) writeFileSync(summary, renderDriftMarkdown(report), { flag: 'a' });
  process.stdout.write(`drift.json and drift.md written to ${reportDir}\n`);
  return report.exitCode;
}

/** drift.json of a report folder, when a drift run left one there (the conformance page shows it). */
export function readDriftReport(dir: string): DriftReport | undefined {
  const file = join(dir, 'drift.json');
  if (!existsSync(file)) return undefined;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as DriftReport;
    return Array.isArray(r.changes) && typeof r.source === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}
