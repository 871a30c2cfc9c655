// Pinned regressions (fixtures/regressions.json, or CONFORMANCE_REGRESSIONS): shrunk counterexamples of
// earlier failures, replayed first in every profile. Each cites the requirement it once broke.
import { validators } from '../../../src/contract';
import * as check from '../../../src/checks';
import { loadRegressions } from '../../../src/regressions';
import { loadRuntime } from '../../../src/runtime';
import { cite, requirePrincipal, requireWrites, test } from '../../../src/suite';

const rt = loadRuntime();

test.describe('pinned regressions', () => {
  for (const r of rt.regressionsFile ? loadRegressions(rt.regressionsFile) : []) {
    test(r.description, cite(r.requirement), async ({ graph }) => {
      requireWrites(test, graph.runtime);
      requirePrincipal(test, graph.actor('create'), 'a principal holding DeviceManagementManagedDevices.ReadWrite.All');
      const body = r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? graph.mark(r.body as Record<string, unknown>) : r.body;
      const ex = await graph.create(body, { headers: r.headers });
      check.statusIs(r.requirement, ex, r.expect.status);
      if (r.expect.schema && ex.status === 201) check.conformsTo(r.requirement, ex, validators.entity, 'remoteActionAudit');
      if (r.expect.echo && ex.status === 201) check.echoes(r.requirement, ex, body as Record<string, unknown>);
    });
  }
});
