// The profiles' run budgets: deep (the nightly) draws up to 20,000 runs per property but stops drawing each one
// after its 60 s budget, quick and tenant count runs only. The budget is proven at the property runner (a full
// deep run takes minutes by design) and traced from the profile to every property of the suite.
import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILES, loadConfig } from '../../src/config/config';
import { checkProperty, draw, fcParameters } from '../../src/checks/property';
import type { Exchange } from '../../src/transport/http';
import { ROOT } from './support/run-suite';

/** An answer after `ms`, as a slow target gives it. */
const slowAnswer = (ms: number) => (v: number): Promise<Exchange> => new Promise((done) => setTimeout(() => done({
  request: { method: 'POST', url: `http://127.0.0.1/x/${v}`, headers: {} }, status: 201, headers: {}, text: '{}', json: {}, durationMs: ms, throttled: 0,
}), ms));

test('the deep profile gives each property a 60 s budget over 20,000 runs; quick and tenant count runs only', () => {
  const deep = loadConfig({ CONFORMANCE_PROFILE: 'deep', TARGET_BASE_URL: undefined }, '/nonexistent/.env');
  expect(deep.profile).toBe('deep');
  expect(deep.propertyBudgetMs).toBe(60_000);
  expect(deep.numRuns).toBe(20_000);
  expect(PROFILES.quick.propertyBudgetMs).toBe(0);
  expect(PROFILES.tenant.propertyBudgetMs).toBe(0);
});

test('a property stops drawing runs at its budget: fewer runs than asked, each one judged', async () => {
  const spec = { requirement: 'RAA-CREATE-201', arbitrary: fc.integer(), seed: 7, numRuns: 20_000, concurrency: 4, send: slowAnswer(5), check: () => undefined };
  // 20,000 runs at 5 ms, 4 at a time, would take 25 s; a 300 ms budget ends the draw after a chunk or a few.
  const budgeted = await checkProperty({ ...spec, budgetMs: 300 });
  expect(budgeted.runs).toBeGreaterThan(0);
  expect(budgeted.runs, 'the budget ended the draw').toBeLessThan(spec.numRuns / 10);
  expect(budgeted.runs % 32, 'whole chunks of concurrency × 8').toBe(0);
  // Without a budget every run asked for is drawn.
  const counted = await checkProperty({ ...spec, numRuns: 200, budgetMs: 0, send: slowAnswer(0) });
  expect(counted.runs).toBe(200);
});

test('every property of the suite takes its seed, runs and the profile\'s budget from draw(rt), which carries all three', () => {
  const files: string[] = [];
  const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.spec.ts') && files.push(join(d, e.name)); };
  walk(join(ROOT, 'tests', 'contract'));
  const text = (f: string) => readFileSync(f, 'utf8');
  expect(files.filter((f) => /\bdraw\(/.test(text(f))).length, 'property specs drawing through draw(rt)').toBeGreaterThan(3);
  // A spec reading the run count or the budget itself could draw without the budget, as one once did.
  const bypassing = files.filter((f) => /\.numRuns\b|propertyBudgetMs|seed: *(rt|graph\.runtime)\.seed/.test(text(f))).map((f) => f.slice(ROOT.length));
  expect(bypassing, 'property specs reading the seed, the run count or the budget from the runtime themselves').toEqual([]);
  const deep = { seed: 7, numRuns: 20_000, propertyBudgetMs: 60_000 };
  expect(draw(deep)).toEqual({ seed: 7, numRuns: 20_000, budgetMs: 60_000 });
  expect(draw(deep, (n) => n / 10).numRuns).toBe(2_000);
  expect(fcParameters(draw(deep))).toEqual({ seed: 7, numRuns: 20_000, interruptAfterTimeLimit: 60_000 });
  expect(fcParameters(draw({ ...deep, propertyBudgetMs: 0 })).interruptAfterTimeLimit, 'no budget, no time limit').toBeUndefined();
});
