// The run's configuration: environment and `.env` (dotenv), validated against schemas/suite.ts before any
// test runs. Flags from the command line override the environment.
import { config as loadDotenv } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { ConfigError, ROOT, validators } from '../contract';
import { CLOUDS, type CloudId } from '../auth/clouds';
import { variablesNamedBy } from '../auth/principals';
import { didYouMean } from '../core/suggest';
import { SETTING_PREFIXES, USER_SETTINGS, checkInternal } from '../core/settings';

export type Profile = 'quick' | 'deep' | 'tenant';

export interface RunConfig {
  /** Base URL including the version segment; undefined means the embedded reference server. */
  targetBaseUrl?: string;
  principalsFile?: string;
  cloud?: CloudId;
  seed: number;
  seedGiven: boolean;
  profile: Profile;
  numRuns: number;
  /** Wall-clock budget per property in the deep profile (ms); 0 = count only. */
  propertyBudgetMs: number;
  reportDir: string;
  strict: boolean;
  allowWrites: boolean;
  timeoutMs: number;
  /** Client-side request rate limit (requests/s); 0 = none. */
  rateLimit: number;
  /** Known deviations of the target (CONFORMANCE_EXPECTATIONS). */
  expectationsFile?: string;
  /** Folder of earlier conformance.json files; this run is added and the page shows the trend. */
  historyDir?: string;
  /** Pinned regressions, replayed first (default fixtures/regressions.json). */
  regressionsFile: string;
  /** Embedded target only: the reference server's defect modes (REFERENCE_DEFECTS). */
  defects: string[];
  faults?: string;
  /** Embedded target only: which contract the reference server implements (REFERENCE_CONTRACT); unset = today's. */
  referenceContract?: 'today' | 'seed';
  /** MUST requirements left untested by configuration are accepted (CONFORMANCE_ALLOW_PARTIAL). */
  allowPartial: boolean;
  /** Total time the run may spend waiting out 429/503 answers (CONFORMANCE_RETRY_BUDGET_S). */
  retryBudgetMs: number;
  /** A target without $metadata fails RAA-META-SERVED instead of leaving the metadata requirements not tested (CONFORMANCE_REQUIRE_METADATA). */
  requireMetadata: boolean;
}

/** Every variable the suite reads as a setting: the environment schema's names (src/core/settings.ts). */
export const KNOWN_VARIABLES: readonly string[] = USER_SETTINGS;

export const PROFILES: Record<Profile, { numRuns: number; propertyBudgetMs: number }> = {
  quick: { numRuns: 200, propertyBudgetMs: 0 },
  deep: { numRuns: 20_000, propertyBudgetMs: 60_000 },
  // A CI gate against a real tenant at 8 requests/s: every requirement still tested, properties cut to 2 runs.
  tenant: { numRuns: 2, propertyBudgetMs: 0 },
};

/**
 * Requests a run against the embedded reference server sends: a fixed part (examples, data rows, permissions,
 * paging) and a part per property run. Fitted from two runs and checked by `npm run bench` (figure 7c).
 */
export const REQUEST_ESTIMATE = { fixed: 780, perRun: 24 } as const;

export function estimateRequests(numRuns: number): number {
  return REQUEST_ESTIMATE.fixed + REQUEST_ESTIMATE.perRun * numRuns;
}

/** `about 828 requests; at 8 req/s about 104 s`: said before a run starts, so a slow gate is no surprise. */
export function requestPlan(numRuns: number, rateLimit: number): string {
  const n = estimateRequests(numRuns);
  return `about ${n.toLocaleString('en-US')} requests${rateLimit > 0 ? `; at ${rateLimit} req/s about ${Math.ceil(n / rateLimit)} s` : ' (no client-side rate limit)'}`;
}

/** Intune's per-app write limit is 200 requests per 20 s (GRAPH-FACTS §1): stay under it by default. */
export const DEFAULT_TENANT_RATE = 8;

const truthy = (v: string | undefined) => v === '1' || v === 'true';

/** One KEY=VALUE a line, as dotenv reads it; dotenv itself skips what it cannot parse, so a typo would go unnoticed. */
const DOTENV_LINE = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=(.*)$/;

/** Refuses a .env with a line that is neither KEY=VALUE, a comment nor blank, naming the line. */
export function checkDotenv(text: string, file = '.env'): void {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*(#.*)?$/.test(lines[i]!)) continue;
    const m = DOTENV_LINE.exec(lines[i]!);
    if (!m) throw new ConfigError(`${file} line ${i + 1} is not KEY=VALUE (only those, # comments and blank lines are allowed)`);
    // A quoted value may run over several lines, as dotenv allows: skip to the line that closes it.
    const value = m[1]!.trim();
    const quote = value[0];
    if (quote !== '"' && quote !== "'" && quote !== '`') continue;
    const closes = (text: string) => new RegExp(`(^|[^\\\\])${quote}`).test(text);
    if (closes(value.slice(1))) continue;
    const end = lines.findIndex((l, j) => j > i && closes(l));
    if (end < 0) throw new ConfigError(`${file} line ${i + 1}: the value opened with ${quote} is never closed`);
    i = end;
  }
}

/** A name with one of the suite's prefixes that it does not read is a typo: say which name was meant. */
function checkNames(env: Record<string, string>, theirs: readonly string[]): void {
  for (const name of Object.keys(env).sort()) {
    if (!SETTING_PREFIXES.some((p) => name.startsWith(p)) || KNOWN_VARIABLES.includes(name) || theirs.includes(name)) continue;
    const family = KNOWN_VARIABLES.filter((k) => k.startsWith(name.slice(0, name.indexOf('_') + 1)));
    throw new ConfigError(`${name} (environment or .env) is not a variable the suite reads${didYouMean(name, KNOWN_VARIABLES) || ` (${family.join(', ')})`}`);
  }
}

/** `NAME must …` for one schema error, on one line. */
function describeVariableError(e: ErrorObject): string {
  const allowed = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: string[] }).allowedValues.filter(Boolean).join(', ')})` : '';
  return `${e.instancePath.slice(1) || 'environment'} ${e.message}${allowed}`;
}

/**
 * The environment after `.env` and the command line's overrides, every suite variable checked: the .env's
 * syntax, misspelt names, and each value against the environment schema.
 */
export function readEnvironment(overrides: Record<string, string | undefined> = {}, envFile = '.env'): Record<string, string> {
  if (existsSync(envFile)) {
    checkDotenv(readFileSync(envFile, 'utf8'), envFile);
    const r = loadDotenv({ path: envFile, quiet: true } as Parameters<typeof loadDotenv>[0]);
    if (r.error) throw new ConfigError(`.env cannot be read: ${r.error.message}`);
  }
  const env: Record<string, string> = {};
  // A flag that was not given must not erase the environment variable it overrides.
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) env[k] = v;
  const theirs = env.PRINCIPALS_FILE ? variablesNamedBy(resolve(env.PRINCIPALS_FILE)) : [];
  checkNames(env, theirs);
  const relevant = Object.fromEntries(Object.entries(env).filter(([k]) => KNOWN_VARIABLES.includes(k)));
  if (!validators.environment(relevant)) {
    throw new ConfigError(`configuration is invalid (environment or .env): ${(validators.environment.errors ?? []).map(describeVariableError).join('; ')}`);
  }
  // The suite's own hand-offs and hooks too: a stray RAA_SHARD must not quietly change a run.
  checkInternal(env);
  return env;
}

export function loadConfig(overrides: Record<string, string | undefined> = {}, envFile = '.env'): RunConfig {
  const env = readEnvironment(overrides, envFile);
  const profile = (env.CONFORMANCE_PROFILE ?? 'quick') as Profile;
  const cloud = env.GRAPH_CLOUD as CloudId | undefined;
  let target = env.TARGET_BASE_URL?.replace(/\/+$/, '');
  if (!target && cloud) target = `${CLOUDS[cloud].graphRoot}/beta`;
  const seedGiven = env.CONFORMANCE_SEED !== undefined;
  const principalsFile = env.PRINCIPALS_FILE ? resolve(env.PRINCIPALS_FILE) : undefined;
  if (principalsFile && !target) throw new ConfigError('PRINCIPALS_FILE is set but TARGET_BASE_URL is not: the embedded reference server uses its own principals');
  if (principalsFile && !existsSync(principalsFile)) throw new ConfigError(`PRINCIPALS_FILE ${principalsFile} does not exist`);
  for (const k of ['CONFORMANCE_EXPECTATIONS'] as const) if (env[k] && !existsSync(resolve(env[k]))) throw new ConfigError(`${k} ${resolve(env[k])} does not exist`);
  if (target && !principalsFile) throw new ConfigError(`TARGET_BASE_URL is set (${target}) but PRINCIPALS_FILE is not: the suite needs to know who it can act as`);
  return {
    targetBaseUrl: target,
    principalsFile,
    cloud,
    seed: seedGiven ? Number(env.CONFORMANCE_SEED) : Math.floor(Math.random() * 0x7fffffff),
    seedGiven,
    profile,
    numRuns: env.CONFORMANCE_NUM_RUNS ? Number(env.CONFORMANCE_NUM_RUNS) : PROFILES[profile].numRuns,
    propertyBudgetMs: PROFILES[profile].propertyBudgetMs,
    reportDir: resolve(env.CONFORMANCE_REPORT_DIR ?? 'reports'),
    strict: truthy(env.CONFORMANCE_STRICT),
    allowWrites: truthy(env.CONFORMANCE_ALLOW_WRITES),
    timeoutMs: env.CONFORMANCE_TIMEOUT_MS ? Number(env.CONFORMANCE_TIMEOUT_MS) : 15_000,
    rateLimit: env.CONFORMANCE_RATE_LIMIT !== undefined ? Number(env.CONFORMANCE_RATE_LIMIT) : (target ? DEFAULT_TENANT_RATE : 0),
    expectationsFile: env.CONFORMANCE_EXPECTATIONS ? resolve(env.CONFORMANCE_EXPECTATIONS) : undefined,
    historyDir: env.CONFORMANCE_HISTORY_DIR ? resolve(env.CONFORMANCE_HISTORY_DIR) : undefined,
    regressionsFile: resolve(env.CONFORMANCE_REGRESSIONS ?? join(ROOT, 'fixtures', 'regressions.json')),
    defects: (env.REFERENCE_DEFECTS ?? '').split(',').filter(Boolean),
    faults: env.REFERENCE_FAULTS || undefined,
    ...(env.REFERENCE_CONTRACT ? { referenceContract: env.REFERENCE_CONTRACT as 'today' | 'seed' } : {}),
    allowPartial: truthy(env.CONFORMANCE_ALLOW_PARTIAL),
    retryBudgetMs: env.CONFORMANCE_RETRY_BUDGET_S !== undefined ? Number(env.CONFORMANCE_RETRY_BUDGET_S) * 1000 : 300_000,
    requireMetadata: truthy(env.CONFORMANCE_REQUIRE_METADATA),
  };
}
