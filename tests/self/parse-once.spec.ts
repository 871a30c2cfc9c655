// Each input is parsed once: the principals file is read by the command's own process only, once, and the
// Playwright runner and its workers get the principals from the handed-over runtime, never from the file, and that
// runtime is checked against its schema (schemas/runtime.ts) when read back, not validated again field by field.
import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded } from '../../src/cli/target';
import { explain, runSuite, writePrincipals } from './support/run-suite';
import { preload } from './support/count-reads.cjs';
import { loadConfig } from '../../src/config/config';
import { buildRuntime } from '../../src/config/runtime';
import { validators } from '../../src/contract';

test('a run reads the principals file once, in one process', async () => {
  test.setTimeout(300_000);
  const server = await startEmbedded([]);
  const dir = mkdtempSync(join(tmpdir(), 'raa-parse-once-'));
  try {
    const principals = writePrincipals(server.principals);
    const out = join(dir, 'reads.jsonl');
    const run = await runSuite(['run', '--target', server.baseUrl, '--principals', principals, '--allow-writes', '--', '--grep', '@RAA-CREATE-201|@RAA-GET-200'],
      { NODE_OPTIONS: `--require ${preload}`, SELFTEST_COUNT_READS: principals, SELFTEST_COUNT_OUT: out, CONFORMANCE_RATE_LIMIT: '0', CONFORMANCE_WORKERS: '2' });
    expect(run.code, explain(run)).toBe(0);
    const processes = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { pid: number; reads: number; argv: string });
    expect(processes.length, 'the command, the Playwright runner and its workers all reported').toBeGreaterThanOrEqual(3);
    const readers = processes.filter((p) => p.reads > 0);
    expect(readers.map((p) => p.reads), `one process read it, once: ${JSON.stringify(processes)}`).toEqual([1]);
    expect(readers[0]!.argv).toMatch(/raa-conformance\.mjs run/);
  } finally {
    await server.close();
  }
});

test('the runtime handed to the workers is schema-checked: what buildRuntime writes passes, a changed shape does not', () => {
  const settings = loadConfig({ CONFORMANCE_SEED: '5' }, '/nonexistent/.env');
  const principal = { name: 'app-rw', type: 'application' as const, permissions: ['DeviceManagementManagedDevices.ReadWrite.All'], tokenState: 'valid' as const, token: 't' };
  const runtime = buildRuntime(settings, { target: 'http://127.0.0.1:9/beta', principals: [principal], embedded: true, secrets: [] }, '0.0.0',
    { selection: '--grep x', preflight: { findings: [], hints: ['h'] }, marks: { commandStart: 1 } });
  expect(validators.runtime(JSON.parse(JSON.stringify(runtime))), JSON.stringify(validators.runtime.errors)).toBe(true);
  const { seed: _seed, ...withoutSeed } = runtime;
  expect(validators.runtime(withoutSeed)).toBe(false);
  expect(validators.runtime({ ...runtime, loopback: true }), 'a field the schema does not know').toBe(false);
  expect(validators.runtime({ ...runtime, principals: [{ ...principal, tokenState: 'stale' }] })).toBe(false);
});
