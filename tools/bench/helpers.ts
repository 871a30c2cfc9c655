// Pure helpers of the bench: arithmetic, /proc parsing, process trees and the table. No I/O, so
// tests/self/bench.spec.ts can check them without running anything.

/** A value in kB from a /proc/<pid>/status text (`VmHWM:   123456 kB`); undefined when the field is absent. */
export function procStatusKb(status: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) : undefined;
}

/** The parent pid from a /proc/<pid>/stat line (the command may contain spaces and parentheses). */
export function parentPid(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** Every pid below `root` in a pid → parent map (not `root` itself), nearest first. */
export function descendants(parents: ReadonlyMap<number, number>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  const seen = new Set<number>([root]);
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export type Role = 'worker' | 'runner' | 'cli' | 'other';

/** What a process of a conformance run is, from its command line (NUL-separated as in /proc/<pid>/cmdline). */
export function roleOf(cmdline: string): Role {
  const c = cmdline.replace(/\0/g, ' ');
  if (/playwright[\\/]lib[\\/](worker[\\/])?workerProcessEntry|[\\/]workerMain/.test(c)) return 'worker';
  if (/@playwright[\\/]test[\\/]cli\.js|playwright[\\/]cli\.js/.test(c)) return 'runner';
  if (/raa-conformance\.mjs/.test(c)) return 'cli';
  return 'other';
}

export interface Fit {
  /** Cost of one more case (ms). */
  slopeMs: number;
  /** Cost at zero cases (ms): start-up, fixed tests, reports. */
  interceptMs: number;
  /** Coefficient of determination of the fit. */
  r2: number;
}

/** Ordinary least squares y = intercept + slope·x. */
export function linearFit(points: readonly { x: number; y: number }[]): Fit {
  const n = points.length;
  if (n < 2) throw new Error('a fit needs at least two points');
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  if (sxx === 0) throw new Error('a fit needs at least two distinct x');
  const slopeMs = sxy / sxx;
  const interceptMs = my - slopeMs * mx;
  const ssRes = points.reduce((s, p) => s + (p.y - (interceptMs + slopeMs * p.x)) ** 2, 0);
  return { slopeMs, interceptMs, r2: syy === 0 ? 1 : 1 - ssRes / syy };
}

/** `count` events in `ms` milliseconds, per second. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}

/** Rate achieved by events at these instants (ms): (n − 1) intervals over the span from first to last. */
export function achievedRate(instantsMs: readonly number[]): number {
  if (instantsMs.length < 2) return 0;
  const sorted = [...instantsMs].sort((a, b) => a - b);
  return perSecond(sorted.length - 1, sorted[sorted.length - 1]! - sorted[0]!);
}

export function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? numerator / denominator : 0;
}

export type Comparator = '>=' | '<=';

export interface Goal {
  op: Comparator;
  value: number;
}

export function meets(value: number | undefined, goal: Goal | undefined): boolean | undefined {
  if (goal === undefined || value === undefined || !Number.isFinite(value)) return undefined;
  return goal.op === '>=' ? value >= goal.value : value <= goal.value;
}

export interface Row {
  id: string;
  figure: string;
  value?: number;
  unit?: string;
  goal?: Goal;
  /** A goal in words when it is not a number (e.g. "report"). */
  goalText?: string;
  met?: boolean;
  note?: string;
}

/** Fixed precision that keeps 3 significant digits for small numbers and none for large. */
export function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

export function goalText(r: Row): string {
  if (r.goal) return `${r.goal.op === '>=' ? '≥' : '≤'} ${fmt(r.goal.value)}${r.unit && r.unit !== '×' ? ` ${r.unit}` : ''}`;
  return r.goalText ?? '';
}

/** The table the bench prints: figure, value, goal, met. */
export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [r.id, r.figure, `${fmt(r.value)}${r.unit ? ` ${r.unit}` : ''}`, goalText(r), r.met === undefined ? '' : r.met ? 'met' : 'NOT MET']);
  const head = ['#', 'figure', 'measured', 'goal', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => [...c[i]!].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 2 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** The parts of a V8 .cpuprofile the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface HotSpot {
  fn: string;
  /** Share of all samples spent in the function itself. */
  selfPct: number;
  /** Share of samples with the function anywhere on the stack. */
  totalPct: number;
}

/** `file:///…/node_modules/x/y.js` → `node_modules/x/y.js:12`, `file:///…/server/app.ts` → `server/app.ts:12`. */
export function shortLocation(url: string, line: number): string {
  return `${url.replace(/^.*\/(node_modules\/)/, '$1').replace(/^file:\/\/.*?\/(src|server|schemas)\//, '$1/')}:${line}`;
}

/** For a bundle: the source module a 1-based line belongs to, from the `// path.ts` comments esbuild puts before each module. */
export function bundleModules(bundleText: string): (line: number) => string | undefined {
  const starts: [number, string][] = [];
  bundleText.split('\n').forEach((l, i) => {
    const m = /^\/\/ ((?:node_modules\/)?\S+\.(?:[cm]?[jt]s|json))$/.exec(l);
    if (m) starts.push([i + 1, m[1]!]);
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]![0] <= line) { found = starts[mid]![1]; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  };
}

/** Self and inclusive shares per function (name + file + line), highest self share first. */
export function hotSpots(p: CpuProfile, top = 15, where: (url: string, line: number) => string = shortLocation): HotSpot[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url ? where(f.url, f.lineNumber + 1) : ''}`.trim();
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    all += hits;
    const k = keyOf(n.id);
    self.set(k, (self.get(k) ?? 0) + hits);
    const onStack = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) onStack.add(keyOf(id));
    for (const s of onStack) total.set(s, (total.get(s) ?? 0) + hits);
  }
  if (all === 0) return [];
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([fn, hits]) => ({ fn, selfPct: (100 * hits) / all, totalPct: (100 * (total.get(fn) ?? hits)) / all }));
}

/** Inclusive share of the functions whose key matches `pattern` (e.g. a file), counted once per sample. */
export function inclusiveShare(p: CpuProfile, pattern: RegExp): number {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let all = 0;
  let hit = 0;
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    all += hits;
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (pattern.test(`${f.functionName} ${f.url}`)) { hit += hits; break; }
    }
  }
  return all ? (100 * hit) / all : 0;
}

/** The middle value (the mean of the two middle ones for an even count); undefined for none. */
export function median(xs: readonly number[]): number | undefined {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1]! + v[mid]!) / 2;
}

/** Where a process's CPU went, by package: node_modules/<package>, the project's folders, Node's internals, V8's own. */
export interface PackageShare { busyMs: number; parts: [string, number][] }

/** Self time per package (ms), idle left out: a quick run's fixed cost is mostly module loading, and this names whose. */
export function byPackage(p: CpuProfile, top = 8): PackageShare {
  const hits = p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
  const msPerHit = hits ? (p.endTime - p.startTime) / 1000 / hits : 0;
  const parts = new Map<string, number>();
  for (const n of p.nodes) {
    const f = n.callFrame;
    if (!n.hitCount || f.functionName === '(idle)') continue;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f.url)?.[1];
    const folder = /\/(src|server|schemas|tests|tools)\//.exec(f.url)?.[1];
    const key = pkg ?? (f.url.startsWith('node:') ? 'node (internals: module loading, streams)'
      : folder ? `${folder}/`
      : f.url ? 'other' : f.functionName.startsWith('(') ? f.functionName : 'native (syscalls, V8 builtins)');
    parts.set(key, (parts.get(key) ?? 0) + n.hitCount * msPerHit);
  }
  const sorted = [...parts].sort((a, b) => b[1] - a[1]);
  return { busyMs: sorted.reduce((a, [, ms]) => a + ms, 0), parts: sorted.slice(0, top) };
}
