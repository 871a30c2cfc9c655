// Graph protocol details: Location, @odata.context (MAY: reported, never gating), 405 for unsupported
// methods, and evolvable-enum masking on reads.
import { randomUUID } from 'node:crypto';
import { SEED_EXAMPLE_REQUEST } from '../../../src/contract';
import { SENTINEL } from '../../../schemas/enums';
import { blockedBy, cite, principalFor, requirePrincipal, test } from '../../../src/suite/suite';

const PREFER = { Prefer: 'include-unknown-enum-members' };

test.describe('protocol', () => {
  test('a 201 carries Location', cite('RAA-HDR-LOCATION', { needs: ['writes', 'create'] }), async ({ graph, check }) => {
    const { ex } = await graph.createRecord(SEED_EXAMPLE_REQUEST);
    blockedBy(test, ex.status !== 201, 'RAA-CREATE-201', `not created (${ex.status})`);
    check.hasHeader(ex, 'location');
  });

  test('a created entity carries @odata.context', cite('RAA-ODATA-CONTEXT', { needs: ['writes', 'create'] }), async ({ graph, check }) => {
    const { ex } = await graph.createRecord(SEED_EXAMPLE_REQUEST);
    blockedBy(test, ex.status !== 201 || ex.json === undefined, ex.status !== 201 ? 'RAA-CREATE-201' : 'RAA-CREATE-JSON', `no JSON entity (${ex.status})`);
    if (typeof (ex.json as Record<string, unknown>)['@odata.context'] !== 'string') check.fail('no @odata.context', { expected: 'a string', received: '(absent)', exchange: ex });
  });

  test('a list carries @odata.context', cite('RAA-ODATA-CONTEXT', { needs: ['list'] }), async ({ graph, check }) => {
    const ex = await graph.send({ method: 'GET', query: '$top=1', as: graph.actor('list') });
    blockedBy(test, ex.status !== 200, 'RAA-LIST-200', `list answered ${ex.status}`);
    if (typeof (ex.json as Record<string, unknown> | undefined)?.['@odata.context'] !== 'string') check.fail('no @odata.context', { expected: 'a string', received: '(absent)', exchange: ex });
  });

  for (const [method, where] of [['PUT', 'collection'], ['DELETE', 'collection'], ['PATCH', 'collection'], ['PUT', 'item'], ['POST', 'item']] as const) {
    test(`${method} on the ${where} is answered 405`, cite('RAA-METHOD-405', { needs: ['writes'] }), async ({ graph, check }) => {
      // Either writer will do: the target must refuse the method before it looks at the principal's rights.
      const as = graph.actor('delete') ?? graph.actor('create');
      requirePrincipal(test, as, principalFor('delete'));
      const path = where === 'item' ? `/${randomUUID()}` : '';
      const ex = await graph.send({ method, path, as, json: method === 'DELETE' ? undefined : graph.mark(SEED_EXAMPLE_REQUEST) });
      check.statusIs(ex, [405]);
    });
  }

  test('a record with an evolvable-tail action reads back masked without Prefer and real with it', cite('RAA-ENUM-MASKED-READ', { needs: ['writes', 'get'] }), async ({ graph, check }) => {
    const { ex, id } = await graph.createRecord({ ...SEED_EXAMPLE_REQUEST, action: 'launchRemoteHelp' }, { headers: PREFER });
    blockedBy(test, id === undefined, 'RAA-ENUM-EVOLVABLE', `the target did not store a tail member with Prefer (${ex.status})`);
    check.propertyEquals(await graph.get(id!), 'action', SENTINEL);
    check.propertyEquals(await graph.get(id!, { headers: PREFER }), 'action', 'launchRemoteHelp');
    for await (const page of graph.pages({ requirement: check.requirement })) {
      const item = (page.json as { value?: Record<string, unknown>[] } | undefined)?.value?.find((i) => i.id === id);
      if (!item) continue;
      if (item.action !== SENTINEL) check.fail('the list leaks an evolvable member to a client that did not opt in', { expected: SENTINEL, received: JSON.stringify(item.action), exchange: page });
      return;
    }
  });
});
