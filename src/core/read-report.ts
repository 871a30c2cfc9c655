// Reading a conformance.json: validated against its published schema (schemas/report.ts), and a report of
// version 1 (no schemaVersion, each failure a string) brought to the current shape so every reader sees one type.
import { readFileSync } from 'node:fs';
import { ConfigError, validators } from '../contract';
import type { ConformanceReport, Failure } from './report-types';

/** A version 1 failure text as a failure: its kind from the test's status, its first line as the summary. */
function failureFromText(message: string, status: string): Failure {
  const kind = status === 'failed' || status === 'expected-failure' ? 'check' : status === 'inconclusive' ? 'inconclusive' : 'error';
  return { kind, summary: message.split('\n')[0]!, message };
}

/** A validated report of any version this suite reads, in the current shape. */
export function upgradeReport(data: { schemaVersion?: unknown; requirements: { tests: { status: string; failure?: unknown }[] }[] }): ConformanceReport {
  if (data.schemaVersion === undefined) {
    for (const r of data.requirements) for (const t of r.tests) if (typeof t.failure === 'string') t.failure = failureFromText(t.failure, t.status);
  }
  return data as unknown as ConformanceReport;
}

/** The report at `path`, or a ConfigError (exit 2) saying in one line why it is not one. */
export function readConformanceReport(path: string): ConformanceReport {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path} is not a conformance.json: ${(e as Error).message}`);
  }
  if (!validators.conformanceReport(data)) {
    const errors = (validators.conformanceReport.errors ?? []).filter((e) => e.keyword !== 'if');
    const [first, ...more] = errors;
    throw new ConfigError(`${path} is not a conformance.json: ${first?.instancePath || '/'} ${first?.message}${more.length ? ` (and ${more.length} more problem(s))` : ''}`);
  }
  return upgradeReport(data as Parameters<typeof upgradeReport>[0]);
}
