// Secrets never leave the run: against a target that echoes the bearer token back (in error messages, entities
// and a header) and fails checks on purpose, no token literal, `Bearer <token>`, base64 form or near-copy is
// found in any report file (the HTML report's embedded zip decoded entry by entry) or in the console output.
import { test, expect } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceReport } from '../../src/core/report-types';
import { runCli, startIndependentServer } from './support/independent-server';
import { base64Forms, reportTexts } from './support/report-texts';

test('no token reaches the reports or the console, even from a target that echoes it', async () => {
  test.setTimeout(600_000);
  const server = await startIndependentServer({ tokenPrefix: 'fake-secret-token-', breakEcho: true, echoAuthorization: true, deniedAs401: true });
  const dir = mkdtempSync(join(tmpdir(), 'raa-redaction-'));
  try {
    const reportDir = join(dir, 'reports');
  // A stand-in on loopback is no sandbox for the suite (it could be a proxy to a tenant): writes and speed are asked for.
    const run = await runCli(['run', '--target', server.baseUrl, '--principals', server.principalsFile(dir), '--report-dir', reportDir, '--allow-writes'], { env: { CONFORMANCE_RATE_LIMIT: '0' }, timeoutMs: 540_000 });
    const tail = `\n--- stdout (tail) ---\n${run.stdout.slice(-3000)}\n--- stderr (tail) ---\n${run.stderr.slice(-2000)}`;
    expect(run.code, `the broken target fails the run${tail}`).toBe(1);

    const json = readFileSync(join(reportDir, 'conformance.json'), 'utf8');
    const report = JSON.parse(json) as ConformanceReport;
    const status = (id: string) => report.requirements.find((r) => r.id === id)?.status;
    expect([status('RAA-CREATE-ECHO'), status('RAA-PERM-DENY-403')], 'the defects were caught').toEqual(['failed', 'failed']);
    expect(json, 'the exchanges were captured and scrubbed, not left out').toContain('[REDACTED]');
    expect(json, 'the echoing error response is in the report').toContain('Authorization received: Bearer [REDACTED]');
    expect(json, 'the bare token echoed in an entity is scrubbed too').toMatch(/debugToken\\"\s*:\s*\\"\[REDACTED\]/);

    const sources = [{ where: 'stdout', text: run.stdout }, { where: 'stderr', text: run.stderr },
      ...reportTexts(reportDir, dir)];
    const embedded = sources.filter((s) => s.where.startsWith('reports/html/index.html ⟶ '));
    expect(embedded.map((s) => s.where), 'the HTML report data was decoded').toContain('reports/html/index.html ⟶ report.json');
    expect(embedded.some((s) => s.text.includes('RAA-CREATE-ECHO')), 'the decoded HTML report holds the failures').toBe(true);

    const hits: string[] = [];
    for (const [name, token] of Object.entries(server.tokens)) {
      const random = token.slice('fake-secret-token-'.length);
      // A tampered token differs in one middle character: each half of the random part is a near-copy detector.
      const needles = [token, `Bearer ${token}`, ...base64Forms(token), random.slice(0, 20), random.slice(-20)];
      for (const { where, text } of sources) for (const n of needles) if (text.includes(n)) hits.push(`${name}: "${n}" in ${where}`);
    }
    console.log(`redaction: scanned ${sources.length} texts (${embedded.length} from the HTML report's zip) in ${run.ms} ms of run; ${hits.length} hits`);
    expect(hits).toEqual([]);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
