// Secrets never leave the run: against a target that echoes the bearer token back (in error messages, entities
// and a header) and fails checks on purpose, no token literal, `Bearer <token>`, base64 form or near-copy is
// found in any report file (the HTML report's embedded zip decoded entry by entry) or in the console output.
import { test, expect } from '@playwright/test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { ConformanceReport } from '../../src/report/types';
import { runCli, startIndependentServer } from './support/independent-server';

/** The entries of a zip archive, read through its central directory (sizes there are always filled in). */
function unzip(zip: Buffer): { name: string; data: Buffer }[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('no end-of-central-directory record: not a zip');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const out: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry at ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + size);
    if (method !== 0 && method !== 8) throw new Error(`zip entry ${name}: compression method ${method} is not handled`);
    out.push({ name, data: method === 8 ? inflateRawSync(raw) : raw });
  }
  return out;
}

const EMBEDDED_REPORT = /<template id="playwrightReportBase64">data:application\/zip;base64,([A-Za-z0-9+/=]+)<\/template>/;

/** Every text a file holds: itself, plus each entry of a zip it is or embeds (Playwright 1.65's HTML report). */
function texts(path: string, label: string): { where: string; text: string }[] {
  const bytes = readFileSync(path);
  const out = [{ where: label, text: bytes.toString('latin1') }];
  const embedded = EMBEDDED_REPORT.exec(out[0]!.text)?.[1];
  const zip = embedded !== undefined ? Buffer.from(embedded, 'base64') : bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')) ? bytes : undefined;
  if (zip) for (const e of unzip(zip)) out.push({ where: `${label} ⟶ ${e.name}`, text: e.data.toString('utf8') });
  return out;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Base64 of `s` at each of the three byte alignments, partial edge characters dropped. */
function base64Forms(s: string): string[] {
  return [0, 1, 2].map((shift) => {
    const b64 = Buffer.concat([Buffer.alloc(shift), Buffer.from(s)]).toString('base64');
    return b64.slice(shift ? 4 : 0, -4);
  });
}

test('no token reaches the reports or the console, even from a target that echoes it', async () => {
  test.setTimeout(600_000);
  const server = await startIndependentServer({ tokenPrefix: 'fake-secret-token-', breakEcho: true, echoAuthorization: true, deniedAs401: true });
  const dir = mkdtempSync(join(tmpdir(), 'raa-redaction-'));
  try {
    const reportDir = join(dir, 'reports');
    const run = await runCli(['run', '--target', server.baseUrl, '--principals', server.principalsFile(dir), '--report-dir', reportDir], { timeoutMs: 540_000 });
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
      ...files(reportDir).flatMap((f) => texts(f, relative(dir, f)))];
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
