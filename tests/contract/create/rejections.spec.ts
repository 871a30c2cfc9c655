// Each row of fixtures/create-cases.json is one test: a create request that must be refused.
import { loadCases, caseBody } from '../../../src/checks/cases';
import { cite, deleteEachTestsRecords, needs, test } from '../../../src/suite/suite';

test.describe('create: rejected requests', needs('writes', 'create'), () => {
  // A record exists here only when the server wrongly accepted it: it goes at once, so a later list never
  // meets a record holding a value the schema forbids (that is this test's finding, not the list's).
  deleteEachTestsRecords();

  for (const c of loadCases('create-cases.json')) {
    test(c.description, cite(c.requirement), async ({ graph, check }) => {
      const body = caseBody(c);
      const ex = await graph.create(body === undefined ? undefined : graph.mark(body), {
        raw: c.request.raw,
        contentType: c.request.contentType,
        headers: c.request.headers,
      });
      check.statusIs(ex, c.expect.status);
    });
  }
});
