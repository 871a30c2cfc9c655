// Checks of a target's $metadata against the contract, apart from src/checks/checks.ts so that only the tests that read
// $metadata load the XML parser.
import { CheckFailure } from './failure';
import type { Exchange } from '../transport/http';
import { NEWER_PROPERTIES, SEED_PROPERTIES } from '../../schemas/entity';
import { ACTION_STATE, REMOTE_ACTION_SEED, SENTINEL } from '../../schemas/enums';
import { allProperties, edmTypeOf, findEntityType, findEnumType, GRAPH_ALIAS, GRAPH_NAMESPACE, nullableOf, parseCsdl, type CsdlModel } from '../metadata/csdl';

// The target's own description against the contract (GRAPH-FACTS §2, §3, §11).
const ENTITY_TYPE = `${GRAPH_NAMESPACE}.remoteActionAudit`;
const qualified = (type: string) => (type.startsWith(`${GRAPH_ALIAS}.`) ? `${GRAPH_NAMESPACE}${type.slice(GRAPH_ALIAS.length)}` : type);
const describeProperty = (type: string, nullable: boolean) => `${type}${nullable ? '' : ', not nullable'}`;

/** The answer to GET $metadata is CSDL XML labelled application/xml; returns the document read. */
export function isCsdl(req: string, ex: Exchange): CsdlModel {
  const type = ex.headers['content-type'] ?? '';
  if (type.split(';')[0]!.trim().toLowerCase() !== 'application/xml') {
    throw new CheckFailure(req, '$metadata is not labelled application/xml', { expected: 'Content-Type: application/xml[;…]', received: type || '(no Content-Type)', exchange: ex });
  }
  try {
    return parseCsdl(ex.text);
  } catch (e) {
    throw new CheckFailure(req, '$metadata is not a CSDL document', { expected: 'CSDL XML: edmx:Edmx, edmx:DataServices, a Schema of microsoft.graph', received: (e as Error).message, exchange: ex });
  }
}

/**
 * The document declares microsoft.graph.remoteActionAudit with the key id and each seed property with the contract's
 * EDM type and nullability; a newer property (bulkDeviceActionId, deviceActionCategory) may be absent, and is judged
 * the same way when present. Other properties are tolerated.
 */
export function declaresEntity(req: string, ex: Exchange, model: CsdlModel): void {
  const entity = findEntityType(model, ENTITY_TYPE);
  if (!entity) throw new CheckFailure(req, `$metadata declares no EntityType ${ENTITY_TYPE}`, { expected: `EntityType remoteActionAudit in the Schema of ${GRAPH_NAMESPACE}`, received: `EntityTypes of ${model.namespace}: ${[...model.entityTypes.keys()].slice(0, 20).join(', ') || '(none)'}`, exchange: ex });
  const declared = new Map(allProperties(model, entity).map((p) => [p.name, p]));
  const problems: string[] = [];
  if (entity.key.length !== 1 || entity.key[0] !== 'id') problems.push(`key (${entity.key.join(', ') || 'none'}) where (id) is due`);
  const newer = new Set<string>(NEWER_PROPERTIES);
  for (const name of ['id', ...SEED_PROPERTIES, ...NEWER_PROPERTIES]) {
    const type = name === 'id' ? 'Edm.String' : qualified(edmTypeOf(name));
    const nullable = name === 'id' ? false : nullableOf(name);
    const got = declared.get(name);
    if (!got) {
      if (!newer.has(name)) problems.push(`${name} is not declared (${describeProperty(type, nullable)} is due)`);
      continue;
    }
    const gotType = qualified(got.type);
    if (gotType !== type || got.nullable !== nullable) problems.push(`${name} is ${describeProperty(gotType, got.nullable)} where ${describeProperty(type, nullable)} is due`);
  }
  if (problems.length) {
    throw new CheckFailure(req, `$metadata describes remoteActionAudit otherwise than the contract: ${problems.join('; ')}`, {
      expected: `key id; ${['id', ...SEED_PROPERTIES].map((n) => `${n} ${n === 'id' ? 'Edm.String, not nullable' : describeProperty(qualified(edmTypeOf(n)), nullableOf(n))}`).join('; ')}`,
      received: [...declared.values()].map((p) => `${p.name} ${describeProperty(qualified(p.type), p.nullable)}`).join('; '),
      exchange: ex,
    });
  }
}

/**
 * Where an enum's members stray from the seed's list: missing, out of order, or (evolvable enums) on the wrong side of
 * the sentinel: only the seed's known members before it; its tail and any newer member after it.
 */
function enumProblems(members: readonly string[], seed: readonly string[]): string[] {
  const problems: string[] = [];
  const missing = seed.filter((m) => !members.includes(m));
  if (missing.length) problems.push(`missing ${missing.join(', ')}`);
  const order = members.filter((m) => seed.includes(m) && m !== SENTINEL);
  const expected = seed.filter((m) => members.includes(m) && m !== SENTINEL);
  const first = order.findIndex((m, i) => m !== expected[i]);
  if (first >= 0) problems.push(`out of the seed's order: ${order.slice(first, first + 4).join(', ')} where ${expected.slice(first, first + 4).join(', ')} are due`);
  const sentinel = members.indexOf(SENTINEL);
  if (seed.includes(SENTINEL) && sentinel >= 0) {
    const known = seed.slice(0, seed.indexOf(SENTINEL));
    const before = members.slice(0, sentinel).filter((m) => !known.includes(m));
    const after = members.slice(sentinel + 1).filter((m) => known.includes(m));
    const some = (l: string[]) => `${l.slice(0, 4).join(', ')}${l.length > 4 ? ` and ${l.length - 4} more` : ''}`;
    if (before.length) problems.push(`${SENTINEL} is member ${sentinel + 1}, after ${some(before)}: only the seed's ${known.length} known members come before it, newer members after it`);
    if (after.length) problems.push(`${some(after)} (known members) after ${SENTINEL}`);
  }
  return problems;
}

/**
 * remoteAction and actionState list the seed's members in the seed's order (remoteAction's unknownFutureValue
 * after its 31 known members), and any member newer than the seed only after unknownFutureValue.
 */
export function declaresEnums(req: string, ex: Exchange, model: CsdlModel): void {
  const problems: string[] = [];
  const received: string[] = [];
  for (const [name, seed] of [['remoteAction', REMOTE_ACTION_SEED], ['actionState', ACTION_STATE]] as const) {
    const e = findEnumType(model, `${GRAPH_NAMESPACE}.${name}`);
    if (!e) { problems.push(`no EnumType ${GRAPH_NAMESPACE}.${name}`); received.push(`${name}: (not declared)`); continue; }
    const members = e.members.map((m) => m.name);
    received.push(`${name}: ${members.join(', ')}`);
    problems.push(...enumProblems(members, seed).map((p) => `${name}: ${p}`));
  }
  if (problems.length) {
    throw new CheckFailure(req, `$metadata's enums differ from the seed's: ${problems.join('; ')}`, {
      expected: `remoteAction: ${REMOTE_ACTION_SEED.join(', ')} (newer members after ${SENTINEL}); actionState: ${ACTION_STATE.join(', ')}`,
      received: received.join(' | '),
      exchange: ex,
    });
  }
}

/** deviceManagement's remoteActionAudits is Collection(microsoft.graph.remoteActionAudit) with ContainsTarget. */
export function declaresNavigation(req: string, ex: Exchange, model: CsdlModel): void {
  const expected = `remoteActionAudits: Collection(${ENTITY_TYPE}), ContainsTarget="true"`;
  const container = findEntityType(model, `${GRAPH_NAMESPACE}.deviceManagement`);
  if (!container) throw new CheckFailure(req, `$metadata declares no EntityType ${GRAPH_NAMESPACE}.deviceManagement`, { expected, received: '(no deviceManagement)', exchange: ex });
  const nav = container.navigation.find((n) => n.name === 'remoteActionAudits');
  const got = nav ? `remoteActionAudits: ${qualified(nav.type)}${nav.containsTarget ? ', ContainsTarget="true"' : ', not contained'}` : `(none; navigation properties: ${container.navigation.map((n) => n.name).slice(0, 20).join(', ') || 'none'})`;
  if (!nav || qualified(nav.type) !== `Collection(${ENTITY_TYPE})` || !nav.containsTarget) {
    throw new CheckFailure(req, 'deviceManagement does not declare remoteActionAudits as a contained collection of remoteActionAudit', { expected, received: got, exchange: ex });
  }
}
