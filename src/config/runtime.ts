// What the command line hands to the Playwright workers: the resolved target, principals with tokens and
// the run's settings, in a private temporary file named by RAA_RUNTIME (never inside reports/).
import { readFileSync } from 'node:fs';
import type { Principal } from '../auth/principals';
import type { RunConfig } from './config';
import { redactor } from '../core/redact';
import { setting } from '../core/settings';
import { describeErrors, validators } from '../contract';
import type { Failure } from '../core/report-types';

/** What the preflight found against the target, as failures of their requirements, and hints for after the verdict. */
export interface PreflightOutcome {
  findings: { requirement: string; failure: Failure }[];
  hints: string[];
}

/** What a run's settings give its Runtime: declared once, in src/config/config.ts's RunConfig. */
export type RunSettings = Pick<RunConfig, 'seed' | 'profile' | 'numRuns' | 'propertyBudgetMs' | 'strict' | 'allowWrites' | 'timeoutMs' | 'rateLimit' | 'reportDir' | 'defects'>
  & Partial<Pick<RunConfig, 'retryBudgetMs' | 'regressionsFile' | 'expectationsFile' | 'historyDir' | 'allowPartial' | 'requireMetadata'>>;

/** The run's settings (RunSettings) with what the command resolved: the target, the principals with tokens, the run's name. */
export interface Runtime extends RunSettings {
  runId: string;
  /** Prefix of deviceDisplayName on every record this run creates. */
  marker: string;
  target: string;
  /**
   * The reference server this command started (or the bench's): the one target written to without --allow-writes and
   * without a rate limit. A loopback address alone is no sandbox: a local proxy (Dev Proxy) may forward to a tenant.
   */
  embedded: boolean;
  principals: Principal[];
  suiteVersion: string;
  /** Extra secrets to scrub (client secrets, key material). */
  secrets: string[];
  /** How the user narrowed the run (e.g. `--grep @RAA-GET-200`, `--shard 1/3`); unset when every test was selected. */
  selection?: string;
  /** Private file where workers append the tokens they renew, so the runner can scrub them too. */
  renewedTokensFile?: string;
  /**
   * A matrix run (`raa-conformance matrix`): one Playwright project per reference server, each with its own
   * target, defects and report folder; everything else (principals, seed, profile) is shared.
   */
  projects?: MatrixProject[];
  /** In a worker of a matrix run: the project (reference server) this worker serves. */
  project?: string;
  /** When the command reached each step before Playwright (epoch ms): conformance.json's `timings` start with these. */
  marks?: Record<string, number>;
  /** The preflight's findings against the target (src/cli/preflight.ts); per project in a matrix run. */
  preflight?: PreflightOutcome;
}

export interface MatrixProject {
  /** The Playwright project name: `clean` or the defect's name. */
  name: string;
  target: string;
  defects: string[];
  reportDir: string;
  preflight?: PreflightOutcome;
  /**
   * A narrowed matrix (`matrix --narrow`): only the tests citing these requirements run against this server; the
   * project's report then reads as a narrowed run (its `selection`), so what was left out neither passes nor gates.
   */
  requirements?: string[];
}

/** Playwright's grep for the tests that cite one of `ids` (a test's tags are matched after its title). */
export function citingGrep(ids: readonly string[]): RegExp {
  return new RegExp(`(?:^|\\s)@(?:${ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?=\\s|$)`);
}

export const MARKER_PREFIX = 'raa-conformance/';


/** The prepared target: where the run goes and as whom. */
export interface RuntimeTarget {
  target: string;
  principals: Principal[];
  embedded: boolean;
  secrets: string[];
}

/** `20261130T233622-k3x`: when the run started, and its seed. */
export function newRunId(seed: number): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${seed.toString(36)}`;
}

/** The one place a Runtime is made (run, matrix, merge, the bench); `extra` adds what only one of them has. */
export function buildRuntime(settings: RunSettings, where: RuntimeTarget, suiteVersion: string, extra: Partial<Runtime> = {}): Runtime {
  const runId = extra.runId ?? newRunId(settings.seed);
  const s = settings;
  return {
    runId, marker: `${MARKER_PREFIX}${runId}/`,
    target: where.target, principals: where.principals, embedded: where.embedded, secrets: where.secrets,
    seed: s.seed, profile: s.profile, numRuns: s.numRuns, propertyBudgetMs: s.propertyBudgetMs, strict: s.strict, allowWrites: s.allowWrites,
    timeoutMs: s.timeoutMs, rateLimit: s.rateLimit, reportDir: s.reportDir, suiteVersion, defects: s.defects,
    ...(s.retryBudgetMs !== undefined ? { retryBudgetMs: s.retryBudgetMs } : {}),
    ...(s.regressionsFile ? { regressionsFile: s.regressionsFile } : {}),
    ...(s.expectationsFile ? { expectationsFile: s.expectationsFile } : {}),
    ...(s.historyDir ? { historyDir: s.historyDir } : {}),
    ...(s.allowPartial ? { allowPartial: true } : {}),
    ...(s.requireMetadata ? { requireMetadata: true } : {}),
    ...extra,
  };
}

let cached: Runtime | undefined;
let selected: Runtime | undefined;

/** The run's settings; in a worker of a matrix run, those of the project the worker serves (see selectProject). */
export function loadRuntime(): Runtime {
  if (selected) return selected;
  if (cached) return cached;
  const path = setting('RAA_RUNTIME');
  if (!path) throw new Error('RAA_RUNTIME is not set: run the suite with `npm run conformance` (or `raa-conformance run`), which prepares the target and principals first.');
  const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
  // The run process validated every input; this only proves the hand-over is the shape it wrote (a suite bug if not).
  if (!validators.runtime(data)) throw new Error(`the runtime file ${path} does not match schemas/runtime.ts (a bug in the suite):\n  ${describeErrors(validators.runtime.errors).join('\n  ')}`);
  cached = data as Runtime;
  redactor.add(...cached.principals.map((p) => p.token), ...cached.secrets);
  return cached;
}

/** The settings for one project of a matrix run (the run's own when it is not one). */
export function projectRuntime(base: Runtime, name: string): Runtime {
  if (!base.projects) return base;
  const p = base.projects.find((x) => x.name === name);
  if (!p) throw new Error(`no matrix project named "${name}" in this run`);
  const { projects: _all, ...rest } = base;
  return { ...rest, project: p.name, target: p.target, defects: p.defects, reportDir: p.reportDir, ...(p.preflight ? { preflight: p.preflight } : {}),
    ...(p.requirements ? { selection: `the tests citing ${p.requirements.join(', ')}` } : {}) };
}

/**
 * A Playwright worker serves one project for its whole life, so its worker fixture selects it once; every
 * later loadRuntime() in that worker (property counterexamples, reports) then answers for that project.
 */
export function selectProject(name: string): Runtime {
  selected = projectRuntime(cached ?? loadRuntime(), name);
  return selected;
}
