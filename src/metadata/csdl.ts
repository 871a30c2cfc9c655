// OData CSDL XML (a service's $metadata) read into the few facts the suite compares. XML is read by
// fast-xml-parser and namespaces are resolved here, never by pattern. The contract written as CSDL (the reference
// server's $metadata) is schemas/csdl.ts's; it is re-exported here for the suite's readers.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { EDM_NS, EDMX_NS, GRAPH_ENTITY, GRAPH_NAMESPACE, type CsdlNavigation, type CsdlProperty } from '../../schemas/csdl';

export * from '../../schemas/csdl';

export interface CsdlEntityType { name: string; baseType?: string; key: string[]; properties: CsdlProperty[]; navigation: CsdlNavigation[] }
export interface CsdlEnumType { name: string; isFlags: boolean; members: { name: string; value: number }[] }
export interface CsdlModel { namespace: string; alias?: string; entityTypes: Map<string, CsdlEntityType>; enumTypes: Map<string, CsdlEnumType> }

export interface ParseOptions {
  /** The Schema whose types the model keys by simple name; default microsoft.graph when present, else the first. */
  namespace?: string;
}

/** An element as fast-xml-parser gives it: attributes under `@_`, every child element in an array. */
type XmlNode = { [name: string]: unknown };
type Scope = ReadonlyMap<string, string>;

const ATTR = '@_';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  parseAttributeValue: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Every element is an array, so one child and many read alike.
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

function attr(node: XmlNode, name: string): string | undefined {
  const v = node[ATTR + name];
  return typeof v === 'string' ? v : undefined;
}

/** The prefixes an element declares, over those of its ancestors. */
function scopeOf(node: XmlNode, parent: Scope): Scope {
  let scope: Map<string, string> | undefined;
  for (const [k, v] of Object.entries(node)) {
    if (!k.startsWith(ATTR) || typeof v !== 'string') continue;
    const name = k.slice(ATTR.length);
    const prefix = name === 'xmlns' ? '' : name.startsWith('xmlns:') ? name.slice('xmlns:'.length) : undefined;
    if (prefix === undefined) continue;
    scope ??= new Map(parent);
    scope.set(prefix, v);
  }
  return scope ?? parent;
}

/** `edmx:Edmx` as its namespace and local name, under the prefixes in scope. */
function resolveName(qname: string, scope: Scope): { ns: string | undefined; local: string } {
  const colon = qname.indexOf(':');
  return colon < 0 ? { ns: scope.get(''), local: qname } : { ns: scope.get(qname.slice(0, colon)), local: qname.slice(colon + 1) };
}

interface Element { node: XmlNode; scope: Scope; name: string }

function elementsOf(node: XmlNode, scope: Scope): Element[] {
  const out: Element[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith(ATTR) || k.startsWith('#') || k.startsWith('?') || !Array.isArray(v)) continue;
    for (const child of v) {
      // An empty element arrives as '' (no attributes, no children).
      const n: XmlNode = typeof child === 'object' && child !== null ? (child as XmlNode) : {};
      out.push({ node: n, scope: scopeOf(n, scope), name: k });
    }
  }
  return out;
}

/** The children of `parent` named `local` in namespace `ns`, in document order within that name. */
function children(parent: Element, ns: string, local: string): Element[] {
  return elementsOf(parent.node, parent.scope).filter((e) => {
    const r = resolveName(e.name, e.scope);
    return r.ns === ns && r.local === local;
  });
}

function required(e: Element, name: string, where: string): string {
  const v = attr(e.node, name);
  if (v === undefined || v === '') throw new Error(`not CSDL: ${where} has no ${name} attribute`);
  return v;
}

function bool(e: Element, name: string, fallback: boolean, where: string): boolean {
  const v = attr(e.node, name);
  if (v === undefined) return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`not CSDL: ${where} has ${name}="${v}" (true or false expected)`);
}

/** Replaces an alias qualifier with its namespace, inside `Collection(…)` too; Edm types stay as they are. */
function normalise(type: string, aliases: ReadonlyMap<string, string>): string {
  if (type.startsWith('Collection(') && type.endsWith(')')) return `Collection(${normalise(type.slice('Collection('.length, -1), aliases)})`;
  const dot = type.lastIndexOf('.');
  if (dot < 0) return type;
  const qualifier = type.slice(0, dot);
  const ns = aliases.get(qualifier);
  return ns ? `${ns}${type.slice(dot)}` : type;
}

interface RawEntity { entity: CsdlEntityType; qualified: string }

/**
 * Reads a CSDL XML document (OData 4.0/4.01: edmx:Edmx → edmx:DataServices → Schema). Types are returned
 * namespace-qualified (`graph.remoteAction` → `microsoft.graph.remoteAction`, `Collection(…)` alike). The maps key
 * the chosen Schema's types by simple name and other Schemas' by qualified name. A type that declares no Key takes
 * its base type's, followed through the document, and `microsoft.graph.entity`'s is `id` when the document leaves
 * that type out. Throws an Error naming the reason on XML that is not well-formed or not CSDL.
 */
export function parseCsdl(xml: string, opts: ParseOptions = {}): CsdlModel {
  const root = edmxRoot(xml);
  const { declared, aliases } = declaredSchemas(root);
  const wanted = opts.namespace ?? GRAPH_NAMESPACE;
  const primary = declared.find((d) => d.namespace === wanted) ?? (opts.namespace ? undefined : declared[0]);
  if (!primary) throw new Error(`not the expected CSDL: no Schema has Namespace ${wanted} (it declares ${declared.map((d) => d.namespace).join(', ')})`);

  const byQualified = new Map<string, RawEntity>();
  const entityTypes = new Map<string, CsdlEntityType>();
  const enumTypes = new Map<string, CsdlEnumType>();
  for (const { s, namespace } of declared) {
    const keyOf = (name: string) => (namespace === primary.namespace ? name : `${namespace}.${name}`);
    for (const e of children(s, EDM_NS, 'EntityType')) {
      const entity = readEntityType(e, namespace, aliases);
      byQualified.set(`${namespace}.${entity.name}`, { entity, qualified: `${namespace}.${entity.name}` });
      entityTypes.set(keyOf(entity.name), entity);
    }
    for (const e of children(s, EDM_NS, 'EnumType')) {
      const en = readEnumType(e, namespace);
      enumTypes.set(keyOf(en.name), en);
    }
  }
  inheritKeys(byQualified);
  return { namespace: primary.namespace, ...(primary.alias ? { alias: primary.alias } : {}), entityTypes, enumTypes };
}

/** The document's edmx:Edmx element, or an Error saying why the text is not well-formed CSDL. */
function edmxRoot(xml: string): Element {
  if (typeof xml !== 'string' || xml.trim() === '') throw new Error('not CSDL: the document is empty');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  const doc = parser.parse(xml) as XmlNode;
  const top = elementsOf(doc, new Map());
  if (top.length !== 1) throw new Error(`not CSDL: the document has ${top.length} root elements`);
  const root = top[0]!;
  const rootName = resolveName(root.name, root.scope);
  if (rootName.ns !== EDMX_NS || rootName.local !== 'Edmx') {
    throw new Error(`not CSDL: the root element is <${root.name}>${rootName.ns ? ` in namespace ${rootName.ns}` : ''}, not Edmx in ${EDMX_NS}`);
  }
  return root;
}

/** The Schemas of the one edmx:DataServices, and the aliases that hold across the document (its Schemas' and its includes'). */
function declaredSchemas(root: Element): { declared: { s: Element; namespace: string; alias: string | undefined }[]; aliases: Map<string, string> } {
  const aliases = new Map<string, string>();
  for (const ref of children(root, EDMX_NS, 'Reference')) {
    for (const inc of children(ref, EDMX_NS, 'Include')) {
      const alias = attr(inc.node, 'Alias');
      if (alias) aliases.set(alias, required(inc, 'Namespace', 'an edmx:Include'));
    }
  }
  const services = children(root, EDMX_NS, 'DataServices');
  if (services.length !== 1) throw new Error(`not CSDL: edmx:Edmx has ${services.length} edmx:DataServices elements (exactly one expected)`);
  const schemas = children(services[0]!, EDM_NS, 'Schema');
  if (!schemas.length) throw new Error(`not CSDL: edmx:DataServices declares no Schema in ${EDM_NS}`);
  const declared = schemas.map((s) => ({ s, namespace: required(s, 'Namespace', 'a Schema'), alias: attr(s.node, 'Alias') }));
  for (const d of declared) if (d.alias) aliases.set(d.alias, d.namespace);
  return { declared, aliases };
}

function readEntityType(e: Element, namespace: string, aliases: Map<string, string>): CsdlEntityType {
  const name = required(e, 'Name', `an EntityType of ${namespace}`);
  const where = `EntityType ${name}`;
  const base = attr(e.node, 'BaseType');
  return {
    name,
    ...(base ? { baseType: normalise(base, aliases) } : {}),
    key: children(e, EDM_NS, 'Key').flatMap((k) => children(k, EDM_NS, 'PropertyRef').map((r) => required(r, 'Name', `a PropertyRef of ${where}`))),
    properties: children(e, EDM_NS, 'Property').map((p) => {
      const pname = required(p, 'Name', `a Property of ${where}`);
      return { name: pname, type: normalise(required(p, 'Type', `${where}.${pname}`), aliases), nullable: bool(p, 'Nullable', true, `${where}.${pname}`) };
    }),
    navigation: children(e, EDM_NS, 'NavigationProperty').map((n) => {
      const nname = required(n, 'Name', `a NavigationProperty of ${where}`);
      return { name: nname, type: normalise(required(n, 'Type', `${where}.${nname}`), aliases), containsTarget: bool(n, 'ContainsTarget', false, `${where}.${nname}`) };
    }),
  };
}

/** An EnumType; a Member without Value follows the one before it, as CSDL says. */
function readEnumType(e: Element, namespace: string): CsdlEnumType {
  const name = required(e, 'Name', `an EnumType of ${namespace}`);
  let next = 0;
  const members = children(e, EDM_NS, 'Member').map((m) => {
    const mname = required(m, 'Name', `a Member of EnumType ${name}`);
    const raw = attr(m.node, 'Value');
    const value = raw === undefined ? next : Number(raw);
    if (!Number.isSafeInteger(value)) throw new Error(`not CSDL: member ${name}.${mname} has Value="${raw}" (an integer expected)`);
    next = value + 1;
    return { name: mname, value };
  });
  return { name, isFlags: bool(e, 'IsFlags', false, `EnumType ${name}`), members };
}

/** Keys through base types: remoteActionAudit declares none; graph.entity's is id, also when the document leaves it out. */
function inheritKeys(byQualified: Map<string, RawEntity>): void {
  const resolveKey = (t: CsdlEntityType, seen: Set<CsdlEntityType>): string[] => {
    if (t.key.length || !t.baseType || seen.has(t)) return t.key;
    seen.add(t);
    const base = byQualified.get(t.baseType);
    if (base) return resolveKey(base.entity, seen);
    return t.baseType === GRAPH_ENTITY ? ['id'] : [];
  };
  for (const { entity } of byQualified.values()) if (!entity.key.length) entity.key = [...resolveKey(entity, new Set())];
}

/** A type name as the model writes it: `graph.x`, `x` (of the model's namespace) or `microsoft.graph.x` → `microsoft.graph.x`. */
export function qualifiedName(model: CsdlModel, name: string): string {
  if (name.startsWith('Collection(') && name.endsWith(')')) return `Collection(${qualifiedName(model, name.slice('Collection('.length, -1))})`;
  if (!name.includes('.')) return `${model.namespace}.${name}`;
  if (model.alias && name.startsWith(`${model.alias}.`)) return `${model.namespace}${name.slice(model.alias.length)}`;
  return name;
}

function find<T>(map: Map<string, T>, model: CsdlModel, name: string): T | undefined {
  const q = qualifiedName(model, name);
  const dot = q.lastIndexOf('.');
  return q.slice(0, dot) === model.namespace ? map.get(q.slice(dot + 1)) : map.get(q);
}

/** An entity type by simple, aliased or qualified name. */
export function findEntityType(model: CsdlModel, name: string): CsdlEntityType | undefined {
  return find(model.entityTypes, model, name);
}

/** An enum type by simple, aliased or qualified name. */
export function findEnumType(model: CsdlModel, name: string): CsdlEnumType | undefined {
  return find(model.enumTypes, model, name);
}

/**
 * The properties of an entity type with those of its base types (the nearest declaration wins), and `id` (Edm.String,
 * not nullable) when the chain ends at a graph.entity the document leaves out.
 */
export function allProperties(model: CsdlModel, entity: CsdlEntityType): CsdlProperty[] {
  const out = new Map<string, CsdlProperty>();
  const seen = new Set<CsdlEntityType>();
  for (let t: CsdlEntityType | undefined = entity; t && !seen.has(t); ) {
    seen.add(t);
    for (const p of t.properties) if (!out.has(p.name)) out.set(p.name, p);
    if (!t.baseType) break;
    const base = findEntityType(model, t.baseType);
    if (!base && t.baseType === GRAPH_ENTITY && !out.has('id')) out.set('id', { name: 'id', type: 'Edm.String', nullable: false });
    t = base;
  }
  return [...out.values()];
}
