// `raa-conformance drift`: the checked-in slice of Graph's beta CSDL agrees with the contract except for the documented
// differences; a removed member, a retyped property and a moved sentinel are named with the requirements they would make
// wrong; bad input is one line and exit 2; a URL is read from a stand-in on loopback; the conformance page shows drift.
import { test, expect, chromium } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contractCsdl, parseCsdl } from '../../src/metadata/csdl';
import { compareContract, driftReport, RELIES_ON, type DriftReport } from '../../src/metadata/drift';
import { renderConformanceHtml } from '../../src/report/html';
import type { ConformanceReport } from '../../src/core/report-types';
import { ROOT, requirementsById } from '../../src/contract';
import { NEWER_PROPERTIES } from '../../schemas/entity';
import { REMOTE_ACTION_NEWER } from '../../schemas/enums';
import { runCli, type CliRun } from './support/independent-server';

const SLICE = join(ROOT, 'fixtures', 'csdl', 'beta-remoteActionAudit-slice.xml');
const slice = readFileSync(SLICE, 'utf8');
const KNOWN = [...NEWER_PROPERTIES.map((p) => `remoteActionAudit.${p}`), ...REMOTE_ACTION_NEWER.map((m) => `remoteAction.${m}`)].sort();

/** The slice with one line changed: `from` must occur exactly once. */
function edited(from: string, to: string): string {
  expect(slice.split(from).length - 1, `"${from}" occurs once in the slice`).toBe(1);
  return slice.replace(from, to);
}

let dir: string;
test.beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'raa-drift-')); });
test.afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** Writes `xml` (when given) and runs drift on it with its own report folder. */
async function drift(name: string, xml?: string, source?: string): Promise<CliRun & { reportDir: string; report?: DriftReport }> {
  const file = join(dir, `${name}.xml`);
  if (xml !== undefined) writeFileSync(file, xml);
  const reportDir = join(dir, `${name}-reports`);
  const run = await runCli(['drift', '--csdl', source ?? file, '--report-dir', reportDir], { timeoutMs: 60_000 });
  const path = join(reportDir, 'drift.json');
  return { ...run, reportDir, report: existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as DriftReport : undefined };
}

const shown = (r: CliRun) => `\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;

/** Exit 2 with exactly one line on stderr, no stack. */
function refused(r: CliRun, names: RegExp): void {
  expect(r.code, shown(r)).toBe(2);
  expect(r.stderr.trimEnd().split('\n'), shown(r)).toHaveLength(1);
  expect(r.stderr).toMatch(names);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

test('the contract and the slice agree except for the documented differences', () => {
  const { changes, notes } = compareContract(parseCsdl(slice));
  expect(changes.filter((c) => !c.known), 'drift beyond the documented differences').toEqual([]);
  expect(changes.map((c) => c.name).sort()).toEqual(KNOWN);
  for (const c of changes) expect(c.kind, c.name).toBe('added');
  // The slice leaves graph.entity out: the key is taken as Graph's, and said so.
  expect(notes.join('\n')).toMatch(/microsoft\.graph\.entity is not in the document/);
});

test('the reference server\'s own $metadata differs only by the documented differences, today\'s and the seed\'s', () => {
  for (const contract of ['today', 'seed'] as const) {
    const { changes } = compareContract(parseCsdl(contractCsdl({ contract })));
    expect(changes.filter((c) => !c.known), contract).toEqual([]);
    expect(changes.filter((c) => c.subject !== 'enum').map((c) => c.name).sort(), contract).toEqual(KNOWN);
    for (const c of changes) expect(c.kind, `${contract}: ${c.name}`).toBe(contract === 'today' ? 'added' : 'removed');
  }
});

test('every requirement the drift table names exists in the catalogue', () => {
  for (const [fact, { ids }] of Object.entries(RELIES_ON)) for (const id of ids) expect(requirementsById.has(id), `${fact}: ${id}`).toBe(true);
});

test('drift against the slice prints the known differences and exits 0', async () => {
  const r = await drift('slice', undefined, SLICE);
  expect(r.code, shown(r)).toBe(0);
  expect(r.stdout).toContain('Known differences');
  for (const name of KNOWN) expect(r.stdout, name).toContain(name);
  expect(r.stdout).toMatch(/drift: 0 change\(s\), 0 touching a requirement \(none at MUST\); 6 known difference\(s\)/);
  expect(r.report?.exitCode).toBe(0);
  expect(readFileSync(join(r.reportDir, 'drift.md'), 'utf8')).toContain('## Known differences');
});

test('a seed member removed is named with the requirements it breaks, and exits 1', async () => {
  const r = await drift('member-removed', edited('        <Member Name="factoryReset" Value="1" />\n', ''));
  expect(r.code, shown(r)).toBe(1);
  expect(r.stdout).toMatch(/REMOVED\s+member remoteAction\.factoryReset/);
  expect(r.stdout).toContain('RAA-CREATE-ENUM-ACTION (MUST)');
  expect(r.report?.mustTouched).toEqual(expect.arrayContaining(['RAA-CREATE-ENUM-ACTION', 'RAA-CREATE-201', 'RAA-CREATE-ECHO']));
});

test('requestDateTime retyped as Edm.String is named with the requirement it breaks', async () => {
  const r = await drift('retyped', edited('<Property Name="requestDateTime" Type="Edm.DateTimeOffset" Nullable="false" />', '<Property Name="requestDateTime" Type="Edm.String" Nullable="false" />'));
  expect(r.code, shown(r)).toBe(1);
  expect(r.stdout).toMatch(/RETYPED\s+property remoteActionAudit\.requestDateTime: type Edm\.DateTimeOffset in the contract, Edm\.String in the document/);
  expect(r.stdout).toContain('RAA-CREATE-DATETIME (MUST)');
  const change = r.report!.changes.find((c) => c.name === 'remoteActionAudit.requestDateTime')!;
  expect(change.requirements.map((q) => q.id)).toEqual(expect.arrayContaining(['RAA-CREATE-DATETIME', 'RAA-CREATE-DATETIME-RANGE', 'RAA-CREATE-ECHO']));
});

test('a property made nullable is named with the refusals of null it makes wrong', async () => {
  const r = await drift('nullable', edited('<Property Name="actionState" Type="graph.actionState" Nullable="false" />', '<Property Name="actionState" Type="graph.actionState" />'));
  expect(r.stdout).toMatch(/RETYPED\s+property remoteActionAudit\.actionState: nullable in the document, not nullable in the contract/);
  expect(r.stdout).toContain('RAA-CREATE-NONNULL (SHOULD)');
  // Both requirements it touches are SHOULDs.
  expect(r.code, shown(r)).toBe(0);
});

test('members out of order are named as reordered; a moved sentinel touches MUSTs', async () => {
  const swapped = await drift('reordered', edited('        <Member Name="pending" Value="1" />\n        <Member Name="canceled" Value="2" />\n',
    '        <Member Name="canceled" Value="2" />\n        <Member Name="pending" Value="1" />\n'));
  expect(swapped.stdout).toMatch(/REORDERED\s+enum actionState: members out of the contract's order: pending, canceled/);
  expect(swapped.code, shown(swapped)).toBe(0);
  const sentinel = '        <Member Name="unknownFutureValue" Value="33" />\n';
  const moved = await drift('sentinel-moved', edited(sentinel, '').replace('        <Member Name="rotateLocalAdminPassword" Value="32" />\n',
    `${sentinel}        <Member Name="rotateLocalAdminPassword" Value="32" />\n`));
  expect(moved.code, shown(moved)).toBe(1);
  expect(moved.stdout).toMatch(/REORDERED\s+enum remoteAction: unknownFutureValue moved: now after it: rotateLocalAdminPassword/);
  expect(moved.stdout).toContain('RAA-CREATE-201 (MUST)');
});

test('a property the contract does not have is tolerated, never required', async () => {
  const r = await drift('added', edited('        <Property Name="userName" Type="Edm.String" />\n', '        <Property Name="userName" Type="Edm.String" />\n        <Property Name="deviceActionDetails" Type="Collection(graph.keyValuePair)" />\n'));
  expect(r.code, shown(r)).toBe(0);
  expect(r.stdout).toMatch(/ADDED\s+property remoteActionAudit\.deviceActionDetails: Collection\(microsoft\.graph\.keyValuePair\), nullable: not in the contract/);
  expect(r.stdout).toContain('tolerated, never required');
});

test('bad input is one line and exit 2', async () => {
  refused(await drift('not-xml', 'this is not XML at all\n'), /not-xml\.xml is not a CSDL document/);
  refused(await drift('missing', undefined, join(dir, 'no-such-file.xml')), /cannot read .*no-such-file\.xml: no such file/);
  refused(await drift('no-entity', edited(slice.slice(slice.indexOf('      <EntityType Name="remoteActionAudit"'), slice.indexOf('    </Schema>')), '')), /declares no EntityType remoteActionAudit/);
  const bare = await runCli(['drift'], { timeoutMs: 60_000 });
  refused(bare, /drift: --csdl FILE\|URL or --permissions FILE\|URL is required/);
  expect(bare.stdout, 'the usage follows').toContain('Usage: raa-conformance drift');
});

test.describe('a URL', () => {
  let server: Server;
  let base: string;
  test.beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/beta/$metadata') { res.writeHead(200, { 'content-type': 'application/xml' }); res.end(slice); return; }
      res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"error":{"code":"NotFound","message":"no"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/beta`;
  });
  test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a target\'s $metadata is read like the file', async () => {
    const r = await drift('url', undefined, `${base}/$metadata`);
    expect(r.code, shown(r)).toBe(0);
    expect(r.report?.source).toBe(`${base}/$metadata`);
    expect(r.report?.changes.filter((c) => c.known).map((c) => c.name).sort()).toEqual(KNOWN);
  });

  test('a URL that answers 404 or does not answer is one line and exit 2', async () => {
    refused(await drift('url-404', undefined, `${base}/nothing/$metadata`), /answered 404/);
    refused(await drift('url-down', undefined, 'http://127.0.0.1:9/beta/$metadata'), /does not answer/);
  });
});

test('the conformance page shows drift, escaped, and nothing when there is none', async () => {
  const report = {
    schemaVersion: 3, suiteVersion: '0.1.0', target: 'http://127.0.0.1:1/beta', profile: 'quick', seed: 1, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, strict: false,
    summary: { passed: 0, failed: 0, skipped: 0 }, requirements: [],
  } as ConformanceReport;
  const clean = driftReport(parseCsdl(slice), 'slice.xml');
  expect(renderConformanceHtml(report, { drift: clean })).not.toContain('data-testid="drift"');
  const xss = `<script>window.__pwned='drift'</script>`;
  const broken = driftReport(parseCsdl(edited('<Property Name="requestDateTime" Type="Edm.DateTimeOffset" Nullable="false" />', `<Property Name="requestDateTime" Type="Edm.String" Nullable="false" />`)), `evil${xss}.xml`);
  const html = renderConformanceHtml(report, { drift: broken });
  expect(html).not.toContain(xss);
  const pageDir = join(dir, 'page');
  mkdirSync(pageDir, { recursive: true });
  writeFileSync(join(pageDir, 'conformance.html'), html);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(pageDir, 'conformance.html')).href);
    await expect(page.getByRole('heading', { name: 'Contract drift' })).toBeVisible();
    await expect(page.getByTestId('drift-summary')).toContainText(`evil${xss}.xml`);
    await expect(page.getByTestId('drift-summary')).toContainText('RAA-CREATE-DATETIME');
    const rows = page.getByTestId('drift-row');
    await expect(rows).toHaveCount(broken.changes.length);
    await expect(rows.first()).toContainText('requestDateTime');
    await expect(page.locator('[data-testid=drift-row][data-known=true]')).toHaveCount(6);
    expect(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned)).toBeUndefined();
  } finally {
    await browser.close();
  }
});

test('a drift.json in the report folder shows on the page the run writes', async () => {
  test.setTimeout(300_000);
  const broken = await drift('page', edited('        <Member Name="factoryReset" Value="1" />\n', ''));
  expect(broken.code, shown(broken)).toBe(1);
  const run = await runCli(['run', '--report-dir', broken.reportDir, '--', '--grep', '@RAA-HDR-LOCATION'], { timeoutMs: 240_000 });
  expect(run.code, shown(run)).toBe(0);
  const html = readFileSync(join(broken.reportDir, 'conformance.html'), 'utf8');
  expect(html).toContain('<h2>Contract drift</h2>');
  expect(html).toContain('remoteAction.factoryReset');
});

test.describe('--permissions', () => {
  const PERMISSIONS = join(ROOT, 'fixtures', 'permissions', 'remoteActionAudits.permissions.json');
  const data = JSON.parse(readFileSync(PERMISSIONS, 'utf8')) as { permissions: Record<string, { pathSets: { methods: string[] }[] }> };

  /** Runs drift on a copy of the slice `edit` changed (or on the slice), with the CSDL slice beside it. */
  async function permissionDrift(name: string, edit?: (d: typeof data) => void): Promise<CliRun & { reportDir: string; report?: DriftReport }> {
    let file = PERMISSIONS;
    if (edit) { const copy = structuredClone(data); edit(copy); file = join(dir, `${name}.json`); writeFileSync(file, JSON.stringify(copy)); }
    const reportDir = join(dir, `${name}-reports`);
    const run = await runCli(['drift', '--csdl', SLICE, '--permissions', file, '--report-dir', reportDir], { timeoutMs: 60_000 });
    const path = join(reportDir, 'drift.json');
    return { ...run, reportDir, report: existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as DriftReport : undefined };
  }

  test('the checked-in slice against itself: no permission change, exit 0', async () => {
    const r = await permissionDrift('permissions-slice');
    expect(r.code, shown(r)).toBe(0);
    expect(r.report?.sources).toEqual({ csdl: SLICE, permissions: [PERMISSIONS] });
    expect(r.report?.changes.filter((c) => ['permission', 'scheme', 'method'].includes(c.subject))).toEqual([]);
  });

  test('a permission removed from Delete is named with RAA-PERM-ALLOW, exit 1', async () => {
    const r = await permissionDrift('permissions-no-delete', (d) => {
      for (const s of d.permissions['DeviceManagementManagedDevices.ReadWrite.All']!.pathSets) s.methods = s.methods.filter((m) => m !== 'DELETE');
    });
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toMatch(/REMOVED\s+method DeviceManagementManagedDevices\.ReadWrite\.All DELETE \/deviceManagement\/remoteActionAudits\/\{id\}/);
    expect(r.stdout).toContain('would make wrong: RAA-PERM-ALLOW (MUST)');
    const permissionChanges = r.report!.changes.filter((c) => c.subject === 'method');
    expect(permissionChanges).toHaveLength(1);
    expect(permissionChanges[0]).toMatchObject({ kind: 'removed', name: 'DeviceManagementManagedDevices.ReadWrite.All DELETE /deviceManagement/remoteActionAudits/{id}' });
    expect(permissionChanges[0]!.detail).toMatch(/delete by application: the matrix lists it as allowed/);
    expect(r.report?.mustTouched).toEqual(['RAA-PERM-ALLOW']);
    expect(readFileSync(join(r.reportDir, 'drift.md'), 'utf8')).toContain('DeviceManagementManagedDevices.ReadWrite.All DELETE');
  });

  test('a permission gone from the resource, a scheme and a method added are each named; only a MUST cell exits 1', async () => {
    const r = await permissionDrift('permissions-mixed', (d) => {
      delete d.permissions['DeviceManagementConfiguration.Read.All'];
      const rw = d.permissions['DeviceManagementManagedDevices.Read.All']!.pathSets[0]! as { schemeKeys: string[]; methods: string[] };
      rw.schemeKeys = [...rw.schemeKeys, 'DelegatedPersonal'];
    });
    expect(r.code, shown(r)).toBe(1);
    const byName = new Map(r.report!.changes.map((c) => [c.name, c]));
    // Configuration.Read.All was uncertain for list and refused for get: its going touches nothing.
    expect(byName.get('DeviceManagementConfiguration.Read.All')).toMatchObject({ kind: 'removed', subject: 'permission', requirements: [] });
    expect(byName.get('DeviceManagementManagedDevices.Read.All DelegatedPersonal')).toMatchObject({ kind: 'added', subject: 'scheme' });
    expect(r.report?.mustTouched).toEqual(['RAA-PERM-PERSONAL']);
  });

  test('a document that is not a permissions document is one line and exit 2', async () => {
    const file = join(dir, 'not-permissions.json');
    writeFileSync(file, '{"value": []}');
    refused(await runCli(['drift', '--permissions', file, '--report-dir', join(dir, 'np')], { timeoutMs: 60_000 }), /not a permissions document/);
  });
});
