// `raa-conformance drift`: the suite's contract against a CSDL document (src/metadata/drift.ts).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../config/config';
import { EXIT } from '../report/exit-code';
import { UsageError } from './errors';

export const help = `Usage: raa-conformance drift [--csdl FILE|URL] [--permissions FILE|URL ...] [--report-dir DIR]

Compares the suite's contract (schemas/entity.ts: properties, types, nullability; schemas/enums.ts: members,
their order, where unknownFutureValue sits) with a CSDL document: a file, or an http(s) URL such as a target's
$metadata. Prints what was added, removed, retyped (type or nullability) or reordered, and for each change the
current requirements it would make wrong. Members and properties newer than the seed are printed as known.
With --permissions, also compares Microsoft's permissions data (Kibali format, e.g. microsoft-graph-devx-content
permissions/new/permissions.json) with the slice the suite was checked with: every permission, scheme or method
added or removed for /deviceManagement/remoteActionAudits, and the RAA-PERM-* requirements it would make wrong.
Writes DIR/drift.json and DIR/drift.md (and, in GitHub Actions, the job summary); the conformance page shows them.
  --csdl FILE|URL       the document, e.g. fixtures/csdl/beta-remoteActionAudit-slice.xml or https://graph.microsoft.com/beta/$metadata
  --permissions FILE|URL  a permissions document (repeat it for documents split by permission family), e.g.
                        fixtures/permissions/remoteActionAudits.permissions.json or
                        https://raw.githubusercontent.com/microsoftgraph/microsoft-graph-devx-content/master/permissions/new/permissions.json
  --report-dir DIR      where drift.json and drift.md go (CONFORMANCE_REPORT_DIR, default reports/)

Exit codes: 0 nothing touches a MUST requirement; 1 a change does; 2 bad input (a file that cannot be read, a
document that is not CSDL or declares no remoteActionAudit, or not a permissions document, a URL that does not answer).

Example:
  raa-conformance drift --csdl 'https://graph.microsoft.com/beta/$metadata' \\
    --permissions https://raw.githubusercontent.com/microsoftgraph/microsoft-graph-devx-content/master/permissions/new/permissions.json`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { csdl: { type: 'string' }, permissions: { type: 'string', multiple: true }, 'report-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(help + '\n'); return EXIT.ok; }
  if (!values.csdl && !values.permissions?.length) throw new UsageError('drift: --csdl FILE|URL or --permissions FILE|URL is required (a CSDL file or a target\'s $metadata URL; a permissions document)', 'drift');
  // Only the environment's names and values are checked: reading a document needs no principals, even with a target set.
  const env = readEnvironment({ CONFORMANCE_REPORT_DIR: values['report-dir'] });
  const { runDrift } = await import('../metadata/drift');
  return runDrift({ ...(values.csdl ? { csdl: values.csdl } : {}), ...(values.permissions?.length ? { permissions: values.permissions } : {}) }, resolve(env.CONFORMANCE_REPORT_DIR ?? 'reports'), env.CONFORMANCE_TIMEOUT_MS ? Number(env.CONFORMANCE_TIMEOUT_MS) : undefined);
}
