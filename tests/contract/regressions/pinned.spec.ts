// Pinned regressions (fixtures/regressions.json, or CONFORMANCE_REGRESSIONS): shrunk counterexamples of
// earlier failures, replayed first in every profile. Each cites the requirement it once broke.
import { validators } from '../../../src/contract';
import { loadRegressions } from '../../../src/config/regressions';
import { loadRuntime } from '../../../src/config/runtime';
import { cite, test } from '../../../src/suite/suite';

const rt = loadRuntime();

test.describe('pinned regressions', () => {
  for (const r of rt.regressionsFile ? loadRegressions(rt.regressionsFile) : []) {
    test(r.description, cite(r.requirement, { needs: ['writes', 'create'] }), async ({ graph, check }) => {
      const body = r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? graph.mark(r.body as Record<string, unknown>) : r.body;
      const ex = await graph.create(body, { headers: r.headers });
      check.statusIs(ex, r.expect.status);
      if (r.expect.schema && ex.status === 201) check.conformsTo(ex, validators.entity, 'remoteActionAudit');
      if (r.expect.echo && ex.status === 201) check.echoes(ex, body as Record<string, unknown>);
    });
  }
});
