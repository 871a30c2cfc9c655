// A correct server may differ from the reference server wherever the contract leaves a choice open: the reference
// server in its legal modes (server/variants.ts: id case, page size, annotations, fraction digits, JSON formatting,
// a newer property, error wording) is still CONFORMANT, in --strict too. Every oracle and requirement is proven
// against these choices, not only against the reference server's own.
import { expect, test } from '@playwright/test';
import { startEmbedded } from '../../src/cli/target';
import { VARIANT_NAMES } from '../../server/index';
import { explain, runSuite, writePrincipals } from './support/run-suite';

test('the reference server in every legal mode at once passes run --strict', async () => {
  test.setTimeout(300_000);
  const server = await startEmbedded([], undefined, 0, { variants: 'all' });
  try {
    const principals = writePrincipals(server.principals);
    const run = await runSuite(['run', '--target', server.baseUrl, '--principals', principals, '--allow-writes', '--strict', '--seed', '11'], { CONFORMANCE_RATE_LIMIT: '0', CONFORMANCE_WORKERS: '2' });
    expect(run.report?.verdict, explain(run)).toBe('CONFORMANT');
    expect(run.code).toBe(0);
    expect(run.report!.requirements.filter((r) => r.status !== 'passed').map((r) => `${r.id} ${r.status}`)).toEqual([]);
    expect(VARIANT_NAMES.length, 'the modes this run covers').toBeGreaterThanOrEqual(7);
  } finally {
    await server.close();
  }
});
