// The seed's example request, sent as written (plus the run marker): RAA-CREATE-201 … RAA-CREATE-ALLPROPS.
import { SEED_EXAMPLE_REQUEST, validators } from '../../../src/contract';
import { blockedBy, cite, needs, test, type Graph } from '../../../src/suite/suite';

/** The answer to creating `body`, when it is a 201 with a JSON body; otherwise RAA-CREATE-201's or RAA-CREATE-JSON's finding. */
async function createdEntity(graph: Graph, body: Record<string, unknown>) {
  const ex = await graph.create(body);
  blockedBy(test, ex.status !== 201 || ex.json === undefined, ex.status !== 201 ? 'RAA-CREATE-201' : 'RAA-CREATE-JSON', `no JSON entity (status ${ex.status})`);
  return ex;
}

test.describe('create: the seed example', needs('writes', 'create'), () => {
  test('the seed example is created with 201', cite('RAA-CREATE-201'), async ({ graph, check }) => {
    check.statusIs(await graph.create(graph.mark(SEED_EXAMPLE_REQUEST)), [201]);
  });

  test('the created entity is returned as JSON', cite('RAA-CREATE-JSON'), async ({ graph, check }) => {
    const ex = await graph.create(graph.mark(SEED_EXAMPLE_REQUEST));
    blockedBy(test, ex.status !== 201, 'RAA-CREATE-201', `not created (status ${ex.status})`);
    check.isJson(ex);
  });

  test('the created entity conforms to the schema', cite('RAA-CREATE-SCHEMA'), async ({ graph, check }) => {
    const ex = await createdEntity(graph, graph.mark(SEED_EXAMPLE_REQUEST));
    check.conformsTo(ex, validators.entity, 'remoteActionAudit');
  });

  test('every property sent is echoed', cite('RAA-CREATE-ECHO'), async ({ graph, check }) => {
    const body = graph.mark(SEED_EXAMPLE_REQUEST);
    const ex = await createdEntity(graph, body);
    check.echoes(ex, body);
  });

  test('each create gets a distinct non-empty id', cite('RAA-CREATE-ID'), async ({ graph, check }) => {
    const a = await graph.create(graph.mark(SEED_EXAMPLE_REQUEST));
    const b = await graph.create(graph.mark(SEED_EXAMPLE_REQUEST));
    blockedBy(test, a.status !== 201 || b.status !== 201, 'RAA-CREATE-201', `not created (status ${a.status}, ${b.status})`);
    check.distinctIds(a, b);
  });

  test('properties not sent are still returned', cite('RAA-CREATE-ALLPROPS'), async ({ graph, check }) => {
    const { deviceIMEI: _omitted, userName: _alsoOmitted, ...body } = graph.mark(SEED_EXAMPLE_REQUEST);
    const ex = await createdEntity(graph, body);
    check.allPropertiesPresent(ex);
  });

  test('requestDateTime is returned in UTC', cite('RAA-CREATE-DATETIME-UTC'), async ({ graph, check }) => {
    const ex = await createdEntity(graph, graph.mark(SEED_EXAMPLE_REQUEST));
    check.isUtc(ex);
  });
});
