// Each row of fixtures/create-cases.json is one test: a create request that must be refused.
import { loadCases, caseBody } from '../../../src/cases';
import * as check from '../../../src/checks';
import { cite, deleteEachTestsRecords, requirePrincipal, requireWrites, test } from '../../../src/suite';

test.describe('create: rejected requests', () => {
  // A record exists here only when the server wrongly accepted it: it goes at once, so a later list never
  // meets a record holding a value the schema forbids (that is this test's finding, not the list's).
  deleteEachTestsRecords();
  test.beforeEach(({ graph }) => {
    requireWrites(test, graph.runtime);
    requirePrincipal(test, graph.actor('create'), 'a principal holding DeviceManagementManagedDevices.ReadWrite.All');
  });

  for (const c of loadCases('create-cases.json')) {
    test(c.description, cite(c.requirement), async ({ graph }) => {
      const body = caseBody(c);
      const ex = await graph.create(body === undefined ? undefined : graph.mark(body), {
        raw: c.request.raw,
        contentType: c.request.contentType,
        headers: c.request.headers,
      });
      check.statusIs(c.requirement, ex, c.expect.status);
    });
  }
});
