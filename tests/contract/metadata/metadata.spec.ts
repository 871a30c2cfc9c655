// The target's own description, GET {target}/$metadata, against the contract: the document is CSDL XML, it
// declares remoteActionAudit with the seed's properties, types and nullability, the seed's enum members in order,
// and the contained collection under deviceManagement. A target that serves none (404) is not tested unless the run
// requires it (--require-metadata).
import * as metadata from '../../../src/checks/checks-metadata';
import { parseCsdl, type CsdlModel } from '../../../src/metadata/csdl';
import type { Exchange } from '../../../src/transport/http';
import { blockedBy, cite, notTested, test, type Graph } from '../../../src/suite/suite';

const NO_METADATA = 'the target serves no $metadata';

/** One GET per target and worker: Graph's document is several megabytes, and every test here reads the same one. */
const fetched = new Map<string, Promise<Exchange>>();

function fetchMetadata(graph: Graph): Promise<Exchange> {
  const url = `${graph.runtime.target}/$metadata`;
  let ex = fetched.get(url);
  if (!ex) {
    // Graph serves $metadata without a token; a principal that may list is sent all the same, for targets that want one.
    const as = graph.actor('list');
    ex = (async () => graph.transport.send({ method: 'GET', url, headers: { Accept: 'application/xml', ...(as ? { Authorization: `Bearer ${await graph.bearer(as)}` } : {}) } }))();
    fetched.set(url, ex);
    ex.catch(() => fetched.delete(url));
  }
  return ex;
}

/** The document, read; ends the test as not tested (no $metadata) or blocked by RAA-META-SERVED when there is none to judge. */
async function described(graph: Graph): Promise<{ ex: Exchange; model: CsdlModel }> {
  const ex = await fetchMetadata(graph);
  notTested(test, ex.status === 404 && !graph.runtime.requireMetadata, 'target', NO_METADATA);
  blockedBy(test, ex.status !== 200, 'RAA-META-SERVED', `$metadata answered ${ex.status}`);
  let model: CsdlModel | undefined;
  try { model = parseCsdl(ex.text); } catch { /* RAA-META-SERVED's finding, whatever the media type */ }
  blockedBy(test, model === undefined, 'RAA-META-SERVED', '$metadata is not a CSDL document');
  return { ex, model: model! };
}

test.describe('$metadata', () => {
  test('$metadata answers 200 with CSDL XML labelled application/xml', cite('RAA-META-SERVED'), async ({ graph, check }) => {
    const ex = await fetchMetadata(graph);
    notTested(test, ex.status === 404 && !graph.runtime.requireMetadata, 'target', NO_METADATA);
    check.statusIs(ex, [200]);
    check.bind(metadata).isCsdl(ex);
  });

  test('$metadata declares remoteActionAudit with key id and the seed properties, types and nullability', cite('RAA-META-ENTITY'), async ({ graph, check }) => {
    const { ex, model } = await described(graph);
    check.bind(metadata).declaresEntity(ex, model);
  });

  test("$metadata lists remoteAction's and actionState's seed members in order, newer members after unknownFutureValue", cite('RAA-META-ENUMS'), async ({ graph, check }) => {
    const { ex, model } = await described(graph);
    check.bind(metadata).declaresEnums(ex, model);
  });

  test('$metadata declares deviceManagement/remoteActionAudits as a contained collection', cite('RAA-META-NAV'), async ({ graph, check }) => {
    const { ex, model } = await described(graph);
    check.bind(metadata).declaresNavigation(ex, model);
  });
});
