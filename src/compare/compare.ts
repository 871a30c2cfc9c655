// A differential run: one stream, sent in lockstep to the reference, to a second run of the reference (to learn
// its noise) and to the target; each answer normalised, and what differs after the noise grouped by cause.
import type { Principal } from '../auth/principals';
import { decide } from '../contract';
import type { Side, Observation } from './execute';
import { differences, groupDifferences, learnNoise, type Difference, type Group } from './diff';
import { normalise, type Fields } from './normalise';
import type { Role, Step } from './stream';

export interface CompareResult {
  steps: Step[];
  noise: Map<string, number>;
  diffs: Difference[];
  groups: Group[];
  /** Each step's observation on the reference and the target, for the samples. */
  reference: Observation[];
  target: Observation[];
}

/**
 * The roles both sides can play: a target principal and the reference principal of the same name, else of the same
 * kind (type, permissions, token state, tenant or not). A role only one side has is left out.
 */
export function matchRoles(target: readonly Principal[], reference: readonly Principal[]): { roles: Role[]; target: Map<string, Principal>; reference: Map<string, Principal> } {
  const homeOf = (ps: readonly Principal[]) => ps.find((p) => p.tokenState === 'valid' && decide('create', p.type, p.permissions) === 'allowed')?.tenant;
  const [tHome, rHome] = [homeOf(target), homeOf(reference)];
  const signature = (p: Principal, home: string | undefined) => `${p.type}|${[...p.permissions].sort().join(' ')}|${p.tokenState}|${p.tenant !== home}`;
  const out = { roles: [] as Role[], target: new Map<string, Principal>(), reference: new Map<string, Principal>() };
  const used = new Set<Principal>();
  for (const t of target) {
    const r = reference.find((x) => x.name === t.name && !used.has(x)) ?? reference.find((x) => !used.has(x) && signature(x, rHome) === signature(t, tHome));
    if (!r) continue;
    used.add(r);
    out.target.set(t.name, t);
    out.reference.set(t.name, r);
    out.roles.push({ name: t.name, type: t.type, permissions: t.permissions, tokenState: t.tokenState, otherTenant: t.tenant !== tHome });
  }
  return out;
}

/** Sends `steps` (up to `last`) to every side in lockstep: each step goes to all before the next is sent. */
async function lockstep(steps: readonly Step[], sides: readonly Side[], last: number): Promise<Observation[][]> {
  const out: Observation[][] = sides.map(() => []);
  for (const step of steps.slice(0, last + 1)) {
    const answers = await Promise.all(sides.map((s) => s.send(step)));
    answers.forEach((a, i) => out[i]!.push(a));
  }
  return out;
}

export interface CompareSides {
  reference: Side;
  /** A second run of the reference for the noise; none: noise is not learnt. */
  referenceAgain?: Side;
  target: Side;
}

/** Runs the comparison; `replay` limits it to the steps up to that one and reports that step's differences only. */
export async function compareSides(steps: Step[], sides: CompareSides, replay?: number): Promise<CompareResult> {
  const all = [sides.reference, ...(sides.referenceAgain ? [sides.referenceAgain] : []), sides.target];
  const observed = await lockstep(steps, all, replay ?? steps.length - 1);
  const [ref, tgt] = [observed[0]!, observed[observed.length - 1]!];
  const fields = (obs: Observation[], side: Side): Fields[] => obs.map((o) => normalise(o, side));
  const refFields = fields(ref, sides.reference);
  // A replay sends the steps up to its own: the noise is learnt over those.
  const noise = sides.referenceAgain ? learnNoise(steps.slice(0, ref.length), refFields, fields(observed[1]!, sides.referenceAgain)) : new Map<string, number>();
  const tgtFields = fields(tgt, sides.target);
  const diffs = refFields.flatMap((f, i) => (replay === undefined || i === replay ? differences(steps[i]!, f, tgtFields[i]!, noise) : []));
  return { steps: steps.slice(0, ref.length), noise, diffs, groups: groupDifferences(diffs, steps), reference: ref, target: tgt };
}
