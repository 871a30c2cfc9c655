// Update (PATCH) and the key: an id in a PATCH body (the record's own, a fresh one, another record's) never moves,
// renames or overwrites a record (GRAPH-FACTS §11). The target refuses it with 400 or ignores it; either way the
// record stays under its id, with the PATCH's other properties applied after a 2xx and nothing changed after a 400.
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { recordDifference } from '../../../src/checks/checks';
import { blockedBy, cite, recordFor, test, type Graph } from '../../../src/suite/suite';

const R = 'RAA-UPDATE-ID-IMMUTABLE';

/** Sent first, without an id: what it leaves is the baseline (a target that gets it wrong is RAA-UPDATE-PARTIAL's finding). */
const FIRST = { actionState: 'active', deviceIMEI: '356938035643809' };
/** Sent with the id: other values than FIRST, so that applied and unchanged tell apart. */
const CHANGE = { actionState: 'done', deviceIMEI: '490154203237518' };
/** The other record: its own device, action and time, so that no target could take it for the first. */
const OTHER = { ...SEED_EXAMPLE_REQUEST, managedDeviceId: 'raa-conformance-other-device', action: 'remoteLock', requestDateTime: '2018-06-01T10:00:00Z', deviceIMEI: '990000862471854' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The record as a GET answers it; a read that fails is RAA-GET-200's finding, not this test's. */
async function read(graph: Graph, id: string, what: string): Promise<Record<string, unknown>> {
  const ex = await graph.get(id);
  blockedBy(test, ex.status !== 200 || !isObject(ex.json), 'RAA-GET-200', `get of ${what} answered ${ex.status}${ex.status === 200 ? ' without a JSON object' : ''}`);
  return ex.json as Record<string, unknown>;
}

const CASES = [
  { sent: 'own', title: 'a PATCH body carrying the record\'s own id leaves the record under its id' },
  { sent: 'fresh', title: 'a PATCH body carrying a fresh id neither moves nor renames the record' },
  { sent: 'other', title: 'a PATCH body carrying another record\'s id neither moves the record nor overwrites the other' },
] as const;

test.describe('update: the key is immutable', () => {
  for (const c of CASES) {
    test(c.title, cite(R), async ({ graph, check }) => {
      const a = await recordFor(test, graph, SEED_EXAMPLE_REQUEST, 'update', 'get');
      const b = c.sent === 'other' ? await recordFor(test, graph, OTHER, 'update', 'get') : undefined;
      blockedBy(test, b !== undefined && b.id === a.id, 'RAA-CREATE-ID', `two creates answered the same id ${a.id}`);

      const first = await graph.patch(a.id, FIRST);
      blockedBy(test, first.status !== 200 && first.status !== 204, 'RAA-UPDATE-200', `a PATCH without an id answered ${first.status}`);
      const before = await read(graph, a.id, 'the patched record');
      const drift = recordDifference(before, { ...(a.ex.json as Record<string, unknown>), ...FIRST });
      blockedBy(test, drift !== undefined, 'RAA-UPDATE-PARTIAL', `after a PATCH without an id, ${drift?.property} reads ${drift?.received} where ${drift?.expected} is due`);
      const other = b && await read(graph, b.id, 'the other record');
      const fresh = randomUUID();
      if (c.sent === 'fresh') {
        const none = await graph.get(fresh);
        blockedBy(test, none.status !== 404, 'RAA-GET-404', `get of an id never created answered ${none.status}`);
      }

      const ex = await graph.patch(a.id, { id: c.sent === 'own' ? a.id : c.sent === 'fresh' ? fresh : b!.id, ...CHANGE });
      check.statusIs(ex, [200, 204, 400]);
      check.foundAfter(ex, await graph.get(a.id), `the patched record ${a.id}`, ex.status === 400 ? before : { ...before, ...CHANGE });
      if (b) check.foundAfter(ex, await graph.get(b.id), `the other record ${b.id}`, other!);
      if (c.sent === 'fresh') check.foundAfter(ex, await graph.get(fresh), `a record under the body's id ${fresh}`, null);
      if (ex.status === 200) check.propertyEquals(ex, 'id', a.id);
    });
  }
});
