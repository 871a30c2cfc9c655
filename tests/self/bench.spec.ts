// The bench's pure helpers: the least-squares fit, rates, /proc parsing, the process tree, the table and the
// profile summary. The bench itself is never run here, and nothing here asserts a timing.
import { test, expect } from '@playwright/test';
import {
  achievedRate, bundleModules, byPackage, descendants, fmt, hotSpots, inclusiveShare, linearFit, median, meets, parentPid, perSecond, procStatusKb, ratio, renderTable, roleOf,
  type CpuProfile,
} from '../../tools/bench/helpers';

test('linearFit recovers slope and intercept of exact points, and r² is 1', () => {
  const fit = linearFit([{ x: 100, y: 20_500 }, { x: 1_000, y: 25_000 }, { x: 10_000, y: 70_000 }]);
  expect(fit.slopeMs).toBeCloseTo(5, 9);
  expect(fit.interceptMs).toBeCloseTo(20_000, 6);
  expect(fit.r2).toBeCloseTo(1, 9);
});

test('linearFit is least squares over noisy points and refuses degenerate input', () => {
  const fit = linearFit([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: 2 }]);
  expect(fit.slopeMs).toBeCloseTo(0.5, 9);
  expect(fit.interceptMs).toBeCloseTo(7 / 6, 9);
  expect(fit.r2).toBeGreaterThan(0);
  expect(fit.r2).toBeLessThan(1);
  expect(() => linearFit([{ x: 1, y: 1 }])).toThrow();
  expect(() => linearFit([{ x: 1, y: 1 }, { x: 1, y: 2 }])).toThrow();
});

test('rates and ratios', () => {
  expect(perSecond(500, 250)).toBe(2_000);
  expect(perSecond(5, 0)).toBe(0);
  // 40 events 125 ms apart: 39 intervals over 4.875 s is 8 per second, in any order.
  const instants = Array.from({ length: 40 }, (_, i) => 1_000 + i * 125).reverse();
  expect(achievedRate(instants)).toBeCloseTo(8, 9);
  expect(achievedRate([5])).toBe(0);
  expect(ratio(1, 4)).toBe(0.25);
  expect(ratio(1, 0)).toBe(0);
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([NaN, 5])).toBe(5);
  expect(median([])).toBeUndefined();
});

test('goals: at least, at most, and no verdict without a goal or a value', () => {
  expect(meets(0.5, { op: '>=', value: 0.5 })).toBe(true);
  expect(meets(0.49, { op: '>=', value: 0.5 })).toBe(false);
  expect(meets(16, { op: '<=', value: 10 })).toBe(false);
  expect(meets(3, undefined)).toBeUndefined();
  expect(meets(undefined, { op: '<=', value: 10 })).toBeUndefined();
  expect(meets(NaN, { op: '<=', value: 10 })).toBeUndefined();
});

test('/proc parsing: status fields in kB and the parent pid of a command with spaces and parentheses', () => {
  const status = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t   99999 kB\n';
  expect(procStatusKb(status, 'VmHWM')).toBe(123_456);
  expect(procStatusKb(status, 'VmRSS')).toBe(99_999);
  expect(procStatusKb(status, 'VmSwap')).toBeUndefined();
  expect(parentPid('4242 (node (worker) x) S 4100 4242 4100 0 -1 4194560')).toBe(4100);
  expect(parentPid('garbage')).toBeUndefined();
});

test('descendants walks the whole tree below the root and nothing else', () => {
  const parents = new Map([[10, 1], [11, 10], [12, 11], [13, 11], [20, 1], [21, 20]]);
  expect(descendants(parents, 10).sort()).toEqual([11, 12, 13]);
  expect(descendants(parents, 12)).toEqual([]);
});

test('roleOf tells the Playwright runner and workers apart from the CLI', () => {
  expect(roleOf('/usr/bin/node\0/p/node_modules/playwright/lib/worker/workerProcessEntry.js\0')).toBe('worker');
  expect(roleOf('/usr/bin/node\0/p/node_modules/@playwright/test/cli.js\0test\0-c\0x')).toBe('runner');
  expect(roleOf('node\0bin/raa-conformance.mjs\0run')).toBe('cli');
  expect(roleOf('/bin/sh\0-c\0true')).toBe('other');
});

test('renderTable lines up figures with their goals and verdicts', () => {
  const table = renderTable([
    { id: '1', figure: 'property ÷ raw', value: 0.62, unit: '×', goal: { op: '>=', value: 0.5 }, met: true },
    { id: '5b', figure: 'two workers', value: 16.4, unit: 'req/s', goal: { op: '<=', value: 10 }, met: false },
    { id: '3a', figure: 'slope', value: 4.2, unit: 'ms/case', goalText: 'report' },
  ]);
  const lines = table.split('\n');
  expect(lines).toHaveLength(5);
  expect(lines[2]).toContain('≥ 0.500');
  expect(lines[2]).toMatch(/met$/);
  expect(lines[3]).toContain('≤ 10.0 req/s');
  expect(lines[3]).toMatch(/NOT MET$/);
  expect(lines[4]).toContain('report');
  expect(fmt(12_345.6)).toBe('12,346');
  expect(fmt(undefined)).toBe('—');
});

test('hotSpots and inclusiveShare read self and inclusive shares from a CPU profile', () => {
  const frame = (functionName: string, url = 'file:///p/server/app.ts', lineNumber = 0) => ({ functionName, url, lineNumber });
  const profile: CpuProfile = {
    startTime: 0, endTime: 1,
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 4] },
      { id: 2, callFrame: frame('route'), hitCount: 1, children: [3] },
      { id: 3, callFrame: frame('validateBody', 'file:///p/server/validate.ts', 60), hitCount: 6 },
      { id: 4, callFrame: frame('(garbage collector)', ''), hitCount: 3 },
    ],
  };
  const top = hotSpots(profile, 2);
  expect(top.map((h) => h.fn)).toEqual(['validateBody server/validate.ts:61', '(garbage collector)']);
  expect(top[0]!.selfPct).toBeCloseTo(60, 9);
  expect(hotSpots(profile).find((h) => h.fn.startsWith('route'))!.totalPct).toBeCloseTo(70, 9);
  expect(inclusiveShare(profile, /validateBody/)).toBeCloseTo(60, 9);
  expect(inclusiveShare(profile, /route/)).toBeCloseTo(70, 9);
});

test('bundleModules names the source module of a line of an esbuild bundle', () => {
  const bundle = ['import x from "y";', '', '// node_modules/ajv/dist/core.js', 'var a = 1;', '// server/app.ts', 'class ReferenceServer {}', 'x();'].join('\n');
  const at = bundleModules(bundle);
  expect(at(1)).toBeUndefined();
  expect(at(4)).toBe('node_modules/ajv/dist/core.js');
  expect(at(6)).toBe('server/app.ts');
  expect(at(7)).toBe('server/app.ts');
});

test('byPackage: self time per package, the project\'s folders and V8\'s own frames, idle left out', () => {
  const frame = (id: number, functionName: string, url: string, hitCount: number) => ({ id, callFrame: { functionName, url, lineNumber: 0 }, hitCount });
  const p: CpuProfile = {
    startTime: 0, endTime: 10_000, // 10 ms over 10 hits: 1 ms each
    nodes: [
      frame(1, '(idle)', '', 2), frame(2, 'compile', 'file:///x/node_modules/ajv/dist/core.js', 3),
      frame(3, 'send', 'file:///x/node_modules/@azure/msal-node/lib/a.js', 1), frame(4, 'route', 'file:///x/server/app.ts', 2),
      frame(5, 'wrapSafe', 'node:internal/modules/cjs/loader', 1), frame(6, '(garbage collector)', '', 1),
    ],
  };
  const s = byPackage(p);
  expect(s.busyMs).toBeCloseTo(8, 9);
  expect(Object.fromEntries(s.parts)).toEqual({ ajv: 3, '@azure/msal-node': 1, 'server/': 2, 'node (internals: module loading, streams)': 1, '(garbage collector)': 1 });
  expect(s.parts[0]![0]).toBe('ajv');
});
