// Negative cases are data (fixtures/*.json, schema casesFileSchema); this turns one into a request.
import { join } from 'node:path';
import { ROOT, SEED_EXAMPLE_REQUEST, loadValidated, validators, type Case, type SurfaceCase } from '../contract';

export function loadCases(file: string): Case[] {
  return loadValidated(join(ROOT, 'fixtures', file), validators.casesFile, 'cases file').cases;
}

/** The JSON body a case sends (undefined when it sends `raw` text instead). */
export function caseBody(c: Case): Record<string, unknown> | undefined {
  if (c.request.raw !== undefined) return undefined;
  const body: Record<string, unknown> = { ...SEED_EXAMPLE_REQUEST, ...(c.request.patch ?? {}) };
  for (const k of c.request.remove ?? []) delete body[k];
  return body;
}

/** The request-surface cases (fixtures/request-surface.json, schema surfaceCasesFileSchema). */
export function loadSurfaceCases(): SurfaceCase[] {
  return loadValidated(join(ROOT, 'fixtures', 'request-surface.json'), validators.surfaceCasesFile, 'request-surface cases').cases;
}

/** What a surface row sends: the seed's example for `create`, a small PATCH for `update` (unmarked: the sender marks it). */
export function surfaceBody(c: SurfaceCase): Record<string, unknown> | undefined {
  return c.request.body === 'create' ? { ...SEED_EXAMPLE_REQUEST } : c.request.body === 'update' ? { ...SURFACE_CHANGE } : undefined;
}

/** The small PATCH body the surface rows and properties send. */
export const SURFACE_CHANGE: Readonly<Record<string, unknown>> = { actionState: 'done' };
