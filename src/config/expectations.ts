// Known deviations of a target live out of band, in an expectations file: a known failure is reported as
// expected and does not fail the run; one that now passes, or an entry that names nothing, fails it loudly.
import { ConfigError, loadValidated, requirementsById, validators, type Expectation } from '../contract';
import type { RequirementResult } from '../core/report-types';

export function loadExpectations(path: string): Expectation[] {
  const entries = loadValidated(path, validators.expectationsFile, 'expectations file').expectations;
  const unknown = entries.filter((e) => !requirementsById.has(e.requirement)).map((e) => e.requirement);
  if (unknown.length) throw new ConfigError(`expectations file ${path} names requirements that do not exist: ${unknown.join(', ')}`);
  return entries;
}

export interface Applied {
  applied: number;
  unexpectedPasses: string[];
  unknownEntries: string[];
}

const describe = (e: Expectation) => `${e.requirement}${e.test ? ` "${e.test}"` : ''}`;

/** Marks expected failures in place; returns what the run must be loud about. */
export function applyExpectations(requirements: RequirementResult[], entries: readonly Expectation[]): Applied {
  const out: Applied = { applied: 0, unexpectedPasses: [], unknownEntries: [] };
  for (const e of entries) {
    const req = requirements.find((r) => r.id === e.requirement);
    const tests = (req?.tests ?? []).filter((t) => !e.test || t.title.includes(e.test));
    if (tests.length === 0) { out.unknownEntries.push(describe(e)); continue; }
    for (const t of tests) {
      if (t.status === 'failed') {
        t.status = 'expected-failure';
        t.reason = `expected: ${e.reason}${e.link ? ` (${e.link})` : ''}`;
        out.applied++;
      } else if (t.status === 'passed') {
        out.unexpectedPasses.push(`${describe(e)}: "${t.title}" now passes; remove the entry from the expectations file`);
      }
    }
  }
  return out;
}
