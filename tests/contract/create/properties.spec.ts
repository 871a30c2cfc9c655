// Property-based payloads: generated valid bodies must be created and echoed; generated invalid bodies (one
// defect each) must be refused. The failure report carries the seed, the path and the shrunk counterexample.
import type fc from 'fast-check';
import { SEED_EXAMPLE_REQUEST, validators } from '../../../src/contract';
import { VALID_CREATE_CHECKS } from '../../../src/checks/checks';
import { invalidBody, validBody, type Mutation } from '../../../src/checks/arbitraries';
import { NEWER_PROPERTIES } from '../../../schemas/entity';
import { draw, unobserved } from '../../../src/checks/property';
import { cite, deleteEachTestsRecords, needs, property, test, type Graph } from '../../../src/suite/suite';

// Hundreds of records per test: each test deletes its own when it ends, so later lists stay short.
deleteEachTestsRecords();

const PREFER = { Prefer: 'include-unknown-enum-members' };

function spec<T>(graph: Graph, requirement: string, arbitrary: fc.Arbitrary<T>, send: (v: T) => ReturnType<Graph['create']>, checkFn: (v: T, ex: Awaited<ReturnType<Graph['create']>>) => void, pin: { expectStatus: number[]; headers?: Record<string, string> } = { expectStatus: [201] }) {
  return { requirement, arbitrary, ...draw(graph.runtime), send, check: checkFn, pin, afterChunk: graph.releaseSince() };
}

test.describe('create: generated valid bodies', needs('writes', 'create'), () => {
  // The four properties judge the same generated requests, sent once per worker: each answer is checked
  // against all four as it arrives (VALID_CREATE_CHECKS, bound per requirement), and each test reports its own.
  const valid = (graph: Graph, requirement: string) =>
    property(test, spec(graph, requirement, validBody().map((b) => graph.mark(b)), (b) => graph.create(b), VALID_CREATE_CHECKS[requirement]!),
      { key: `valid:${graph.runtime.seed}`, checks: VALID_CREATE_CHECKS });

  for (const [requirement, title] of [
    ['RAA-CREATE-201', 'every generated valid body is created with 201'],
    ['RAA-CREATE-SCHEMA', 'every generated valid body is returned schema-valid'],
    ['RAA-CREATE-ECHO', 'every generated valid body is echoed'],
    ['RAA-NO-5XX', 'no generated valid body gets a 5xx'],
  ] as const) {
    test(title, cite(requirement), async ({ graph }) => {
      await valid(graph, requirement);
    });
  }

  // The two properties below vary only what they judge (the action; the newer properties) on the seed's own
  // example: a body refused for its date or its strings is RAA-CREATE-201's and RAA-CREATE-ECHO's finding, and
  // must not fail these too (a requirement fails only for what it names).
  test('evolvable-tail actions round-trip with Prefer: include-unknown-enum-members', cite('RAA-ENUM-EVOLVABLE'), async ({ graph, check }) => {
    const actions = validBody({ tail: true }).map((b) => graph.mark({ ...SEED_EXAMPLE_REQUEST, action: b.action ?? SEED_EXAMPLE_REQUEST.action }));
    await property(test, spec(graph, check.requirement, actions, (b) => graph.create(b, { headers: PREFER }), (b, ex) => {
      check.statusIs(ex, [201]);
      if ('action' in b) check.propertyEquals(ex, 'action', b.action);
      check.headerEquals(ex, 'preference-applied', 'include-unknown-enum-members');
    }, { expectStatus: [201], headers: PREFER }));
  });

  // Every sample carries at least one newer property, and only those are judged.
  test('bodies with properties newer than the seed are created and echoed', cite('RAA-CREATE-NEWER-PROPS'), async ({ graph, check }) => {
    const withNewer = validBody({ newer: true }).filter((b) => NEWER_PROPERTIES.some((p) => p in b))
      .map((b) => graph.mark({ ...SEED_EXAMPLE_REQUEST, ...Object.fromEntries(NEWER_PROPERTIES.filter((p) => p in b).map((p) => [p, b[p]])) }));
    await property(test, spec(graph, check.requirement, withNewer, (b) => graph.create(b), (b, ex) => {
      check.statusIs(ex, [201]);
      if (ex.json === undefined) return unobserved('RAA-CREATE-JSON', 'the 201 body is not JSON');
      check.echoes(ex, Object.fromEntries(NEWER_PROPERTIES.filter((p) => p in b).map((p) => [p, b[p]])));
    }));
  });
});

const INVALID: { kind: Mutation; requirement: string; title: string }[] = [
  { kind: 'enum-action', requirement: 'RAA-CREATE-ENUM-ACTION', title: 'every generated non-member action is rejected with 400' },
  { kind: 'enum-state', requirement: 'RAA-CREATE-ENUM-STATE', title: 'every generated non-member actionState is rejected with 400' },
  { kind: 'type', requirement: 'RAA-CREATE-TYPES', title: 'every generated wrong JSON type is rejected with 400' },
  { kind: 'null', requirement: 'RAA-CREATE-NONNULL', title: 'every generated null for a non-nullable property is rejected with 400' },
  { kind: 'datetime', requirement: 'RAA-CREATE-DATETIME', title: 'every generated invalid requestDateTime is rejected with 400' },
];

test.describe('create: generated invalid bodies', needs('writes', 'create'), () => {
  for (const { kind, requirement, title } of INVALID) {
    test(title, cite(requirement), async ({ graph, check }) => {
      await property(test, spec(graph, requirement, invalidBody(kind), (v) => {
        // The generator's promise, re-checked: the suite only demands rejection of what the schema rejects.
        if (validators.createBody(v.body)) throw new Error(`arbitrary bug: ${kind} produced a schema-valid body ${JSON.stringify(v.body)}`);
        return graph.create(graph.mark(v.body));
      }, (_v, ex) => check.statusIs(ex, [400]), { expectStatus: [400] }));
    });
  }
});
