// The defect matrix's second column: the differential run against each defect mode. The same seeded stream goes to a
// fresh embedded reference server and to the matrix's server with that one defect; a defect compare cannot tell
// apart from the clean server is a miss of compare's, as a defect no requirement fails is a miss of run's.
import { startEmbedded } from './target';
import { buildStream, SIZES } from '../compare/stream';
import { compareSides, matchRoles } from '../compare/compare';
import { Side } from '../compare/execute';
import { Transport, mapLimit } from '../transport/http';
import { MARKER_PREFIX } from '../config/runtime';
import type { Principal } from '../auth/principals';
import type { MatrixProject } from '../config/runtime';
import type { CompareColumn } from '../report/matrix';

/** How many defect modes are compared at once: the suite's run is over, so the cores are free. */
const AT_ONCE = 6;

async function compareOne(project: MatrixProject, principals: Principal[], seed: number): Promise<CompareColumn> {
  const reference = await startEmbedded([]);
  const transports = [new Transport({ timeoutMs: 15_000 }), new Transport({ timeoutMs: 15_000 })];
  try {
    const roles = matchRoles(principals, reference.principals);
    const steps = buildStream(seed, roles.roles, SIZES.quick!);
    const marker = `${MARKER_PREFIX}matrix-compare-${seed}/`;
    const result = await compareSides(steps, {
      reference: new Side('reference', reference.baseUrl, roles.reference, transports[0]!, marker),
      target: new Side('target', project.target, roles.target, transports[1]!, marker),
    });
    const g = result.groups[0];
    return {
      differences: result.diffs.length,
      ...(g ? { first: `${g.count} × ${g.kind} ${g.path}: ${g.change} (${[g.requirement, `in ${g.stepKinds.join(', ')}`].filter(Boolean).join('; ')})` } : {}),
      replay: `node bin/raa-conformance.mjs compare --defects ${project.name} --seed ${seed}`,
    };
  } finally {
    await Promise.all(transports.map((t) => t.close()));
    await reference.close();
  }
}

/** compare's verdict for each defect project (not the clean one), by name. */
export async function compareColumn(projects: MatrixProject[], principals: Principal[], seed: number): Promise<Map<string, CompareColumn>> {
  const defects = projects.filter((p) => p.defects.length > 0);
  return new Map(await mapLimit(defects, AT_ONCE, async (p) => [p.name, await compareOne(p, principals, seed)] as const));
}
