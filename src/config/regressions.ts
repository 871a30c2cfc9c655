// Pinned regressions: a failed property's shrunk counterexample becomes a fixture that runs first, every time.
import { existsSync, writeFileSync } from 'node:fs';
import { ConfigError, loadValidated, validators, type Regression } from '../contract';
import type { Counterexample } from '../core/report-types';
import { readConformanceReport } from '../core/read-report';
import { MARKER_PREFIX } from './runtime';

export function loadRegressions(path: string): Regression[] {
  return existsSync(path) ? loadValidated(path, validators.regressionsFile, 'regressions file').regressions : [];
}

/** The request body a counterexample stands for, without this run's marker. */
export function bodyOf(c: Counterexample): unknown {
  const v = c.value as Record<string, unknown> | undefined;
  const body = v && typeof v === 'object' && 'body' in v && 'path' in v ? v.body : v;
  if (body && typeof body === 'object' && typeof (body as Record<string, unknown>).deviceDisplayName === 'string') {
    const name = (body as Record<string, string>).deviceDisplayName!;
    if (name.startsWith(MARKER_PREFIX)) return { ...body, deviceDisplayName: name.slice(name.indexOf('/', MARKER_PREFIX.length) + 1) };
  }
  return body;
}

export function toRegression(c: Counterexample): Regression {
  return {
    description: `pinned ${c.requirement} counterexample (seed ${c.seed}, path ${c.path})`,
    requirement: c.requirement,
    body: bodyOf(c),
    ...(c.headers ? { headers: c.headers } : {}),
    expect: { status: c.expectStatus, echo: /ECHO|NEWER-PROPS|DATETIME-RANGE|DATETIME-EDGE/.test(c.requirement), schema: c.requirement === 'RAA-CREATE-SCHEMA' },
    pinnedFrom: { seed: c.seed, path: c.path },
  };
}

/** Appends the report's counterexamples to the regressions file, skipping ones already pinned. */
export function pin(reportPath: string, regressionsPath: string): Regression[] {
  if (!existsSync(reportPath)) throw new ConfigError(`no report at ${reportPath}: run the suite first`);
  const report = readConformanceReport(reportPath);
  const existing = loadRegressions(regressionsPath);
  const key = (r: Regression) => JSON.stringify([r.requirement, r.body, r.headers ?? {}]);
  const seen = new Set(existing.map(key));
  const added = (report.counterexamples ?? []).map(toRegression).filter((r) => !seen.has(key(r)) && (seen.add(key(r)), true));
  const file = { $comment: 'Shrunk counterexamples pinned with `raa-conformance pin`; tests/contract/regressions replays them first in every profile.', regressions: [...existing, ...added] };
  if (!validators.regressionsFile(file)) throw new Error('pinned regressions do not validate against their schema');
  writeFileSync(regressionsPath, JSON.stringify(file, null, 2) + '\n');
  return added;
}
