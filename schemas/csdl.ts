// The contract as CSDL: what the reference server serves at $metadata, generated from the schemas (entity
// properties, their EDM types and nullability, the enums in order). Reading a CSDL document is src/metadata/csdl.ts's.
import { entitySchema, NEWER_PROPERTIES } from './entity';
import { ENUM_PROPERTIES, ENUMS, REMOTE_ACTION_SEED } from './enums';

export interface CsdlProperty { name: string; type: string; nullable: boolean }
export interface CsdlNavigation { name: string; type: string; containsTarget: boolean }

export const EDMX_NS = 'http://docs.oasis-open.org/odata/ns/edmx';
export const EDM_NS = 'http://docs.oasis-open.org/odata/ns/edm';
/** Graph's namespace and the alias its documents use for it. */
export const GRAPH_NAMESPACE = 'microsoft.graph';
export const GRAPH_ALIAS = 'graph';
/** Graph's base type: every entity inherits its key `id` (GRAPH-FACTS §2), declared or not in the document. */
export const GRAPH_ENTITY = `${GRAPH_NAMESPACE}.entity`;

/** The contract's description before it is written: what contractCsdl's `edit` may change. */
export interface ContractDescription {
  /** remoteActionAudit's own properties (id is graph.entity's), types written with the `graph.` alias. */
  properties: CsdlProperty[];
  /** Each enum a property uses, its members in document order. */
  enums: { name: string; members: string[] }[];
  /** deviceManagement's navigation property to the collection. */
  navigation: CsdlNavigation;
}

export interface ContractCsdlOptions {
  /** `today` (default): Graph as it is, with the properties and members newer than the seed; `seed`: the seed's only. */
  contract?: 'today' | 'seed';
  /** Changes the description before it is written (the reference server's defect modes). */
  edit?: (d: ContractDescription) => void;
}

type JsonProperty = { type?: string | readonly string[]; format?: string };

/** The EDM type of a property of the entity schema: its enum, Edm.DateTimeOffset for a date-time, else Edm.String. */
export function edmTypeOf(name: string): string {
  const s = (entitySchema.properties as Record<string, JsonProperty>)[name];
  if (!s) throw new Error(`schemas/entity.ts declares no property ${name}`);
  const e = (ENUM_PROPERTIES as Record<string, { name: string }>)[name];
  if (e) return `${GRAPH_ALIAS}.${e.name}`;
  if (s.format === 'date-time') return 'Edm.DateTimeOffset';
  if (([] as string[]).concat(s.type ?? []).includes('string')) return 'Edm.String';
  throw new Error(`schemas/entity.ts: no EDM type for ${name}`);
}

/** Whether the entity schema lets a property be null. */
export function nullableOf(name: string): boolean {
  const s = (entitySchema.properties as Record<string, JsonProperty>)[name];
  return ([] as string[]).concat(s?.type ?? []).includes('null');
}

/** The description the schemas give: the entity schema's properties, the enums in order. */
export function contractDescription(contract: 'today' | 'seed' = 'today'): ContractDescription {
  const newer = new Set<string>(NEWER_PROPERTIES);
  const names = Object.keys(entitySchema.properties).filter((n) => !n.startsWith('@') && n !== 'id')
    .filter((n) => contract === 'today' || !newer.has(n))
    .sort();
  const properties = names.map((name) => ({ name, type: edmTypeOf(name), nullable: nullableOf(name) }));
  const used = new Set(properties.map((p) => p.type));
  const enums = Object.values(ENUMS)
    .filter((e) => used.has(`${GRAPH_ALIAS}.${e.name}`))
    .map((e) => ({ name: e.name, members: contract === 'seed' && e.name === ENUMS.remoteAction.name ? [...REMOTE_ACTION_SEED] : [...e.members] }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { properties, enums, navigation: { name: 'remoteActionAudits', type: `Collection(${GRAPH_ALIAS}.remoteActionAudit)`, containsTarget: true } };
}

function escapeAttr(v: string): string {
  return v.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

function element(name: string, attrs: Record<string, string | undefined>, body?: string[], indent = ''): string {
  const a = Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${escapeAttr(v!)}"`).join('');
  if (!body) return `${indent}<${name}${a} />`;
  return [`${indent}<${name}${a}>`, ...body, `${indent}</${name}>`].join('\n');
}

/**
 * The CSDL the reference server serves at $metadata, generated from schemas/: graph.entity with its key id,
 * deviceManagement with its remoteActionAudits collection, remoteActionAudit with each property's EDM type and
 * nullability, and its enums with their members in order (values by position, as Graph's follow document order).
 */
export function contractCsdl(opts: ContractCsdlOptions = {}): string {
  const d = contractDescription(opts.contract);
  opts.edit?.(d);
  const at = (n: number) => '  '.repeat(n);
  const enums = d.enums.map((e) => element('EnumType', { Name: e.name }, e.members.map((m, v) => element('Member', { Name: m, Value: String(v) }, undefined, at(4))), at(3)));
  const prop = (p: CsdlProperty) => element('Property', { Name: p.name, Type: p.type, Nullable: p.nullable ? undefined : 'false' }, undefined, at(4));
  const entity = element('EntityType', { Name: 'entity', Abstract: 'true' }, [
    element('Key', {}, [element('PropertyRef', { Name: 'id' }, undefined, at(5))], at(4)),
    prop({ name: 'id', type: 'Edm.String', nullable: false }),
  ], at(3));
  const container = element('EntityType', { Name: 'deviceManagement', BaseType: `${GRAPH_ALIAS}.entity` }, [
    element('NavigationProperty', { Name: d.navigation.name, Type: d.navigation.type, ContainsTarget: d.navigation.containsTarget ? 'true' : undefined }, undefined, at(4)),
  ], at(3));
  const audit = element('EntityType', { Name: 'remoteActionAudit', BaseType: `${GRAPH_ALIAS}.entity` }, d.properties.map(prop), at(3));
  const entityContainer = element('EntityContainer', { Name: 'GraphService' }, [
    element('Singleton', { Name: 'deviceManagement', Type: `${GRAPH_ALIAS}.deviceManagement` }, undefined, at(4)),
  ], at(3));
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    element('edmx:Edmx', { Version: '4.0', 'xmlns:edmx': EDMX_NS }, [
      element('edmx:DataServices', {}, [
        element('Schema', { Namespace: GRAPH_NAMESPACE, Alias: GRAPH_ALIAS, xmlns: EDM_NS }, [...enums, entity, container, audit, entityContainer], at(2)),
      ], at(1)),
    ]),
    '',
  ].join('\n');
}
