// `drift --permissions`: a newer copy of Microsoft's permissions data against the checked-in slice, each permission,
// scheme or method added or removed for the resource named with the requirements (RAA-PERM-*) it would make wrong.
import { requirementsById, type Level, type PermissionMatrix } from '../contract';
import { grantsOf, placeIn, SCHEME_TYPES, sliceForResource, suiteMatrix, type Grant, type PermissionsDocument } from './permissions';
import type { DriftChange, DriftRequirement } from './drift';

const PATHS = { collection: '/deviceManagement/remoteActionAudits', item: '/deviceManagement/remoteActionAudits/{id}' } as const;

/** The requirements that rest on the permission matrix, and what each expects of a cell. */
export const PERMISSION_RELIES_ON = {
  allow: { ids: ['RAA-PERM-ALLOW'], because: 'the suite expects a principal holding a permission the matrix lists to be allowed, and picks its actors by it' },
  deny: { ids: ['RAA-PERM-DENY', 'RAA-PERM-DENY-403'], because: 'the suite expects a principal holding none of the listed permissions to be refused' },
  personal: { ids: ['RAA-PERM-PERSONAL'], because: 'the suite expects a personal Microsoft account to be refused' },
  undocumented: { ids: ['RAA-PERM-UNDOCUMENTED'], because: 'the suite expects the permission no page lists for the operation to be refused (tentative)' },
} as const satisfies Record<string, { ids: readonly string[]; because: string }>;

type Fact = keyof typeof PERMISSION_RELIES_ON;

function requirementsOf(facts: Fact[]): DriftRequirement[] {
  return [...new Set(facts.flatMap((f) => PERMISSION_RELIES_ON[f].ids))].map((id) => {
    const r = requirementsById.get(id);
    if (!r) throw new Error(`src/metadata/permission-drift.ts names ${id}, which schemas/requirements.json does not have`);
    return { id, level: r.level as Level, tentative: r.tentative };
  });
}

/** What one grant gained or lost would make wrong, from where the matrix puts it; empty facts with a reason when nothing. */
function judge(g: Grant, added: boolean, matrix: PermissionMatrix): { facts: Fact[]; note: string } {
  const type = SCHEME_TYPES[g.scheme];
  if (!g.operation || !type) return { facts: [], note: `${g.method} on ${PATHS[g.path]}${type ? '' : ` under scheme ${g.scheme}`} is no operation the suite judges` };
  const place = placeIn(matrix, g.operation, type, g.permission);
  const cell = `${g.operation} by ${type}`;
  if (added) {
    if (place === 'permissions') return { facts: [], note: `${cell}: the matrix already allows it` };
    if (place === 'uncertain') return { facts: [], note: `${cell}: uncertain in the matrix, no test asserts it` };
    if (place === 'undocumented') return { facts: ['undocumented'], note: `${cell}: the matrix expects it refused` };
    return { facts: [type === 'delegated-personal' ? 'personal' : 'deny'], note: `${cell}: the matrix does not list it` };
  }
  if (place === 'permissions') return { facts: ['allow'], note: `${cell}: the matrix lists it as allowed` };
  return { facts: [], note: `${cell}: the matrix ${place === 'absent' ? 'already refuses it' : place === 'uncertain' ? 'leaves it uncertain' : 'already expects it refused'}` };
}

const grantKey = (g: Grant) => `${g.permission}|${g.scheme}|${g.method}|${g.path}`;

/** One change for the grants of a group (a whole permission, one of its schemes, or one method on one path). */
function change(subject: DriftChange['subject'], name: string, grants: Grant[], added: boolean, matrix: PermissionMatrix, what: string): DriftChange {
  const judged = grants.map((g) => judge(g, added, matrix));
  const facts = [...new Set(judged.flatMap((j) => j.facts))];
  const cells = [...new Set(judged.map((j) => j.note))];
  return {
    kind: added ? 'added' : 'removed', subject, name, detail: `${what}: ${cells.join('; ')}`, known: false, requirements: requirementsOf(facts),
    because: facts.length ? facts.map((f) => PERMISSION_RELIES_ON[f].because).join('; ') : 'no requirement rests on these cells',
  };
}

/** The changes between `before` and `after`, grouped: a permission gone or new, else a scheme, else a method on a path. */
function grouped(diff: Grant[], other: Grant[], added: boolean, matrix: PermissionMatrix): DriftChange[] {
  const out: DriftChange[] = [];
  const verb = added ? 'now grants' : 'no longer grants';
  const hasPermission = new Set(other.map((g) => g.permission));
  const hasScheme = new Set(other.map((g) => `${g.permission}|${g.scheme}`));
  const by = <K extends string>(list: Grant[], key: (g: Grant) => K) => list.reduce((m, g) => m.set(key(g), [...(m.get(key(g)) ?? []), g]), new Map<K, Grant[]>());
  const methods = (gs: Grant[]) => [...new Set(gs.map((g) => `${g.method} ${PATHS[g.path]}`))].join(', ');
  const rest: Grant[] = [];
  for (const [permission, gs] of by(diff, (g) => g.permission)) {
    if (!hasPermission.has(permission)) out.push(change('permission', permission, gs, added, matrix, `${added ? 'new for' : 'gone from'} this resource; ${verb} ${methods(gs)} (${[...new Set(gs.map((g) => g.scheme))].join(', ')})`));
    else rest.push(...gs);
  }
  const methodLevel: Grant[] = [];
  for (const [key, gs] of by(rest, (g) => `${g.permission}|${g.scheme}`)) {
    const [permission, scheme] = key.split('|') as [string, string];
    if (!hasScheme.has(key)) out.push(change('scheme', `${permission} ${scheme}`, gs, added, matrix, `${verb} anything under ${scheme}: ${methods(gs)}`));
    else methodLevel.push(...gs);
  }
  for (const [, gs] of by(methodLevel, (g) => `${g.permission}|${g.method}|${g.path}`)) {
    const g = gs[0]!;
    out.push(change('method', `${g.permission} ${g.method} ${PATHS[g.path]}`, gs, added, matrix, `${verb} ${g.method} ${PATHS[g.path]} under ${gs.map((x) => x.scheme).join(', ')}`));
  }
  return out;
}

/** Every permission, scheme or method added or removed for the resource between the checked-in slice and `after`. */
export function comparePermissions(before: PermissionsDocument, after: PermissionsDocument, matrix: PermissionMatrix = suiteMatrix): DriftChange[] {
  const a = grantsOf(sliceForResource(before));
  const b = grantsOf(sliceForResource(after));
  const inA = new Set(a.map(grantKey));
  const inB = new Set(b.map(grantKey));
  return [...grouped(a.filter((g) => !inB.has(grantKey(g))), b, false, matrix), ...grouped(b.filter((g) => !inA.has(grantKey(g))), a, true, matrix)];
}
