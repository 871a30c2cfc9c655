// Graph's correlation headers: request-id on every response, client-request-id echoed (GRAPH-FACTS §5); and the
// Location of a 201, which must name the record it created when a target sends one (§6).
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { blockedBy, cite, notTested, recordFor, test, type Graph, type Need, type SendOptions } from '../../../src/suite/suite';

const RESPONSES: { what: string; needs: Need[]; request: (g: Graph) => SendOptions }[] = [
  { what: 'a 201 create', needs: ['writes'], request: (g) => ({ method: 'POST', json: g.mark(SEED_EXAMPLE_REQUEST), as: g.actor('create') }) },
  { what: 'a 400 create', needs: ['writes'], request: (g) => ({ method: 'POST', json: g.mark({ ...SEED_EXAMPLE_REQUEST, action: 'notAnAction' }), as: g.actor('create') }) },
  { what: 'a 401', needs: [], request: () => ({ method: 'GET', as: null }) },
  { what: 'a 200 list', needs: [], request: (g) => ({ method: 'GET', query: '$top=1', as: g.actor('list') }) },
];

test.describe('headers', () => {
  for (const { what, needs, request } of RESPONSES) {
    test(`${what} carries request-id`, cite('RAA-HDR-REQUEST-ID', { needs }), async ({ graph, check }) => {
      check.hasHeader(await graph.send(request(graph)), 'request-id');
    });

    test(`${what} echoes client-request-id`, cite('RAA-HDR-CLIENT-REQUEST-ID', { needs }), async ({ graph, check }) => {
      const id = randomUUID();
      const req = request(graph);
      const ex = await graph.send({ ...req, headers: { ...(req.headers ?? {}), 'client-request-id': id } });
      check.headerEquals(ex, 'client-request-id', id);
    });
  }
});

test('the Location of a 201 leads to the record created', cite('RAA-HDR-LOCATION-RESOLVES', { needs: ['writes', 'create', 'get'] }), async ({ graph, check }) => {
  const { ex } = await recordFor(test, graph, SEED_EXAMPLE_REQUEST, 'get');
  const location = ex.headers.location;
  notTested(test, location === undefined, 'target', 'the 201 carries no Location (whether it must is RAA-HDR-LOCATION, a MAY)');
  const url = check.linkWithinTarget(ex, location, graph.runtime.target);
  // Requests go only to the collection's URLs (any other path may not be this resource's).
  notTested(test, !url.startsWith(graph.collectionUrl), 'target', `the Location ${url} is not under the collection ${graph.collectionUrl}`);
  const read = await graph.send({ method: 'GET', path: url.slice(graph.collectionUrl.length), as: graph.actor('get') });
  blockedBy(test, read.status >= 500, 'RAA-NO-5XX', `GET ${url} answered ${read.status}`);
  check.statusIs(read, [200]);
  check.sameRecord(read, ex.json as Record<string, unknown>);
});
