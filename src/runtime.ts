// What the command line hands to the Playwright workers: the resolved target, principals with tokens and
// the run's settings, in a private temporary file named by RAA_RUNTIME (never inside reports/).
import { readFileSync } from 'node:fs';
import type { Principal } from './principals';
import type { Profile } from './config';
import { redactor } from './redact';

export interface Runtime {
  runId: string;
  /** Prefix of deviceDisplayName on every record this run creates. */
  marker: string;
  target: string;
  embedded: boolean;
  loopback: boolean;
  principals: Principal[];
  seed: number;
  profile: Profile;
  numRuns: number;
  propertyBudgetMs: number;
  strict: boolean;
  allowWrites: boolean;
  timeoutMs: number;
  rateLimit: number;
  reportDir: string;
  suiteVersion: string;
  defects: string[];
  /** Extra secrets to scrub (client secrets, key material). */
  secrets: string[];
  expectationsFile?: string;
  /** Folder of earlier conformance.json files; this run is added and the page shows the trend. */
  historyDir?: string;
  /** Pinned regressions replayed first (default fixtures/regressions.json). */
  regressionsFile?: string;
  /** Private file where workers append the tokens they renew, so the runner can scrub them too. */
  renewedTokensFile?: string;
}

export const MARKER_PREFIX = 'raa-conformance/';

let cached: Runtime | undefined;

export function loadRuntime(): Runtime {
  if (cached) return cached;
  const path = process.env.RAA_RUNTIME;
  if (!path) throw new Error('RAA_RUNTIME is not set: run the suite with `npm run conformance` (or `raa-conformance run`), which prepares the target and principals first.');
  cached = JSON.parse(readFileSync(path, 'utf8')) as Runtime;
  redactor.add(...cached.principals.map((p) => p.token), ...cached.secrets);
  return cached;
}
