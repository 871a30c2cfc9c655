// `compare` proves itself both ways: two correct servers (the embedded one and itself in each legal variation) show
// no difference over five seeds, and every defect mode of fixtures/defects.json shows one, its cause in the report's
// first lines. Many comparisons run at once in this one process: each is mostly waiting on its servers.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { requirement, validators } from '../../src/contract';
import { runCompare, type CompareOptions } from '../../src/cli/compare';
import { ALTERNATIVES, NAMED_ANNOTATIONS } from '../../src/compare/normalise';
import { mapLimit } from '../../src/transport/http';
import { VARIANT_NAMES } from '../../server/index';
import { startEmbedded } from '../../src/cli/target';
import { buildStream, SIZES } from '../../src/compare/stream';
import { matchRoles } from '../../src/compare/compare';
import fc from 'fast-check';
import { writePrincipals } from './support/run-suite';

const dir = (name: string) => join(tmpdir(), 'raa-compare-self', name);
const quiet = (o: CompareOptions) => runCompare({ noNoise: true, write: () => {}, ...o });

test('every alternative the normalisation allows is one its requirement states', () => {
  for (const a of Object.values(ALTERNATIVES)) {
    for (const s of a.statuses.filter((n) => n >= 400)) expect(requirement(a.requirement).title, a.requirement).toContain(String(s));
  }
  expect(NAMED_ANNOTATIONS).toEqual(['@odata.context']);
});

test('every seed\'s stream sends every kind of sequence step, so which defects compare can see does not depend on the seed', async () => {
  const e = await startEmbedded([]);
  try {
    const roles = matchRoles(e.principals, e.principals).roles;
    const kinds = ['get', 'update', 'update invalid', 'update minimal', 'update sentinel', 'update with id', 'delete', 'list', 'sequence create'];
    // A seed that drew no "update minimal" once let a matrix run miss update-minimal-200-empty.
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
      const sent = new Set(buildStream(seed, roles, SIZES.quick!).map((s) => s.kind));
      expect(kinds.filter((k) => !sent.has(k)), `seed ${seed}`).toEqual([]);
    }), { numRuns: 50, seed: 1 });
  } finally {
    await e.close();
  }
});

test('the embedded server compared with itself in each legal variation shows no difference over five seeds', async () => {
  test.setTimeout(600_000);
  const runs = [...VARIANT_NAMES, 'all'].flatMap((v) => [1, 2, 3, 4, 5].map((seed) => ({ v, seed })));
  const started = Date.now();
  const found = await mapLimit(runs, 6, async ({ v, seed }) => {
    const r = await quiet({ targetVariant: v, seed: String(seed), reportDir: dir(`${v}-${seed}`) });
    return r.exitCode === 0 ? undefined : `${v} seed ${seed}: ${readFileSync(join(dir(`${v}-${seed}`), 'compare.md'), 'utf8').split('\n').slice(0, 4).join(' / ')}`;
  });
  test.info().annotations.push({ type: 'timing', description: `${runs.length} comparisons in ${((Date.now() - started) / 1000).toFixed(1)} s` });
  expect(found.filter(Boolean)).toEqual([]);
});

test('the reference sent the same stream twice learns no noise of its own, and the report validates', async () => {
  const r = await runCompare({ seed: '7', reportDir: dir('noise'), write: () => {} });
  expect(r.exitCode).toBe(0);
  expect(validators.compareReport(r.report)).toBe(true);
  expect((r.report as { noise: { learnt: string; fields: unknown[] } }).noise).toEqual({ learnt: 'two references', fields: [] });
});

// Every defect mode against a clean reference is the defect matrix's compare column (src/cli/matrix-compare.ts),
// judged per mode in tests/self/defect-matrix.spec.ts: one matrix, two columns.

test('a replay reproduces one difference from its seed and step alone', async () => {
  const first = await quiet({ defects: 'device-imei-dropped', seed: '3', reportDir: dir('replay-a') });
  const group = (first.report as { groups: { example: number; path: string; replay: string }[] }).groups[0]!;
  expect(group.replay).toContain(`--replay 3/${group.example}`);
  const again = await quiet({ defects: 'device-imei-dropped', replay: `3/${group.example}`, reportDir: dir('replay-b') });
  expect(again.exitCode).toBe(1);
  expect((again.report as { groups: { path: string }[] }).groups.map((g) => g.path)).toContain(group.path);
});

test('a side that is not the embedded server is written to only with --allow-writes, paced like run, and cleaned up', async () => {
  const server = await startEmbedded([]);
  const principals = writePrincipals(server.principals);
  const previous = process.env.CONFORMANCE_RATE_LIMIT;
  try {
    await expect(quiet({ target: server.baseUrl, principals, profile: 'tenant', reportDir: dir('remote-refused') })).rejects.toThrow(/--allow-writes lets it write to the target/);
    process.env.CONFORMANCE_RATE_LIMIT = '200';
    const lines: string[] = [];
    const run = await runCompare({ noNoise: true, target: server.baseUrl, principals, allowWrites: true, profile: 'tenant', seed: '4', reportDir: dir('remote'), write: (l) => lines.push(l) });
    expect(run.exitCode, lines.join('\n')).toBe(0);
    expect(lines[0]).toContain(`target ${server.baseUrl} (200 req/s), reference http://127.0.0.1:`);
    expect(lines.join('\n')).not.toMatch(/reference http:\/\/127\.0\.0\.1:\d+\/beta \(/);
    const left = server.server.store.page(0, 1000).items.filter((r) => String(r.deviceDisplayName ?? '').startsWith('raa-conformance/'));
    expect(left, 'the remote side is cleaned of the records compare created').toEqual([]);
  } finally {
    if (previous === undefined) delete process.env.CONFORMANCE_RATE_LIMIT; else process.env.CONFORMANCE_RATE_LIMIT = previous;
    await server.close();
  }
});
