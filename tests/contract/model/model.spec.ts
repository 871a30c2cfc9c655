// A model-based property: random sequences of create, get, list, update and delete against the target, each
// response checked against a model of the records this run created. Only the run's own records are touched.
import fc from 'fast-check';
import { ACTION_STATE, ENUMS, knownMembers } from '../../../schemas/enums';
import { dateTime, nullableText, validBody } from '../../../src/checks/arbitraries';
import type { Checks } from '../../../src/checks/checks';
import { draw, failIfFalsified, fcParameters } from '../../../src/checks/property';
import { cite, deleteEachTestsRecords, Graph, test } from '../../../src/suite/suite';

// Hundreds of records per test: each test deletes its own when it ends, so later lists stay short.
deleteEachTestsRecords();

interface Model { records: Map<string, Record<string, unknown>>; deleted: string[] }
interface Real { graph: Graph; check: Checks }
type Cmd = fc.AsyncCommand<Model, Real>;

const pickId = (m: Model, n: number) => [...m.records.keys()][n % m.records.size]!;

class Create implements Cmd {
  constructor(readonly body: Record<string, unknown>) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const { ex, id, sent } = await r.graph.createRecord(this.body);
    r.check.statusIs(ex, [201]);
    r.check.echoes(ex, sent);
    m.records.set(id ?? r.check.hasId(ex), ex.json as Record<string, unknown>);
  }
  toString() { return `create(${JSON.stringify(this.body).slice(0, 200)})`; }
}

class Get implements Cmd {
  constructor(readonly n: number) {}
  check = (m: Readonly<Model>) => m.records.size > 0;
  async run(m: Model, r: Real) {
    const id = pickId(m, this.n);
    const ex = await r.graph.get(id);
    r.check.statusIs(ex, [200]);
    r.check.sameRecord(ex, m.records.get(id)!);
  }
  toString() { return `get(#${this.n})`; }
}

class GetDeleted implements Cmd {
  constructor(readonly n: number) {}
  check = (m: Readonly<Model>) => m.deleted.length > 0;
  async run(m: Model, r: Real) {
    r.check.statusIs(await r.graph.get(m.deleted[this.n % m.deleted.length]!), [404]);
  }
  toString() { return `getDeleted(#${this.n})`; }
}

class Update implements Cmd {
  constructor(readonly n: number, readonly body: Record<string, unknown>) {}
  check = (m: Readonly<Model>) => m.records.size > 0;
  async run(m: Model, r: Real) {
    const id = pickId(m, this.n);
    const ex = await r.graph.patch(id, this.body);
    r.check.statusIs(ex, [200]);
    const expected = { ...m.records.get(id)!, ...this.body };
    if (ex.status === 200) r.check.sameRecord(ex, expected);
    m.records.set(id, expected);
  }
  toString() { return `update(#${this.n}, ${JSON.stringify(this.body).slice(0, 200)})`; }
}

class Delete implements Cmd {
  constructor(readonly n: number) {}
  check = (m: Readonly<Model>) => m.records.size > 0;
  async run(m: Model, r: Real) {
    const id = pickId(m, this.n);
    r.check.statusIs(await r.graph.remove(id), [204]);
    m.records.delete(id);
    m.deleted.push(id);
  }
  toString() { return `delete(#${this.n})`; }
}

class List implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    const seen = new Set<string>();
    let last;
    for await (const ex of r.graph.pages({ maxPages: 200, requirement: r.check.requirement })) {
      r.check.statusIs(ex, [200]);
      last = ex;
      for (const id of Graph.ids(ex)) seen.add(id);
    }
    // Past the page bound, absence proves nothing; a deleted record that shows up still does.
    const missing = r.graph.truncated ? [] : [...m.records.keys()].filter((id) => !seen.has(id));
    const ghosts = m.deleted.filter((id) => seen.has(id));
    if (missing.length || ghosts.length) {
      r.check.fail('the list disagrees with the records this run holds', { expected: `ids ${[...m.records.keys()].join(', ') || '(none)'} present, ${m.deleted.join(', ') || '(none)'} absent`, received: `missing ${missing.join(', ') || '(none)'}; deleted but listed ${ghosts.join(', ') || '(none)'}`, ...(last ? { exchange: last } : {}) });
    }
  }
  toString() { return 'list()'; }
}

const updateBody = fc.record({
  actionState: fc.constantFrom(...ACTION_STATE),
  action: fc.constantFrom(...knownMembers(ENUMS.remoteAction)),
  deviceIMEI: nullableText,
  requestDateTime: dateTime,
}, { requiredKeys: [] }).filter((b) => Object.keys(b).length > 0);

const commands = fc.commands([
  validBody().map((b) => new Create(b)),
  fc.nat().map((n) => new Get(n)),
  fc.nat().map((n) => new GetDeleted(n)),
  fc.tuple(fc.nat(), updateBody).map(([n, b]) => new Update(n, b)),
  fc.nat().map((n) => new Delete(n)),
  fc.constant(new List()),
], { maxCommands: 12 });

test('random operation sequences agree with the model', cite('RAA-MODEL', { needs: ['writes', 'create', 'get', 'list', 'update', 'delete'] }), async ({ graph, check }) => {
  // A sequence is up to 12 requests: a tenth of the profile's runs.
  const d = draw(graph.runtime, (n) => Math.max(5, Math.round(n / 10)));
  const result = await fc.check(fc.asyncProperty(commands, (cmds) =>
    fc.asyncModelRun(() => ({ model: { records: new Map(), deleted: [] }, real: { graph, check } }), cmds)), fcParameters(d));
  failIfFalsified(check, result, d, 'a sequence diverged from the model', String);
});
