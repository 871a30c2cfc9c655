// How the defect matrix judges one server's report (src/report/matrix.ts): each way a defect can escape is a miss,
// so that the table's "caught" is earned. Reports here are built by hand from the requirement catalogue.
import { test, expect } from '@playwright/test';
import { catalogue } from '../../src/contract';
import { CLEAN, judge, renderMatrix, type Defect } from '../../src/report/matrix';
import type { ConformanceReport, RequirementStatus } from '../../src/core/report-types';

/** A report in which every requirement passed except those given. */
function report(statuses: Record<string, RequirementStatus> = {}, errored = 0): ConformanceReport {
  const requirements = catalogue.requirements.map((r) => ({ id: r.id, level: r.level, tentative: r.tentative, operation: r.operation, title: r.title, status: statuses[r.id] ?? 'passed' as RequirementStatus, tests: [{ title: `${r.id} test`, status: 'passed' as const }] }));
  return {
    schemaVersion: 3, suiteVersion: 'x', target: 'http://127.0.0.1:1/beta', profile: 'quick', seed: 42, startedAt: new Date(0).toISOString(), durationMs: 7_000, strict: true,
    summary: { passed: 0, failed: Object.keys(statuses).length, skipped: 0, errored }, requirements,
  };
}

const mustDefect: Defect = { name: 'id-missing', area: 'echo', description: 'the entity is returned without its id', requirements: ['RAA-CREATE-ID', 'RAA-CREATE-SCHEMA'], incidental: ['RAA-MODEL'] };
const mayId = catalogue.requirements.find((r) => r.level === 'MAY')!.id;
const otherMust = catalogue.requirements.find((r) => r.level === 'MUST' && !['RAA-CREATE-ID', 'RAA-CREATE-SCHEMA', 'RAA-MODEL'].includes(r.id))!.id;

test.describe('a defect matrix verdict', () => {
  test('every listed requirement failed, nothing else: caught, with a replay line', () => {
    const v = judge(mustDefect, report({ 'RAA-CREATE-ID': 'failed', 'RAA-CREATE-SCHEMA': 'failed' }));
    expect(v.ok).toBe(true);
    expect(v.result).toBe('caught');
    expect(v.replay).toBe('node bin/raa-conformance.mjs run --strict --defects id-missing --seed 42');
  });

  test('an incidental requirement may fail or pass', () => {
    expect(judge(mustDefect, report({ 'RAA-CREATE-ID': 'failed', 'RAA-CREATE-SCHEMA': 'failed', 'RAA-MODEL': 'failed' })).ok).toBe(true);
  });

  test('a listed requirement that did not fail is a miss', () => {
    const v = judge(mustDefect, report({ 'RAA-CREATE-ID': 'failed' }));
    expect(v.ok).toBe(false);
    expect(v.missed).toEqual(['RAA-CREATE-SCHEMA']);
    expect(v.result).toBe('MISSED CREATE-SCHEMA');
  });

  test('a listed requirement that was skipped is a miss, not a catch', () => {
    expect(judge(mustDefect, report({ 'RAA-CREATE-ID': 'failed', 'RAA-CREATE-SCHEMA': 'skipped' })).missed).toEqual(['RAA-CREATE-SCHEMA']);
  });

  test('another MUST failing is an overlap', () => {
    const v = judge(mustDefect, report({ 'RAA-CREATE-ID': 'failed', 'RAA-CREATE-SCHEMA': 'failed', [otherMust]: 'failed' }));
    expect(v.ok).toBe(false);
    expect(v.result).toBe('OVERLAP');
    expect(v.unexpected).toEqual([otherMust]);
  });

  test('a test that errored leaves no verdict', () => {
    const v = judge(mustDefect, report({ 'RAA-CREATE-ID': 'failed', 'RAA-CREATE-SCHEMA': 'failed' }, 1));
    expect(v.ok).toBe(false);
    expect(v.result).toMatch(/^ERRORED/);
  });

  test('no report at all is an error', () => {
    expect(judge(mustDefect, undefined)).toMatchObject({ ok: false, result: 'ERRORED (no report)', exit: 3 });
  });

  test('a MAY-only defect is caught with exit 0, since MAY never gates', () => {
    const mayDefect: Defect = { name: 'odata-context-missing', area: 'protocol', description: 'no @odata.context anywhere', requirements: [mayId] };
    const v = judge(mayDefect, report({ [mayId]: 'failed' }));
    expect(v).toMatchObject({ ok: true, exit: 0, wantExit: 0 });
  });

  test('the clean server passes only when nothing failed', () => {
    expect(judge(undefined, report()).ok).toBe(true);
    const v = judge(undefined, report({ [mayId]: 'failed' }));
    expect(v.ok).toBe(false);
    expect(v.unexpected).toEqual([mayId]);
    expect(v.name).toBe(CLEAN);
  });

  test('the table scores defects only and explains each miss', () => {
    const { text, markdown } = renderMatrix([
      judge(undefined, report()),
      judge(mustDefect, report({ 'RAA-CREATE-ID': 'failed' })),
    ]);
    expect(text).toContain('defects caught: 0/1');
    expect(text).toContain('listed requirements not marked failed: RAA-CREATE-SCHEMA');
    expect(text).toContain('replay: node bin/raa-conformance.mjs run --strict --defects id-missing --seed 42');
    expect(markdown).toContain('| id-missing | echo |');
  });
});
