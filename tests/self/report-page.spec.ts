// The conformance HTML page in a real browser (Debian's chromium): matrix, counts, filters, expansion, chart,
// self-containment (no request other than the file itself) and XSS-safety for report-supplied text.
import { test, expect, chromium, type Browser, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderConformanceHtml } from '../../src/report/html';
import type { ConformanceReport, Failure, RequirementResult } from '../../src/core/report-types';
import { validReport } from './support/report-texts';

const CHROMIUM = '/usr/bin/chromium';
const XSS_TITLE = `echo <script>window.__pwned='title'</script> & "quotes"`;
const XSS_FAILURE = `expected 201, got 500\n</pre><img src=x onerror="window.__pwned='failure'"><script>window.__pwned='failure2'</script>`;
const REPRODUCE = `curl -sS -i -X POST 'http://127.0.0.1:3999/beta/deviceManagement/remoteActionAudits' -H "Authorization: Bearer $TOKEN_APP_RW" --data-binary '{}'`;
/** A check's failure as a worker attaches it, with report-supplied text in every field the page shows. */
const SCHEMA_FAILURE: Failure = {
  kind: 'check', requirement: 'RAA-CREATE-SCHEMA', level: 'MUST', tentative: false, summary: 'the body does not conform to the entity schema',
  expected: '201', received: XSS_FAILURE, schemaErrors: ['/id: must be string [schema #/properties/id/type]'],
  exchange: {
    request: { method: 'POST', url: 'http://127.0.0.1:3999/beta/deviceManagement/remoteActionAudits', headers: { Authorization: 'Bearer [REDACTED]' }, body: '{}' },
    response: { status: 500, headers: { 'content-type': 'text/html' }, body: XSS_FAILURE },
  },
  reproduce: REPRODUCE, message: `[RAA-CREATE-SCHEMA MUST] the body does not conform to the entity schema\n    at checks.ts:29:11`,
};

const req = (id: string, level: RequirementResult['level'], status: RequirementResult['status'], title = `title of ${id}`): RequirementResult =>
  ({ id, level, tentative: level !== 'MUST', operation: 'create', title, status, tests: [{ title: `${id} test`, status: status === 'not-tested' ? 'not-tested' : 'passed', durationMs: 5 }] });

const fixture: ConformanceReport = {
  suiteVersion: '0.1.0', target: 'http://127.0.0.1:3999', profile: 'default', seed: 1234, startedAt: '2025-03-03T10:00:00.000Z',
  schemaVersion: 3, durationMs: 4321, strict: true, summary: { passed: 3, failed: 2, skipped: 1, notTested: 1, blocked: 0, inconclusive: 0,
    coverage: { MUST: { total: 3, tested: 3, notTested: 0, blocked: 0, inconclusive: 0 }, SHOULD: { total: 1, tested: 1, notTested: 0, blocked: 0, inconclusive: 0 }, MAY: { total: 2, tested: 1, notTested: 1, blocked: 0, inconclusive: 0 } } },
  verdict: 'NOT CONFORMANT', verdictLine: 'NOT CONFORMANT: 1 MUST/SHOULD requirement(s) failed: RAA-CREATE-SCHEMA', exitCode: 1,
  requirements: [
    req('RAA-CREATE-201', 'MUST', 'passed'),
    req('RAA-CREATE-JSON', 'MUST', 'passed'),
    req('RAA-CREATE-ECHO', 'SHOULD', 'passed', XSS_TITLE),
    { ...req('RAA-CREATE-SCHEMA', 'MUST', 'failed'), tests: [
      { title: 'schema: created entity validates', status: 'failed', failure: SCHEMA_FAILURE, location: 'tests/contract/create.spec.ts:10:1' },
      { title: 'schema: second case', status: 'passed' }] },
    { ...req('RAA-CREATE-ALLPROPS', 'MAY', 'not-tested'), notTested: 'principal', reason: 'no suitable principal is configured', tests: [{ title: 'allprops', status: 'not-tested', notTested: 'principal', reason: 'no suitable principal is configured' }] },
    { ...req('RAA-HDR-LOCATION', 'MAY', 'failed'), tests: [{ title: 'location', status: 'failed', failure: { kind: 'check', requirement: 'RAA-HDR-LOCATION', level: 'MAY', tentative: true, summary: 'the Location header is missing', message: 'the Location header is missing' } }] },
  ],
};
const history: ConformanceReport[] = [
  { ...fixture, startedAt: '2025-03-01T10:00:00.000Z', summary: { passed: 2, failed: 3, skipped: 1 } },
  { ...fixture, startedAt: '2025-03-02T10:00:00.000Z', summary: { passed: 3, failed: 2, skipped: 1 } },
  fixture,
];

let browser: Browser;
let dir: string;
let html: string;
let url: string;

test.beforeAll(async () => {
  // Fail, not skip: a missing browser must not turn this suite green. CI installs it.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get update && apt-get install -y chromium); \`npx playwright install\` is not used here`);
  browser = await chromium.launch({ executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
  dir = mkdtempSync(join(tmpdir(), 'conformance-page-'));
  html = renderConformanceHtml(fixture, { history });
  const file = join(dir, 'conformance.html');
  writeFileSync(file, html);
  url = pathToFileURL(file).href;
});
test.afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Opens the page and records every request and console error, so each test can prove self-containment.
async function open(): Promise<{ page: Page; requests: string[]; errors: string[]; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [], errors: string[] = [], dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(url);
  return { page, requests, errors, dialogs };
}

test('the page\'s fixture is a conformance.json its schema accepts', () => {
  expect(() => validReport(fixture)).not.toThrow();
});

test('matrix, counts, metadata and chart render; page makes no network request', async () => {
  const { page, requests, errors } = await open();
  await expect(page.getByTestId('matrix')).toBeVisible();
  await expect(page.getByTestId('req-row')).toHaveCount(6);
  await expect(page.getByTestId('verdict')).toHaveText(fixture.verdictLine!);
  await expect(page.getByTestId('count-passed')).toContainText('3');
  await expect(page.getByTestId('count-failed')).toContainText('2');
  await expect(page.getByTestId('count-not-tested')).toContainText('1');
  await expect(page.getByTestId('coverage-MAY')).toContainText('1 of 2');
  // A failed MAY informs; it reads differently from a failed MUST.
  await expect(page.locator('[data-testid=req-row][data-id="RAA-HDR-LOCATION"] [data-testid=req-status]')).toHaveText('failed (MAY, informational)');
  await expect(page.locator('[data-testid=req-row][data-id="RAA-CREATE-SCHEMA"] [data-testid=req-status]')).toHaveText('failed');
  await expect(page.locator('[data-testid=req-row][data-id="RAA-CREATE-ALLPROPS"] [data-testid=req-reason]')).toContainText('no suitable principal');
  await expect(page.getByTestId('meta')).toContainText('http://127.0.0.1:3999');
  await expect(page.getByTestId('meta')).toContainText('1234');
  const chart = page.getByTestId('history-chart');
  await expect(chart).toBeVisible();
  await expect(chart.locator('circle')).toHaveCount(3);
  expect(requests).toEqual([url]);
  expect(errors).toEqual([]); // also proves the CSP hashes match our inline script and style
  await page.close();
});

test('a NOT CONFORMANT page opens on what failed: the failed rows first (the MUST before the informational MAY), their evidence one click away, the rest below in catalogue order', async () => {
  const { page } = await open();
  const ids = await page.locator('[data-testid=req-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
  expect(ids).toEqual(['RAA-CREATE-SCHEMA', 'RAA-HDR-LOCATION', 'RAA-CREATE-201', 'RAA-CREATE-JSON', 'RAA-CREATE-ECHO', 'RAA-CREATE-ALLPROPS']);
  await expect(page.getByTestId('group-failed')).toContainText('Failed (2)');
  await expect(page.getByTestId('group-rest')).toContainText('The other 4 requirements');
  // The failed group sits above the first row of the rest.
  const failedBox = (await page.getByTestId('group-failed').boundingBox())!;
  const restBox = (await page.getByTestId('group-rest').boundingBox())!;
  const firstFailed = (await page.locator('[data-testid=req-row]').first().boundingBox())!;
  expect(failedBox.y).toBeLessThan(firstFailed.y);
  expect(firstFailed.y).toBeLessThan(restBox.y);
  // One click on the first row shows the failure's evidence.
  await page.locator('[data-testid=req-row]').first().locator('button.toggle').click();
  await expect(page.locator('[data-testid=req-tests][data-for="RAA-CREATE-SCHEMA"] [data-testid=reproduce]')).toBeVisible();
  // A page with nothing failed keeps catalogue order and no groups.
  const passing = renderConformanceHtml({ ...fixture, requirements: fixture.requirements.map((r) => ({ ...r, status: 'passed' as const })) });
  expect(passing).not.toContain('data-testid="group-failed"');
  expect([...passing.matchAll(/data-testid="req-row" data-id="([^"]+)"/g)].map((m) => m[1])).toEqual(fixture.requirements.map((r) => r.id));
  await page.close();
});

test('status and level filters hide non-matching rows', async () => {
  const { page } = await open();
  const visible = page.locator('[data-testid=req-row]:visible');
  await page.getByTestId('filter-status').selectOption('failed');
  await expect(visible).toHaveCount(2);
  await page.getByTestId('filter-level').selectOption('MUST');
  await expect(visible).toHaveCount(1);
  await expect(visible).toHaveAttribute('data-status', 'failed');
  await expect(visible).toHaveAttribute('data-id', 'RAA-CREATE-SCHEMA');
  await page.getByTestId('filter-level').selectOption('all');
  await page.getByTestId('filter-status').selectOption('all');
  await expect(visible).toHaveCount(6);
  await page.getByTestId('filter-level').selectOption('MUST');
  await expect(visible).toHaveCount(3);
  await page.getByTestId('filter-status').selectOption('passed');
  await expect(visible).toHaveCount(2);
  await page.close();
});

test('a row expands to its tests; a failure shows expected and received side by side, the exchange and the reproduce line, escaped, with a Playwright-report link', async ({}, testInfo) => {
  const { page, errors, dialogs } = await open();
  const row = page.locator('[data-testid=req-row][data-id="RAA-CREATE-SCHEMA"]');
  const tests = page.locator('[data-testid=req-tests][data-for="RAA-CREATE-SCHEMA"]');
  await expect(tests).toBeHidden();
  await row.getByRole('button').click();
  await expect(tests).toBeVisible();
  await expect(tests.getByTestId('test-row')).toHaveCount(2);
  const failure = tests.getByTestId('failure');
  await expect(failure.getByTestId('failure-headline')).toHaveText('[RAA-CREATE-SCHEMA MUST] the body does not conform to the entity schema');
  await expect(failure.getByTestId('expected')).toHaveText('201');
  await expect(failure.getByTestId('received')).toHaveText(XSS_FAILURE); // shown as literal text, not parsed
  const [expected, received] = [await failure.getByTestId('expected').boundingBox(), await failure.getByTestId('received').boundingBox()];
  expect(received!.x, 'received stands beside expected').toBeGreaterThan(expected!.x + expected!.width - 1);
  expect(received!.y).toBeCloseTo(expected!.y, 0);
  await expect(failure.getByTestId('schema-errors')).toContainText('/id: must be string');
  await expect(failure.getByTestId('request')).toContainText('POST http://127.0.0.1:3999/beta/deviceManagement/remoteActionAudits');
  await expect(failure.getByTestId('response')).toContainText('500');
  await expect(failure.getByTestId('reproduce')).toHaveText(REPRODUCE);
  // The suite's own stack frames are not evidence: the page shows the data, not the message.
  await expect(failure).not.toContainText('checks.ts:29');
  await expect(tests.locator('img, script')).toHaveCount(0);
  await expect(tests.getByTestId('pw-link')).toHaveAttribute('href', `html/index.html#?q=${encodeURIComponent('schema: created entity validates')}`);
  await expect(page.locator('[data-testid=req-row][data-id="RAA-CREATE-ECHO"]')).toContainText(XSS_TITLE);

  // Nothing from the data ran: no global set, no dialog, exactly one <script> (ours), no injected <img>.
  expect(await page.evaluate('window.__pwned')).toBeUndefined();
  await expect(page.locator('script')).toHaveCount(1);
  await expect(page.locator('img')).toHaveCount(0);
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
  expect(html).not.toContain('<script>window.__pwned');

  const shot = testInfo.outputPath('conformance-page.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('conformance-page', { path: shot, contentType: 'image/png' });
  await page.close();
});
