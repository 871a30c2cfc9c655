// Two normalised answers to the same step, and what differs between them after the noise learnt from the reference
// itself; then the differences grouped by cause, so a thousand samples of one cause read as one line.
import { ORACLE_PATH, type Fields } from './normalise';
import type { Step } from './stream';

export const DIFFERENCE_KINDS = ['status', 'header', 'body field', 'sequence outcome', 'every-response oracle'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export interface Difference {
  step: number;
  kind: DifferenceKind;
  path: string;
  reference: string;
  target: string;
  requirement?: string;
}

export interface Group {
  kind: DifferenceKind;
  /** The path with handles and the entity's place taken out: `entity/deviceIMEI`, `header location`. */
  path: string;
  /** What became what: `201 → 200`, `a value → (absent)`. */
  change: string;
  count: number;
  requirement?: string;
  /** The step kinds it was seen in. */
  stepKinds: string[];
  /** The first step showing it (its replay line reproduces it). */
  example: number;
}

const ABSENT = '(not in the answer)';

/** The path without handles, and an entity's fields under one name wherever the entity was seen. */
export function genericPath(path: string): string {
  return path.replace(/^(body|list record #\d+)(\/| id)/, 'entity$2').replace(/#\d+/g, '#k');
}

/** Where noise is learnt and looked up: the step's kind and the generic path. */
export const noiseKey = (step: Step, path: string) => `${step.kind} | ${genericPath(path)}`;

/** Paths whose values differ between two answers (a path in one only differs too). */
function differingPaths(a: Fields, b: Fields): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((p) => a[p] !== b[p]);
}

/** An oracle's finding is never noise: a correct reference has none, so one seen on it is no licence for the target. */
const isOracle = (path: string) => path.startsWith(ORACLE_PATH);

/** The noise the reference shows against itself: keys whose values differ between two of its runs, with counts. */
export function learnNoise(steps: readonly Step[], first: readonly Fields[], second: readonly Fields[], into = new Map<string, number>()): Map<string, number> {
  steps.forEach((step, i) => {
    for (const p of differingPaths(first[i]!, second[i]!).filter((x) => !isOracle(x))) into.set(noiseKey(step, p), (into.get(noiseKey(step, p)) ?? 0) + 1);
  });
  return into;
}

const HEADER_REQUIREMENTS: Record<string, string> = {
  'header request-id': 'RAA-HDR-REQUEST-ID', 'header client-request-id': 'RAA-HDR-CLIENT-REQUEST-ID', 'header location': 'RAA-HDR-LOCATION',
  'header allow': 'RAA-METHOD-405', 'error envelope': 'RAA-ERROR-ENVELOPE', 'error code': 'RAA-AUTH-CODE',
};
const METADATA_REQUIREMENTS: Record<string, string> = { property: 'RAA-META-ENTITY', key: 'RAA-META-ENTITY', member: 'RAA-META-ENUMS', enum: 'RAA-META-ENUMS', navigation: 'RAA-META-NAV' };

/** The requirement a difference at `path` touches: a header's or an annotation's own, else the step's. */
function requirementOf(step: Step, path: string, target: string): string | undefined {
  if (isOracle(path)) return path.slice(ORACLE_PATH.length);
  if (path === 'status' && /^5\d\d$/.test(target)) return 'RAA-NO-5XX';
  if (HEADER_REQUIREMENTS[path]) return HEADER_REQUIREMENTS[path];
  if (path === 'header content-type') return step.target === 'metadata' ? 'RAA-META-SERVED' : step.method === 'POST' ? 'RAA-CREATE-JSON' : step.requirement;
  if (path.endsWith('/@odata.context')) return 'RAA-ODATA-CONTEXT';
  if (path.endsWith('times listed') || /^list record #\d+$/.test(path)) return 'RAA-LIST-PAGES';
  if (path === 'list pages within $top') return 'RAA-LIST-TOP';
  if (path.startsWith('metadata ')) return METADATA_REQUIREMENTS[path.split(' ')[2]!] ?? 'RAA-META-SERVED';
  if (path === 'body id' && step.creates !== undefined) return 'RAA-CREATE-ID';
  return step.requirement;
}

function kindOf(step: Step, path: string): DifferenceKind {
  if (isOracle(path)) return 'every-response oracle';
  if (path.startsWith('at once #') || path === 'ids of the creates') return 'sequence outcome';
  if (path.startsWith('header') || path.startsWith('error ')) return 'header';
  if (path === 'status') return step.record !== undefined && step.record >= 0 ? 'sequence outcome' : 'status';
  if (/^list record #\d+$/.test(path) || path.endsWith('times listed') || path.startsWith('list page')) return 'sequence outcome';
  return 'body field';
}

/** Which of this run's records a list shows. */
const listed = (f: Fields) => new Set(Object.keys(f).map((p) => /^list record #(\d+) id$/.exec(p)?.[1]).filter((k): k is string => k !== undefined));

/**
 * What differs between the reference's and the target's answer to `step`, noise aside. A different status says it
 * all (the body follows from it); a record only one side lists is one difference, not one per property.
 */
export function differences(step: Step, ref: Fields, tgt: Fields, noise: ReadonlyMap<string, number>): Difference[] {
  const make = (path: string, r: string, t: string): Difference => {
    const requirement = requirementOf(step, path, t);
    return { step: step.index, kind: kindOf(step, path), path, reference: r, target: t, ...(requirement ? { requirement } : {}) };
  };
  if (ref.status !== tgt.status && !noise.has(noiseKey(step, 'status'))) return [make('status', ref.status ?? ABSENT, tgt.status ?? ABSENT)];
  const [inRef, inTgt] = [listed(ref), listed(tgt)];
  const onlyOne = new Set([...inRef, ...inTgt].filter((k) => inRef.has(k) !== inTgt.has(k)));
  const out: Difference[] = [...onlyOne].map((k) => make(`list record #${k}`, inRef.has(k) ? 'listed' : 'not listed', inTgt.has(k) ? 'listed' : 'not listed'));
  for (const p of differingPaths(ref, tgt)) {
    const k = /^list record #(\d+)/.exec(p)?.[1];
    if ((k !== undefined && onlyOne.has(k)) || noise.has(noiseKey(step, p))) continue;
    const none = isOracle(p) ? 'nothing found' : ABSENT;
    out.push(make(p, ref[p] ?? none, tgt[p] ?? none));
  }
  return out;
}

/** A value's class for grouping: the literal for short enumerations, else what sort of value it is. */
function valueClass(v: string): string {
  if (v.startsWith('(') || v.length <= 24 && !v.startsWith('"') && !v.startsWith('instant')) return v;
  return v.startsWith('instant') ? 'an instant' : v.startsWith('"') ? 'a string' : 'a value';
}

function changeOf(d: Difference): string {
  if (d.kind === 'status' || d.kind === 'sequence outcome' && d.path === 'status') return `${d.reference} → ${d.target}`;
  const [r, t] = [valueClass(d.reference), valueClass(d.target)].map((v) => v.replace(/#\d+/g, '#k'));
  return r === t ? `${r} → another ${r.replace(/^an? /, '')}` : `${r} → ${t}`;
}

/** The cause a difference is grouped under. */
export const groupKey = (d: Difference) => `${d.kind}|${genericPath(d.path)}|${changeOf(d)}`;

/** The differences by cause (kind, generic path, change), largest first. */
export function groupDifferences(diffs: readonly Difference[], steps: readonly Step[]): Group[] {
  const groups = new Map<string, Group>();
  const tally = new Map<string, number>();
  for (const d of diffs) {
    const path = genericPath(d.path);
    const change = changeOf(d);
    const key = groupKey(d);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { kind: d.kind, path, change, count: 0, stepKinds: [], example: d.step, ...(d.requirement ? { requirement: d.requirement } : {}) }));
    g.count++;
    const sk = steps[d.step]!.kind;
    if (!g.stepKinds.includes(sk)) g.stepKinds.push(sk);
    if (d.requirement) tally.set(`${key}|${d.requirement}`, (tally.get(`${key}|${d.requirement}`) ?? 0) + 1);
  }
  // A group names the requirement most of its samples touch.
  for (const [key, g] of groups) {
    const best = [...tally].filter(([k]) => k.startsWith(`${key}|`)).sort((a, b) => b[1] - a[1])[0];
    if (best) g.requirement = best[0].slice(key.length + 1);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || DIFFERENCE_KINDS.indexOf(a.kind) - DIFFERENCE_KINDS.indexOf(b.kind));
}
