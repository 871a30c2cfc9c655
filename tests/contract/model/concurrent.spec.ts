// The model-based run's concurrent phase (GRAPH-FACTS §12): seeded batches of requests sent at once (creates,
// PATCHes of one record and of several, gets racing a delete), each answer and what the records show afterwards
// checked against what some order of the batch allows. Batches are drawn from the run's seed, so `--seed N`
// sends the same ones again; a race may need a few replays to show, as it does in production.
import fc from 'fast-check';
import { ACTION_STATE, ENUMS, knownMembers } from '../../../schemas/enums';
import { dateTime, nullableText, validBody } from '../../../src/checks/arbitraries';
import { recordDifference, type Checks } from '../../../src/checks/checks';
import { CheckFailure } from '../../../src/checks/failure';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
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
  const rt = graph.runtime;
  const numRuns = batchesOf(rt.numRuns);
  const result = await fc.check(fc.asyncProperty(arb, run), { seed: rt.seed, numRuns, endOnFailure: true, interruptAfterTimeLimit: rt.propertyBudgetMs || undefined });
  if (!result.failed) return;
  const inner = result.errorInstance;
  if (!(inner instanceof CheckFailure)) throw inner;
  check.fail(`a batch sent at once diverged from the model: ${inner.summary}`, {
    ...inner.detail,
    property: { seed: rt.seed, path: result.counterexamplePath ?? '', counterexample: JSON.stringify(result.counterexample?.[0]).slice(0, 2000), numRuns },
  });
}

/** A record of this batch, created before it is sent (one at a time, so creates do not race here). */
async function record(graph: Graph, body: Body): Promise<{ id: string; json: Body }> {
  const { ex, id } = await graph.createRecord(body);
  blockedBy(test, id === undefined, 'RAA-CREATE-201', `no record to act on (create answered ${ex.status})`);
  return { id: id!, json: ex.json as Body };
}

const show = (v: unknown) => JSON.stringify(v);

test('creates sent at the same time each get a distinct id that reads back as that create', cite('RAA-CONCURRENT-CREATE', { needs: ['writes', 'create', 'get'] }), async ({ graph, check }) => {
  await batches(graph, check, fc.array(validBody(), { minLength: 3, maxLength: 6 }), async (bodies) => {
    const made = await Promise.all(bodies.map((b) => graph.createRecord(b)));
    const ids = made.map(({ ex }) => { check.statusIs(ex, [201]); return check.hasId(ex); });
    made.forEach((a, i) => made.slice(i + 1).forEach((b) => check.distinctIds(a.ex, b.ex)));
    const reads = await Promise.all(ids.map((id) => graph.get(id)));
    reads.forEach((read, i) => { check.statusIs(read, [200]); check.sameRecord(read, made[i]!.sent); });
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
 * Every batch holds two PATCHes of disjoint properties of the first record with values the seed's example does not
 * hold (so a lost one shows), then PATCHes drawn at random over 2 or 3 records: the same record, the same property
 * (last writer wins), other records.
 */
const patchBatch = fc.record({
  records: fc.integer({ min: 2, max: 3 }),
  imei: fc.stringMatching(/^[0-9]{15}$/),
  state: fc.constantFrom(...ACTION_STATE.filter((s) => s !== SEED_EXAMPLE_REQUEST.actionState)),
  more: fc.array(patch, { maxLength: 4 }),
}).map(({ records, imei, state, more }) => ({ records, patches: [{ n: 0, body: { deviceIMEI: imei } as Body }, { n: 0, body: { actionState: state } as Body }, ...more] }));

/**
 * What each property of a record may hold after the batch: its value before when no PATCH sent it, otherwise one of
 * the values the PATCHes sent (whichever was written last).
 */
function allowed(before: Body, sent: Body[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(before)) if (!k.startsWith('@odata.')) out[k] = [v];
  for (const body of sent) for (const k of Object.keys(body)) out[k] = sent.filter((b) => k in b).map((b) => b[k]);
  return out;
}

/** The first property of `got` outside what `allowed` admits, or undefined. */
function outside(got: unknown, options: Record<string, unknown[]>): { property: string; expected: string; received: string } | undefined {
  for (const [k, values] of Object.entries(options)) {
    if (values.some((v) => recordDifference(got, { [k]: v }) === undefined)) continue;
    return { property: k, expected: values.length === 1 ? show(values[0]) : `one of ${values.map(show).join(', ')}`, received: show((got as Body | null)?.[k]) };
  }
  return undefined;
}

test('PATCHes sent at the same time each change only what they send', cite('RAA-CONCURRENT-UPDATE', { needs: ['writes', 'create', 'update', 'get'] }), async ({ graph, check }) => {
  await batches(graph, check, patchBatch, async ({ records, patches }) => {
    const made: { id: string; json: Body }[] = [];
    for (let i = 0; i < records; i++) made.push(await record(graph, SEED_EXAMPLE_REQUEST));
    const answers = await Promise.all(patches.map(({ n, body }) => graph.patch(made[n % records]!.id, body)));
    answers.forEach((ex, i) => { check.statusIs(ex, [200]); check.echoes(ex, patches[i]!.body); });
    for (const [r, { id, json }] of made.entries()) {
      const sent = patches.filter(({ n }) => n % records === r);
      const read = await graph.get(id);
      check.statusIs(read, [200]);
      const diff = outside(read.json, allowed(json, sent.map((p) => p.body)));
      if (diff) check.fail(`${diff.property} of the record ${id} is not what the ${sent.length} PATCH(es) sent to it at once leave`, { expected: diff.expected, received: diff.received, exchange: last(answers, patches, r, records) ?? read });
    }
  });
});

/** The last PATCH answer of record `r` (the exchange a reader replays), if it had one. */
const last = (answers: Exchange[], patches: { n: number }[], r: number, records: number) => answers.filter((_, i) => patches[i]!.n % records === r).pop();

test('a get racing a delete answers the record or 404, and the record is gone after', cite('RAA-CONCURRENT-DELETE', { needs: ['writes', 'create', 'get', 'delete'] }), async ({ graph, check }) => {
  const race = fc.record({ body: validBody(), gets: fc.integer({ min: 2, max: 4 }), at: fc.nat() });
  await batches(graph, check, race, async ({ body, gets, at }) => {
    const { id, json } = await record(graph, body);
    // The delete goes out among the gets, never last: at least one get is sent after it.
    const order = new Array<'get' | 'delete'>(gets).fill('get');
    order.splice(at % gets, 0, 'delete');
    const answers = await Promise.all(order.map((op) => (op === 'get' ? graph.get(id) : graph.remove(id))));
    answers.forEach((ex, i) => {
      if (order[i] === 'delete') { check.statusIs(ex, [204]); return; }
      check.statusIs(ex, [200, 404]);
      if (ex.status === 200) check.sameRecord(ex, json);
    });
    const del = answers[order.indexOf('delete')]!;
    check.foundAfter(del, await graph.get(id), `the record ${id}`, null);
  });
});
