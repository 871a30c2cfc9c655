// Every text a report folder holds, for the redaction self-tests: each file, plus each entry of a zip it is or embeds
// (Playwright 1.65's HTML report carries its data as a base64 zip inside index.html). And conformance.json read
// the way every self-test that writes one reads it: valid against its published schema, or the test fails.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describeErrors, validators } from '../../../src/contract';
import type { ConformanceReport } from '../../../src/core/report-types';
import { REPORT_SCHEMA_VERSION } from '../../../schemas/report';

/** A report this version wrote: current schemaVersion, valid against schemas/report.ts; throws naming every problem. */
export function validReport(data: unknown, where = 'conformance.json'): ConformanceReport {
  const version = (data as { schemaVersion?: unknown } | undefined)?.schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION) throw new Error(`${where}: schemaVersion is ${JSON.stringify(version)}, not ${REPORT_SCHEMA_VERSION}`);
  if (!validators.conformanceReport(data)) throw new Error(`${where} does not match schemas/report.ts:\n  ${describeErrors(validators.conformanceReport.errors).join('\n  ')}`);
  return data as ConformanceReport;
}

/** conformance.json at `path`, validated (see validReport). */
export function readValidReport(path: string): ConformanceReport {
  return validReport(JSON.parse(readFileSync(path, 'utf8')), path);
}

/** The entries of a zip archive, read through its central directory (sizes there are always filled in). */
export function unzip(zip: Buffer): { name: string; data: Buffer }[] {
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

/** Every text a file holds: itself, plus each entry of a zip it is or embeds. */
export function texts(path: string, label: string): { where: string; text: string }[] {
  const bytes = readFileSync(path);
  const out = [{ where: label, text: bytes.toString('latin1') }];
  const embedded = EMBEDDED_REPORT.exec(out[0]!.text)?.[1];
  const zip = embedded !== undefined ? Buffer.from(embedded, 'base64') : bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')) ? bytes : undefined;
  if (zip) for (const e of unzip(zip)) out.push({ where: `${label} ⟶ ${e.name}`, text: e.data.toString('utf8') });
  return out;
}

export function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** The texts of every file under `dir`, labelled by their path relative to `base`. */
export function reportTexts(dir: string, base: string): { where: string; text: string }[] {
  return files(dir).flatMap((f) => texts(f, relative(base, f)));
}

/** Base64 of `s` at each of the three byte alignments, partial edge characters dropped. */
export function base64Forms(s: string): string[] {
  return [0, 1, 2].map((shift) => {
    const b64 = Buffer.concat([Buffer.alloc(shift), Buffer.from(s)]).toString('base64');
    return b64.slice(shift ? 4 : 0, -4);
  });
}
