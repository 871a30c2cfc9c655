// requestDateTime over the whole of Edm.DateTimeOffset (GRAPH-FACTS §11). Each row of fixtures/datetime-range.json
// is one test, so every run meets the edges; the properties draw from the whole range, weighted to its edges.
import type fc from 'fast-check';
import { dateTime, edgeDateTime } from '../../../src/checks/arbitraries';
import { caseBody, loadCases } from '../../../src/checks/cases';
import type { Checks } from '../../../src/checks/checks';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import type { Exchange } from '../../../src/transport/http';
import { draw, unobserved, type Unobserved } from '../../../src/checks/property';
import { blockedBy, cite, deleteEachTestsRecords, needs, property, test, type Graph } from '../../../src/suite/suite';

// Hundreds of records per property: each test deletes its own when it ends, so later lists stay short.
deleteEachTestsRecords();

const RANGE = 'RAA-CREATE-DATETIME-RANGE';
const EDGE = 'RAA-CREATE-DATETIME-EDGE';

/** What each requirement allows: inside the range only 201; at the edges §11 leaves open, 201 or 400 (never 5xx). */
const ALLOWED: Record<string, number[]> = { [RANGE]: [201], [EDGE]: [201, 400] };

/** Judges a create that sent `sent`: an allowed status and, on 201, the same instant back. */
function judge(check: Checks, sent: Record<string, unknown>, ex: Exchange): Unobserved | undefined {
  // A 2xx other than 201 is RAA-CREATE-201's finding, not the date-time's.
  if (ex.status >= 200 && ex.status < 300 && ex.status !== 201) return unobserved('RAA-CREATE-201', `create answered ${ex.status}`);
  check.statusIs(ex, ALLOWED[check.requirement]!);
  if (ex.status !== 201) return undefined;
  if (ex.json === undefined) return unobserved('RAA-CREATE-JSON', 'the 201 body is not JSON');
  // Only requestDateTime: the seed's strings are RAA-CREATE-ECHO's.
  check.echoes(ex, { requestDateTime: sent.requestDateTime });
  return undefined;
}

test.describe('create: requestDateTime across the range', needs('writes', 'create'), () => {
  for (const c of loadCases('datetime-range.json')) {
    test(c.description, cite(c.requirement), async ({ graph, check }) => {
      const body = graph.mark(caseBody(c)!);
      const ex = await graph.create(body);
      const blocked = judge(check, body, ex);
      if (blocked) blockedBy(test, true, blocked.by!, blocked.reason);
    });
  }

  const spec = (graph: Graph, check: Checks, times: fc.Arbitrary<string>) => {
    const requirement = check.requirement;
    return {
      requirement, ...draw(graph.runtime),
      arbitrary: times.map((t) => graph.mark({ ...SEED_EXAMPLE_REQUEST, requestDateTime: t })),
      send: (b: Record<string, unknown>) => graph.create(b),
      check: (b: Record<string, unknown>, ex: Exchange) => judge(check, b, ex),
      pin: { expectStatus: ALLOWED[requirement]! },
      afterChunk: graph.releaseSince(),
    };
  };

  test('every generated requestDateTime inside the range is created and echoed', cite(RANGE), async ({ graph, check }) => {
    await property(test, spec(graph, check, dateTime));
  });

  test('every generated requestDateTime whose offset crosses the range\'s edge is created and echoed, or refused with 400', cite(EDGE), async ({ graph, check }) => {
    await property(test, spec(graph, check, edgeDateTime));
  });
});
