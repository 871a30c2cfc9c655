// The every-response oracles (src/checks/oracles.ts) judge whatever any test receives; these tests reach each
// oracle's situation on purpose, so its requirement is tested even when no other test happens to produce that
// status. A situation the target does not produce is blocked by the requirement that asks for it, or, where that
// status is itself uncertain for Graph (405, Location), not tested (kind target).
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { linkProblem } from '../../../src/checks/checks';
import { judgeNow, oracleFor } from '../../../src/checks/oracles';
import { blockedBy, cite, notTested, test, type Graph, type Need, type SendOptions } from '../../../src/suite/suite';

interface Situation {
  what: string;
  needs: Need[];
  status: number;
  /** The requirement that asks for this status (blocked by it otherwise); none: not tested, the target's choice. */
  by?: string;
  request: (g: Graph) => SendOptions;
}

const SITUATIONS = {
  noToken: { what: 'a list without a token', needs: [], status: 401, by: 'RAA-AUTH-MISSING', request: () => ({ method: 'GET', as: null }) },
  malformed: { what: 'a create with malformed JSON', needs: ['writes', 'create'], status: 400, by: 'RAA-CREATE-MALFORMED', request: (g) => ({ method: 'POST', as: g.actor('create'), raw: '{"action":' }) },
  wrongType: { what: 'a create with a wrong JSON type', needs: ['writes', 'create'], status: 400, by: 'RAA-CREATE-TYPES', request: (g) => ({ method: 'POST', as: g.actor('create'), json: g.mark({ ...SEED_EXAMPLE_REQUEST, deviceIMEI: 12345 }) }) },
  unknownId: { what: 'a read of an id that does not exist', needs: ['get'], status: 404, by: 'RAA-GET-404', request: (g) => ({ method: 'GET', path: `/${randomUUID()}`, as: g.actor('get') }) },
  list: { what: 'a list', needs: ['list'], status: 200, by: 'RAA-LIST-200', request: (g) => ({ method: 'GET', query: '$top=1', as: g.actor('list') }) },
  // A write method, and a server that wrongly took it might act on it: writes only, on an id that does not exist.
  unsupported: { what: 'PUT on an item', needs: ['writes', 'delete'], status: 405, request: (g) => ({ method: 'PUT', path: `/${randomUUID()}`, as: g.actor('delete'), json: g.mark(SEED_EXAMPLE_REQUEST) }) },
} satisfies Record<string, Situation>;

type Name = keyof typeof SITUATIONS;

/** Each oracle requirement, the fact a test title states, and the situations that reach it. */
const CASES: [string, string, Name[]][] = [
  ['RAA-EVERY-ERROR-IDS', "innerError's ids are the response's own", ['noToken', 'malformed']],
  ['RAA-EVERY-401-AUTHENTICATE', 'the 401 carries WWW-Authenticate', ['noToken']],
  ['RAA-EVERY-405-ALLOW', 'the 405 carries Allow', ['unsupported']],
  ['RAA-EVERY-JSON-TYPE', 'the JSON body is labelled JSON', ['list', 'noToken', 'malformed']],
  ['RAA-EVERY-NO-STACK', 'the error carries no stack trace', ['malformed', 'wrongType', 'unknownId']],
  ['RAA-EVERY-NO-INTERNALS', 'the error names no internals', ['malformed', 'wrongType', 'unknownId']],
];

test.describe('every response', () => {
  for (const [id, fact, names] of CASES) {
    for (const name of names) {
      const s: Situation = SITUATIONS[name];
      test(`${s.what}: ${fact}`, cite(id, { needs: s.needs }), async ({ graph }) => {
        const ex = await graph.send({ ...s.request(graph), headers: { 'client-request-id': randomUUID() } });
        const why = `${s.what} was answered ${ex.status}, not ${s.status}`;
        if (s.by) blockedBy(test, ex.status !== s.status, s.by, why);
        else notTested(test, ex.status !== s.status, 'target', `${why}: RAA-METHOD-405 reports that`);
        notTested(test, !oracleFor(id).applies(ex), 'inapplicable', `the ${ex.status} shows nothing ${id} judges (e.g. no innerError ids to compare)`);
        judgeNow(id, ex);
      });
    }
  }

  test('a 201 Location names the created record, and reading it gives that record', cite('RAA-EVERY-201-LOCATION', { needs: ['writes', 'create', 'get'] }), async ({ graph, check }) => {
    const { ex, id } = await graph.createRecord(SEED_EXAMPLE_REQUEST);
    blockedBy(test, id === undefined, 'RAA-CREATE-201', `nothing created to name (${ex.status})`);
    const location = ex.headers.location;
    notTested(test, !location, 'inapplicable', 'the 201 carries no Location (allowed: RAA-HDR-LOCATION is a MAY), so there is none to follow');
    judgeNow(check.requirement, ex);
    const url = new URL(location!, ex.request.url).href;
    notTested(test, linkProblem(url, graph.runtime.target) !== undefined, 'target', `the Location is not followed: ${linkProblem(url, graph.runtime.target)}`);
    const as = graph.actor('get')!;
    const read = await graph.transport.send({ method: 'GET', url, headers: { Accept: 'application/json', Authorization: `Bearer ${await graph.bearer(as)}` } });
    check.statusIs(read, [200]);
    check.propertyEquals(read, 'id', id);
  });
});
