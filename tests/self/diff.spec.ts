// Report diff on hand-made reports: each classification, plus "same run twice ⇒ no regression" with timings ignored.
import { test, expect } from '@playwright/test';
import { diffReports, hasRegression, renderDiffMarkdown, renderDiffText } from '../../src/report/diff';
import type { ConformanceReport, RequirementResult, RequirementStatus, TestResult } from '../../src/core/report-types';

const t = (title: string, status: TestResult['status']): TestResult => ({ title, status, durationMs: 12 });
const req = (id: string, status: RequirementStatus, tests: TestResult[], level: RequirementResult['level'] = 'MUST'): RequirementResult =>
  ({ id, level, tentative: false, operation: 'create', title: `title of ${id}`, status, tests });
const report = (requirements: RequirementResult[], startedAt = '2025-01-01T00:00:00.000Z', durationMs = 1000): ConformanceReport => ({
  schemaVersion: 2, suiteVersion: '0.1.0', target: 'http://127.0.0.1:3000', profile: 'default', seed: 42, startedAt, durationMs, strict: false,
  summary: { passed: 0, failed: 0, skipped: 0 }, requirements,
});

const base = report([
  req('A', 'passed', [t('a1', 'passed')]),
  req('B', 'failed', [t('b1', 'failed')]),
  req('C', 'passed', [t('c1', 'passed')]),
  req('D', 'passed', [t('d1', 'passed')], 'SHOULD'),
  req('E', 'failed', [t('e1', 'failed'), t('e2', 'passed')]),
  req('F', 'skipped', [t('f1', 'skipped')]),
]);

test('unchanged report (different timings) ⇒ no regression, nothing listed', () => {
  const head = structuredClone(base);
  head.startedAt = '2025-02-01T00:00:00.000Z';
  head.durationMs = 99999;
  for (const r of head.requirements) for (const x of r.tests) x.durationMs = 777;
  const d = diffReports(base, head);
  expect(hasRegression(d)).toBe(false);
  expect(d.unchanged).toBe(base.requirements.length);
  for (const k of ['regressed', 'fixed', 'newRequirements', 'gone', 'otherChanges', 'newTests', 'goneTests'] as const) expect(d[k]).toEqual([]);
  expect(renderDiffMarkdown(d)).toContain('No requirement status changes');
});

test('classifies regressed, fixed, new, gone, other and test-level changes', () => {
  const head = report([
    req('A', 'failed', [t('a1', 'failed')]), // passed → failed
    req('B', 'passed', [t('b1', 'passed')]), // fixed
    // C removed ⇒ gone
    req('D', 'skipped', [t('d1', 'skipped')], 'SHOULD'), // other change
    req('E', 'failed', [t('e1', 'failed'), t('e2', 'errored'), t('e3', 'passed')]), // still red but e2 newly failing; e3 new test
    req('F', 'failed', [t('f1', 'failed')]), // skipped → failed
    req('G', 'failed', [t('g1', 'failed')], 'MAY'), // new
  ], '2025-01-02T00:00:00.000Z');
  const d = diffReports(base, head);
  const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
  expect(ids(d.regressed)).toEqual(['A', 'E', 'F']);
  expect(d.regressed.find((c) => c.id === 'E')).toMatchObject({ before: 'failed', after: 'failed', newlyFailingTests: ['e2'] });
  expect(d.regressed.find((c) => c.id === 'F')).toMatchObject({ before: 'skipped', after: 'failed', newlyFailingTests: ['f1'] });
  expect(ids(d.fixed)).toEqual(['B']);
  expect(d.newRequirements).toEqual([expect.objectContaining({ id: 'G', level: 'MAY', before: undefined, after: 'failed' })]);
  expect(d.gone).toEqual([expect.objectContaining({ id: 'C', before: 'passed', after: undefined })]);
  expect(d.otherChanges).toEqual([expect.objectContaining({ id: 'D', before: 'passed', after: 'skipped' })]);
  expect(d.newTests).toEqual([{ requirementId: 'E', title: 'e3', status: 'passed' }, { requirementId: 'G', title: 'g1', status: 'failed' }]);
  expect(d.goneTests).toEqual([{ requirementId: 'C', title: 'c1', status: 'passed' }]);
  expect(d.unchanged).toBe(0);
  expect(hasRegression(d)).toBe(true);

  const text = renderDiffText(d);
  expect(text).toContain('RESULT: REGRESSION');
  expect(text).toMatch(/Regressed:\n\s+MUST\s+A\s+passed → failed/);
  expect(text).toContain('newly failing: e2');

  const md = renderDiffMarkdown(d);
  expect(md).toMatch(/^## Conformance diff/);
  expect(md).toContain('| Requirement | Level | Before → After | Title |');
  expect(md).toContain('|---|---|---|---|');
  expect(md).toContain('### Regressed (3)');
  expect(md).toContain('| `A` | MUST | passed → failed | title of A<br>newly failing: a1 |');
  expect(md).toContain('### Fixed (1)');
  expect(md).toContain('| `B` | MUST | failed → passed |');
  expect(md).toContain('### New requirements (1)');
  expect(md).toContain('| `G` | MAY | — → failed |');
  expect(md).toContain('### Gone requirements (1)');
  expect(md).toContain('| `C` | MUST | passed → — |');
});

test('only fixes ⇒ no regression; a new failing requirement alone is not a regression', () => {
  const head = structuredClone(base);
  head.requirements[1]!.status = 'passed';
  head.requirements[1]!.tests[0]!.status = 'passed';
  head.requirements.push(req('NEW', 'failed', [t('n1', 'failed')]));
  const d = diffReports(base, head);
  expect(d.fixed.map((c) => c.id)).toEqual(['B']);
  expect(d.newRequirements.map((c) => c.id)).toEqual(['NEW']);
  expect(hasRegression(d)).toBe(false);
  expect(renderDiffText(d)).toContain('RESULT: no regression');
});

test('markdown neutralises report text: no raw HTML, no broken table cells', () => {
  const head = structuredClone(base);
  head.requirements[0]!.status = 'failed';
  head.requirements[0]!.title = 'x <img src=x onerror=alert(1)> | y\nz';
  head.requirements[0]!.tests[0]!.status = 'failed';
  const md = renderDiffMarkdown(diffReports(base, head));
  expect(md).not.toContain('<img');
  expect(md).toContain('x &lt;img src=x onerror=alert(1)&gt; \\| y z');
});

test('duplicate test titles pair by occurrence', () => {
  const b = report([req('A', 'passed', [t('same', 'passed'), t('same', 'passed')])]);
  const h = report([req('A', 'failed', [t('same', 'passed'), t('same', 'failed')])]);
  const d = diffReports(b, h);
  expect(d.regressed[0]!.newlyFailingTests).toEqual(['same']);
  expect(d.newTests).toEqual([]);
});
