// The model-based run's concurrent phase (GRAPH-FACTS §12): seeded batches of requests sent at once (creates,
// PATCHes of one record and of several, gets racing a delete), each answer and what the records show afterwards
// checked against what some order of the batch allows. Batches are drawn from the run's seed, so `--seed N`
// sends the same ones again; a race may need a few replays to show, as it does in production.
import fc from 'fast-check';
import { ACTION_STATE, ENUMS, knownMembers } from '../../../schemas/enums';
import { dateTime, nullableText, validBody } from '../../../src/checks/arbitraries';
import { recordDifference, type Checks } from '../../../src/checks/checks';
import { draw, failIfFalsified, fcParameters } from '../../../src/checks/property';
import type { Exchange } from '../../../src/transport/http';
import { blockedBy, cite, deleteEachTestsRecords, test, type Graph } from '../../../src/suite/suite';

deleteEachTestsRecords();

type Body = Record<string, unknown>;

/** Batches per test: a few in the quick profile (well under a second against the embedded server), more in deep. */
const batchesOf = (numRuns: number) => Math.max(3, Math.round(numRuns / 40));

/**
 * Sends each batch `arb` draws through `run`; a failing batch is reported with the run's seed and its path. No
 * shrinking: a race may not show again on a smaller batch, and the batch that showed it is the evidence.
 */
async function batches<T>(graph: Graph, check: Checks, arb: fc.Arbitrary<T>, run: (batch: T) => Promise<void>): Promise<void> {
  const d = draw(graph.runtime, batchesOf);
  const result = await fc.check(fc.asyncProperty(arb, run), { ...fcParameters(d), endOnFailure: true });
  failIfFalsified(check, result, d, 'a batch sent at once diverged from the model');
}

/**
 * A record of this batch, created before it is sent (one at a time, so creates do not race here), and read back:
 * reads are compared with reads, so what a target does to values on the way in or out is other requirements' finding.
 */
async function record(graph: Graph, body: Body): Promise<{ id: string; json: Body }> {
  const { ex, id } = await graph.createRecord(body);
  blockedBy(test, id === undefined, 'RAA-CREATE-201', `no record to act on (create answered ${ex.status})`);
  return { id: id!, json: await read(graph, id!) };
}

/** The record as a get answers it; a get that fails is RAA-GET-200's finding. */
async function read(graph: Graph, id: string): Promise<Body> {
  const ex = await graph.get(id);
  blockedBy(test, ex.status !== 200 || typeof ex.json !== 'object' || ex.json === null, 'RAA-GET-200', `get of the record ${id} answered ${ex.status}`);
  return ex.json as Body;
}

const show = (v: unknown) => JSON.stringify(v);
const pick = (from: Body, keys: string[]) => Object.fromEntries(keys.map((k) => [k, from[k]]));

test('creates sent at the same time each get a distinct id that reads back as that create', cite('RAA-CONCURRENT-CREATE', { needs: ['writes', 'create', 'get'] }), async ({ graph, check }) => {
  await batches(graph, check, fc.array(validBody(), { minLength: 3, maxLength: 6 }), async (bodies) => {
    const made = await Promise.all(bodies.map((b) => graph.createRecord(b)));
    for (const { ex, id } of made) blockedBy(test, id === undefined, ex.status === 201 ? 'RAA-CREATE-ID' : 'RAA-CREATE-201', `a create answered ${ex.status}${ex.status === 201 ? ' without an id' : ''}`);
    made.forEach((a, i) => made.slice(i + 1).forEach((b) => check.distinctIds(a.ex, b.ex)));
    const reads = await Promise.all(made.map(({ id }) => graph.get(id!)));
    // What the create answered, for the properties it sent: how a target stores values is RAA-CREATE-ECHO's.
    reads.forEach((r, i) => { check.statusIs(r, [200]); check.sameRecord(r, pick(made[i]!.ex.json as Body, Object.keys(made[i]!.sent))); });
  });
});

/** The values one property may take in a PATCH of this phase. */
const VALUES: Record<string, fc.Arbitrary<unknown>> = {
  actionState: fc.constantFrom(...ACTION_STATE),
  action: fc.constantFrom(...knownMembers(ENUMS.remoteAction)),
  deviceIMEI: nullableText,
  requestDateTime: dateTime,
};

/** A PATCH of one or two properties of the batch's record `n` (modulo the number of records). */
const patch = fc.record({
  n: fc.nat(),
  body: fc.record(VALUES, { requiredKeys: [] }).filter((b) => Object.keys(b).length > 0),
});

/**
 * Every batch holds 2 or 3 generated records, two PATCHes of disjoint properties of the first with values it does
 * not hold (so a lost one shows), then PATCHes drawn at random over the records: the same record, the same property
 * (last writer wins), other records.
 */
const patchBatch = fc.record({
  bodies: fc.array(validBody(), { minLength: 2, maxLength: 3 }),
  imei: fc.stringMatching(/^[0-9]{15}$/),
  state: fc.nat(),
  more: fc.array(patch, { maxLength: 4 }),
}).map(({ bodies, imei, state, more }) => {
  const states = ACTION_STATE.filter((s) => s !== (bodies[0]!.actionState ?? 'none'));
  return { bodies, patches: [{ n: 0, body: { deviceIMEI: imei } as Body }, { n: 0, body: { actionState: states[state % states.length] } as Body }, ...more] };
});

/**
 * What each property of a record may hold after the batch: its value before when no PATCH sent it; otherwise a
 * value one of the PATCHes that sent it wrote (whichever came last): as sent, or as that PATCH's answer showed it.
 */
function allowed(before: Body, sent: { body: Body; answer: Exchange }[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(before)) if (!k.startsWith('@odata.')) out[k] = [v];
  for (const { body } of sent) {
    for (const k of Object.keys(body)) {
      const senders = sent.filter((p) => k in p.body);
      out[k] = [...senders.map((p) => p.body[k]), ...senders.filter((p) => p.answer.status === 200).map((p) => (p.answer.json as Body | null)?.[k])];
    }
  }
  return out;
}

/** The first property of `got` outside what `allowed` admits, or undefined. */
function outside(got: unknown, options: Record<string, unknown[]>): { property: string; expected: string; received: string } | undefined {
  for (const [k, values] of Object.entries(options)) {
    if (values.some((v) => recordDifference(got, { [k]: v }) === undefined)) continue;
    return { property: k, expected: values.length === 1 ? show(values[0]) : `one of ${[...new Set(values.map(show))].join(', ')}`, received: show((got as Body | null)?.[k]) };
  }
  return undefined;
}

test('PATCHes sent at the same time each change only what they send', cite('RAA-CONCURRENT-UPDATE', { needs: ['writes', 'create', 'update', 'get'] }), async ({ graph, check }) => {
  await batches(graph, check, patchBatch, async ({ bodies, patches }) => {
    const made: { id: string; json: Body }[] = [];
    for (const body of bodies) made.push(await record(graph, body));
    blockedBy(test, new Set(made.map((m) => m.id)).size < made.length, 'RAA-CREATE-ID', `${made.length} creates of different bodies gave ids ${made.map((m) => m.id).join(', ')}`);
    const records = made.length;
    const answers = await Promise.all(patches.map(({ n, body }) => graph.patch(made[n % records]!.id, body)));
    for (const ex of answers) blockedBy(test, ex.status !== 200 && ex.status !== 204, 'RAA-UPDATE-200', `a PATCH answered ${ex.status}`);
    for (const [r, { id, json }] of made.entries()) {
      const sent = patches.map((p, i) => ({ ...p, answer: answers[i]! })).filter(({ n }) => n % records === r);
      const after = await graph.get(id);
      check.statusIs(after, [200]);
      const diff = outside(after.json, allowed(json, sent));
      if (diff) check.fail(`${diff.property} of the record ${id} is not what the ${sent.length} PATCH(es) sent to it at once leave`, { expected: diff.expected, received: diff.received, exchange: sent.at(-1)?.answer ?? after });
    }
  });
});

test('a get racing a delete of the same record answers the record as it was or 404', cite('RAA-CONCURRENT-DELETE', { needs: ['writes', 'create', 'get', 'delete'] }), async ({ graph, check }) => {
  const race = fc.record({ body: validBody(), gets: fc.integer({ min: 2, max: 4 }), at: fc.nat() });
  await batches(graph, check, race, async ({ body, gets, at }) => {
    const { id, json } = await record(graph, body);
    // The delete goes out among the gets, never last: at least one get is sent after it.
    const order = new Array<'get' | 'delete'>(gets).fill('get');
    order.splice(at % gets, 0, 'delete');
    const answers = await Promise.all(order.map((op) => (op === 'get' ? graph.get(id) : graph.remove(id))));
    const del = answers[order.indexOf('delete')]!;
    blockedBy(test, del.status !== 204, 'RAA-DELETE-204', `the delete answered ${del.status}`);
    const after = await graph.get(id);
    blockedBy(test, after.status !== 404, 'RAA-DELETE-GONE', `a get after the batch answered ${after.status}`);
    answers.forEach((ex, i) => {
      if (order[i] === 'delete') return;
      check.statusIs(ex, [200, 404]);
      if (ex.status === 200) check.sameRecord(ex, json);
    });
  });
});
