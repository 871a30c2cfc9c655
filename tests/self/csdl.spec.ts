// src/metadata/csdl.ts: parseCsdl reads CSDL as OData writes it (prefixes and aliases of any name, Collection(...), keys
// inherited through base types) and refuses what is not CSDL; contractCsdl writes the contract exactly as
// schemas/ state it, and the reference server serves it at $metadata, each metadata defect caught by one check.
import { test, expect } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entitySchema, NEWER_PROPERTIES, SEED_PROPERTIES } from '../../schemas/entity';
import { ENUM_PROPERTIES, ENUMS, REMOTE_ACTION_SEED } from '../../schemas/enums';
import { ROOT } from '../../src/contract';
import * as check from '../../src/checks/checks-metadata';
import { checksFor, type Bound } from '../../src/checks/checks';
import { allProperties, contractCsdl, EDM_NS, EDMX_NS, findEntityType, findEnumType, parseCsdl, type CsdlModel } from '../../src/metadata/csdl';
import { isCheckFailure } from '../../src/checks/failure';
import type { Exchange } from '../../src/transport/http';
import type { ConformanceReport } from '../../src/core/report-types';
import { ReferenceServer } from '../../server/app';
import type { DefectName } from '../../server/defects';
import { runCli, startIndependentServer } from './support/independent-server';

const SLICE = readFileSync(join(ROOT, 'fixtures', 'csdl', 'beta-remoteActionAudit-slice.xml'), 'utf8');

/** A CSDL document around `schema` (the Schema's content), with the prefixes given. */
function doc(schema: string, o: { edmx?: string; schemaAttrs?: string; before?: string } = {}): string {
  const x = o.edmx ?? 'edmx';
  return `<?xml version="1.0" encoding="utf-8"?>
<${x}:Edmx Version="4.0" xmlns:${x}="${EDMX_NS}">${o.before ?? ''}
  <${x}:DataServices>
    <Schema ${o.schemaAttrs ?? `Namespace="microsoft.graph" Alias="graph" xmlns="${EDM_NS}"`}>${schema}</Schema>
  </${x}:DataServices>
</${x}:Edmx>`;
}

/** The property as the JSON Schema states it: EDM type (qualified) and nullability. */
function fromSchemas(name: string): { type: string; nullable: boolean } {
  const s = (entitySchema.properties as Record<string, { type?: string | readonly string[]; format?: string }>)[name]!;
  const types = ([] as string[]).concat(s.type ?? []);
  const e = (ENUM_PROPERTIES as Record<string, { name: string }>)[name];
  const type = e ? `microsoft.graph.${e.name}` : s.format === 'date-time' ? 'Edm.DateTimeOffset' : 'Edm.String';
  return { type, nullable: name !== 'id' && types.includes('null') };
}

const described = (m: CsdlModel) => {
  const entity = findEntityType(m, 'remoteActionAudit')!;
  return Object.fromEntries(allProperties(m, entity).map((p) => [p.name, { type: p.type, nullable: p.nullable }]));
};

/** A stand-in exchange for running the checks on a document. */
const exchangeOf = (text: string, contentType: string): Exchange => ({ request: { method: 'GET', url: 'http://127.0.0.1:9/beta/$metadata', headers: {} }, status: 200, headers: { 'content-type': contentType }, text, durationMs: 0, throttled: 0 });

/** The ids of the metadata checks that fail on `xml` served as `contentType`. */
function failing(xml: string, contentType = 'application/xml;charset=utf-8'): string[] {
  const ex = exchangeOf(xml, contentType);
  const failed: string[] = [];
  // Each check bound to its requirement, as the metadata tests call it (the `check` fixture's bind).
  const run = (id: string, f: (c: Bound<typeof check>) => void) => {
    try { f(checksFor(id).bind(check)); } catch (e) { if (!isCheckFailure(e as Error)) throw e; failed.push(id); }
  };
  let model: CsdlModel | undefined;
  run('RAA-META-SERVED', (c) => { model = c.isCsdl(ex); });
  if (!model) return failed;
  run('RAA-META-ENTITY', (c) => c.declaresEntity(ex, model!));
  run('RAA-META-ENUMS', (c) => c.declaresEnums(ex, model!));
  run('RAA-META-NAV', (c) => c.declaresNavigation(ex, model!));
  return failed;
}

test.describe('contractCsdl agrees with schemas/', () => {
  test("today's contract: every property of the entity schema with its type and nullability, the enums in order", () => {
    const m = parseCsdl(contractCsdl());
    const expected = Object.fromEntries(Object.keys(entitySchema.properties).filter((n) => !n.startsWith('@')).map((n) => [n, fromSchemas(n)]));
    expect(described(m)).toEqual(expected);
    expect(findEntityType(m, 'remoteActionAudit')!.key).toEqual(['id']);
    for (const e of Object.values(ENUMS)) expect(findEnumType(m, e.name)!.members.map((x) => x.name), e.name).toEqual([...e.members]);
    expect(findEntityType(m, 'deviceManagement')!.navigation).toEqual([{ name: 'remoteActionAudits', type: 'Collection(microsoft.graph.remoteActionAudit)', containsTarget: true }]);
  });

  test("the seed's contract: the seed's properties and remoteAction members only, no deviceActionCategory", () => {
    const m = parseCsdl(contractCsdl({ contract: 'seed' }));
    expect(Object.keys(described(m)).sort()).toEqual(['id', ...SEED_PROPERTIES].sort());
    for (const n of NEWER_PROPERTIES) expect(described(m)[n], n).toBeUndefined();
    expect(findEnumType(m, 'remoteAction')!.members.map((x) => x.name)).toEqual([...REMOTE_ACTION_SEED]);
    expect(findEnumType(m, 'actionState')!.members.map((x) => x.name)).toEqual([...ENUMS.actionState.members]);
    expect(findEnumType(m, 'deviceActionCategory')).toBeUndefined();
  });

  test('both contracts and the published slice pass every metadata check', () => {
    expect(failing(contractCsdl())).toEqual([]);
    expect(failing(contractCsdl({ contract: 'seed' }))).toEqual([]);
    expect(failing(SLICE)).toEqual([]);
  });

  test('the published slice and the contract describe the same properties (the slice leaves graph.entity out: id is inferred)', () => {
    expect(described(parseCsdl(SLICE))).toEqual(described(parseCsdl(contractCsdl())));
  });
});

test.describe('parseCsdl', () => {
  test("reads Microsoft's published slice: alias qualified, key through graph.entity, values as declared", () => {
    const m = parseCsdl(SLICE);
    expect(m.namespace).toBe('microsoft.graph');
    expect(m.alias).toBe('graph');
    const audit = m.entityTypes.get('remoteActionAudit')!;
    expect(audit.baseType).toBe('microsoft.graph.entity');
    expect(audit.key).toEqual(['id']);
    expect(audit.properties.find((p) => p.name === 'action')).toEqual({ name: 'action', type: 'microsoft.graph.remoteAction', nullable: false });
    expect(audit.properties.find((p) => p.name === 'userName')).toEqual({ name: 'userName', type: 'Edm.String', nullable: true });
    const ra = m.enumTypes.get('remoteAction')!;
    expect(ra.isFlags).toBe(false);
    expect(ra.members.find((x) => x.name === 'rotateLocalAdminPassword')!.value).toBe(32);
    expect(ra.members.find((x) => x.name === 'unknownFutureValue')!.value).toBe(33);
    expect(ra.members.at(-1)).toEqual({ name: 'cancelEnhancedLogCollection', value: 45 });
    expect(m.entityTypes.get('deviceManagement')!.navigation[0]).toEqual({ name: 'remoteActionAudits', type: 'Collection(microsoft.graph.remoteActionAudit)', containsTarget: true });
  });

  test('prefixes are resolved by namespace, not by name: any edmx prefix, EDM as a prefix, another alias', () => {
    const schema = `
      <e:EnumType Name="colour"><e:Member Name="red" /><e:Member Name="green" /><e:Member Name="blue" Value="7" /><e:Member Name="grey" /></e:EnumType>
      <e:EntityType Name="base" Abstract="true"><e:Key><e:PropertyRef Name="code" /></e:Key><e:Property Name="code" Type="Edm.Int32" Nullable="false" /></e:EntityType>
      <e:EntityType Name="middle" BaseType="g.base" />
      <e:EntityType Name="leaf" BaseType="g.middle">
        <e:Property Name="tint" Type="g.colour" />
        <e:Property Name="tags" Type="Collection(g.colour)" Nullable="false" />
        <e:NavigationProperty Name="parts" Type="Collection(g.leaf)" />
      </e:EntityType>`;
    const xml = `<?xml version="1.0"?>
<o:Edmx Version="4.01" xmlns:o="${EDMX_NS}"><o:DataServices>
  <e:Schema Namespace="microsoft.graph" Alias="g" xmlns:e="${EDM_NS}">${schema}</e:Schema>
</o:DataServices></o:Edmx>`;
    const m = parseCsdl(xml);
    expect(m.alias).toBe('g');
    const leaf = m.entityTypes.get('leaf')!;
    expect(leaf.baseType).toBe('microsoft.graph.middle');
    expect(leaf.key).toEqual(['code']);
    expect(leaf.properties).toEqual([
      { name: 'tint', type: 'microsoft.graph.colour', nullable: true },
      { name: 'tags', type: 'Collection(microsoft.graph.colour)', nullable: false },
    ]);
    expect(leaf.navigation).toEqual([{ name: 'parts', type: 'Collection(microsoft.graph.leaf)', containsTarget: false }]);
    expect(allProperties(m, leaf).map((p) => p.name)).toEqual(['tint', 'tags', 'code']);
    expect(m.enumTypes.get('colour')!.members).toEqual([{ name: 'red', value: 0 }, { name: 'green', value: 1 }, { name: 'blue', value: 7 }, { name: 'grey', value: 8 }]);
  });

  test('elements named like CSDL in another namespace are not CSDL', () => {
    const other = 'urn:not-edm';
    const m = parseCsdl(doc(`<EntityType Name="real" /><x:EntityType xmlns:x="${other}" Name="impostor" />`));
    expect([...m.entityTypes.keys()]).toEqual(['real']);
  });

  test("a key is taken from the base type; graph.entity's is id when the document leaves it out, another base's is unknown", () => {
    const m = parseCsdl(doc('<EntityType Name="a" BaseType="graph.entity" /><EntityType Name="b" BaseType="other.thing" /><EntityType Name="c" BaseType="microsoft.graph.a" />'));
    expect(m.entityTypes.get('a')!.key).toEqual(['id']);
    expect(m.entityTypes.get('b')!.key).toEqual([]);
    expect(m.entityTypes.get('c')!.key).toEqual(['id']);
  });

  test('several Schemas: the microsoft.graph one is keyed by simple names, the others by qualified names; aliases hold across them', () => {
    const xml = `<edmx:Edmx Version="4.0" xmlns:edmx="${EDMX_NS}">
  <edmx:Reference Uri="https://example.invalid/core.xml"><edmx:Include Namespace="Org.OData.Core.V1" Alias="Core" /></edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph.callRecords" Alias="callRecords" xmlns="${EDM_NS}">
      <EntityType Name="session" BaseType="graph.entity"><Property Name="kind" Type="callRecords.kind" /></EntityType>
      <EnumType Name="kind"><Member Name="a" /></EnumType>
    </Schema>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="${EDM_NS}">
      <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id" /></Key><Property Name="id" Type="Edm.String" Nullable="false" /></EntityType>
      <EntityType Name="call" BaseType="graph.entity"><NavigationProperty Name="sessions" Type="Collection(callRecords.session)" ContainsTarget="true" /></EntityType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
    const m = parseCsdl(xml);
    expect(m.namespace).toBe('microsoft.graph');
    expect([...m.entityTypes.keys()].sort()).toEqual(['call', 'entity', 'microsoft.graph.callRecords.session']);
    expect(m.entityTypes.get('microsoft.graph.callRecords.session')!.properties[0]!.type).toBe('microsoft.graph.callRecords.kind');
    expect(m.entityTypes.get('microsoft.graph.callRecords.session')!.key).toEqual(['id']);
    expect(m.entityTypes.get('call')!.navigation[0]!.type).toBe('Collection(microsoft.graph.callRecords.session)');
    expect(findEnumType(m, 'microsoft.graph.callRecords.kind')!.members).toEqual([{ name: 'a', value: 0 }]);
    expect(parseCsdl(xml, { namespace: 'microsoft.graph.callRecords' }).entityTypes.has('session')).toBe(true);
    expect(() => parseCsdl(xml, { namespace: 'contoso' })).toThrow(/no Schema has Namespace contoso/);
  });

  const notCsdl: [string, string, RegExp][] = [
    ['an empty document', '', /empty/],
    ['JSON', '{"value":[]}', /not well-formed XML/],
    ['an HTML page', '<!DOCTYPE html><html><body><p>Not found</p></body></html>', /not (well-formed XML|CSDL)/],
    ['unclosed elements', `<edmx:Edmx xmlns:edmx="${EDMX_NS}"><edmx:DataServices>`, /not well-formed XML/],
    ['mismatched tags', '<a><b></a>', /not well-formed XML: .*line 1/],
    ['another root', '<feed xmlns="http://www.w3.org/2005/Atom" />', /root element is <feed> in namespace http:\/\/www.w3.org\/2005\/Atom/],
    ['Edmx in another namespace', '<edmx:Edmx xmlns:edmx="urn:other"><edmx:DataServices /></edmx:Edmx>', /not Edmx in http:\/\/docs.oasis-open.org\/odata\/ns\/edmx/],
    ['Edmx without a prefix binding', '<Edmx><DataServices /></Edmx>', /root element is <Edmx>, not Edmx/],
    ['no DataServices', `<edmx:Edmx xmlns:edmx="${EDMX_NS}" />`, /0 edmx:DataServices/],
    ['no Schema', `<edmx:Edmx xmlns:edmx="${EDMX_NS}"><edmx:DataServices /></edmx:Edmx>`, /declares no Schema/],
    ['a Schema without Namespace', doc('', { schemaAttrs: `xmlns="${EDM_NS}"` }), /a Schema has no Namespace/],
    ['a Property without Type', doc('<EntityType Name="t"><Property Name="p" /></EntityType>'), /EntityType t\.p has no Type/],
    ['Nullable neither true nor false', doc('<EntityType Name="t"><Property Name="p" Type="Edm.String" Nullable="maybe" /></EntityType>'), /Nullable="maybe"/],
    ['a member Value that is not an integer', doc('<EnumType Name="e"><Member Name="m" Value="one" /></EnumType>'), /e\.m has Value="one"/],
  ];
  for (const [what, xml, message] of notCsdl) {
    test(`${what} is refused with a reason`, () => {
      expect(() => parseCsdl(xml)).toThrow(message);
    });
  }
});

test.describe('the reference server serves the contract at $metadata', () => {
  const get = (base: string, init: RequestInit = {}) => fetch(`${base}/$metadata`, init);

  test("GET $metadata without a token answers 200 application/xml with today's contract; other methods 405", async () => {
    const server = new ReferenceServer();
    const base = await server.listen(0);
    try {
      const res = await get(base);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
      expect(res.headers.get('request-id')).toBeTruthy();
      expect(await res.text()).toBe(contractCsdl());
      const post = await get(base, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET');
      expect(((await post.json()) as { error: { code: string } }).error.code).toBe('MethodNotAllowed');
      const bad = await get(base, { headers: { Authorization: 'Bearer not-a-token' } });
      expect(bad.status, 'a token is not checked').toBe(200);
    } finally {
      await server.close();
    }
  });

  test("a server on the seed's contract describes the seed's", async () => {
    const server = new ReferenceServer({ contract: 'seed' });
    const base = await server.listen(0);
    try {
      const text = await (await get(base)).text();
      expect(described(parseCsdl(text))).toEqual(described(parseCsdl(contractCsdl({ contract: 'seed' }))));
      expect(findEnumType(parseCsdl(text), 'remoteAction')!.members.map((m) => m.name)).toEqual([...REMOTE_ACTION_SEED]);
      expect(failing(text)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  const DEFECTS: [DefectName, string][] = [
    ['metadata-property-missing', 'RAA-META-ENTITY'],
    ['metadata-wrong-type', 'RAA-META-ENTITY'],
    ['metadata-enum-reordered', 'RAA-META-ENUMS'],
    ['metadata-sentinel-misplaced', 'RAA-META-ENUMS'],
    ['metadata-text-plain', 'RAA-META-SERVED'],
    ['metadata-navigation-uncontained', 'RAA-META-NAV'],
  ];
  for (const [defect, requirement] of DEFECTS) {
    test(`${defect} fails ${requirement} and no other metadata check`, async () => {
      const server = new ReferenceServer({ defects: new Set([defect]) });
      const base = await server.listen(0);
      try {
        const res = await get(base);
        expect(failing(await res.text(), res.headers.get('content-type') ?? '')).toEqual([requirement]);
      } finally {
        await server.close();
      }
    });
  }
});

test('a target without $metadata: the metadata requirements are not tested (kind target), or with --require-metadata RAA-META-SERVED fails', async () => {
  test.setTimeout(180_000);
  const server = await startIndependentServer();
  const dir = mkdtempSync(join(tmpdir(), 'raa-metadata-'));
  try {
    const metaOf = async (extra: string[], name: string) => {
      const reportDir = join(dir, name);
      const run = await runCli(['run', '--target', server.baseUrl, '--principals', server.principalsFile(dir), '--report-dir', reportDir, ...extra, '--', '--grep', '@RAA-META-'], { env: { CONFORMANCE_RATE_LIMIT: '0' }, timeoutMs: 150_000 });
      const report = JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as ConformanceReport;
      return { code: run.code, results: Object.fromEntries(report.requirements.filter((r) => r.id.startsWith('RAA-META-')).map((r) => [r.id, { status: r.status, reason: r.reason, kind: r.notTested, by: r.blockedBy }])) };
    };
    const plain = await metaOf([], 'plain');
    expect(plain.code, 'a narrowed run where nothing failed').toBe(0);
    for (const [id, r] of Object.entries(plain.results)) expect(r, id).toEqual({ status: 'not-tested', reason: 'the target serves no $metadata', kind: 'target', by: undefined });
    const required = await metaOf(['--require-metadata', '--strict'], 'required');
    expect(required.code, 'strict: the SHOULD RAA-META-SERVED failed').toBe(1);
    expect(required.results['RAA-META-SERVED']!.status).toBe('failed');
    for (const id of ['RAA-META-ENTITY', 'RAA-META-ENUMS', 'RAA-META-NAV']) expect(required.results[id], id).toMatchObject({ status: 'blocked', by: ['RAA-META-SERVED'] });
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
