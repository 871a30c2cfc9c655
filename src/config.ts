// The run's configuration: environment and `.env` (dotenv), validated against schemas/suite.ts before any
// test runs. Flags from the command line override the environment.
import { config as loadDotenv } from 'dotenv';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, ROOT, describeErrors, validators } from './contract';
import { CLOUDS, type CloudId } from './clouds';

export type Profile = 'quick' | 'deep';

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
  expectationsFile?: string;
  historyDir?: string;
  regressionsFile: string;
  defects: string[];
  faults?: string;
}

export const PROFILES: Record<Profile, { numRuns: number; propertyBudgetMs: number }> = {
  quick: { numRuns: 200, propertyBudgetMs: 0 },
  deep: { numRuns: 20_000, propertyBudgetMs: 60_000 },
};

/** Intune's per-app write limit is 200 requests per 20 s (GRAPH-FACTS §1): stay under it by default. */
export const DEFAULT_TENANT_RATE = 8;

const truthy = (v: string | undefined) => v === '1' || v === 'true';

export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export function loadConfig(overrides: Record<string, string | undefined> = {}, envFile = '.env'): RunConfig {
  if (existsSync(envFile)) {
    const r = loadDotenv({ path: envFile, quiet: true } as Parameters<typeof loadDotenv>[0]);
    if (r.error) throw new ConfigError(`.env cannot be read: ${r.error.message}`);
  }
  const env: Record<string, string> = {};
  // A flag that was not given must not erase the environment variable it overrides.
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) env[k] = v;
  const relevant = Object.fromEntries(Object.entries(env).filter(([k]) => /^(TARGET_|PRINCIPALS_|GRAPH_|CONFORMANCE_|REFERENCE_)/.test(k)));
  if (!validators.environment(relevant)) {
    throw new ConfigError(`configuration is invalid (environment or .env):\n  ${describeErrors(validators.environment.errors).map((l) => l.replace(/^\//, '')).join('\n  ')}`);
  }
  const profile = (env.CONFORMANCE_PROFILE ?? 'quick') as Profile;
  const cloud = env.GRAPH_CLOUD as CloudId | undefined;
  let target = env.TARGET_BASE_URL?.replace(/\/+$/, '');
  if (!target && cloud) target = `${CLOUDS[cloud].graphRoot}/beta`;
  const seedGiven = env.CONFORMANCE_SEED !== undefined;
  const principalsFile = env.PRINCIPALS_FILE ? resolve(env.PRINCIPALS_FILE) : undefined;
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
    rateLimit: env.CONFORMANCE_RATE_LIMIT !== undefined ? Number(env.CONFORMANCE_RATE_LIMIT) : (target && !isLoopback(target) ? DEFAULT_TENANT_RATE : 0),
    expectationsFile: env.CONFORMANCE_EXPECTATIONS ? resolve(env.CONFORMANCE_EXPECTATIONS) : undefined,
    historyDir: env.CONFORMANCE_HISTORY_DIR ? resolve(env.CONFORMANCE_HISTORY_DIR) : undefined,
    regressionsFile: resolve(env.CONFORMANCE_REGRESSIONS ?? join(ROOT, 'fixtures', 'regressions.json')),
    defects: (env.REFERENCE_DEFECTS ?? '').split(',').filter(Boolean),
    faults: env.REFERENCE_FAULTS || undefined,
  };
}
