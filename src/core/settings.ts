// Every environment variable the project reads, in one table: the user's settings (their values validated by the
// environment schema, schemas/suite.ts), the command line's hand-offs to its children, the self-tests' hooks and
// the CI's own. Product code reads them through setting(); the README's configuration table is generated here.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ROOT, validators } from '../contract';
import { environmentSchema } from '../../schemas/suite';

/** setting: the user's; hand-off: from the command line to its own children; test-hook: self-tests only; ci: set by the CI. */
export type SettingKind = 'setting' | 'hand-off' | 'test-hook' | 'ci';

export interface SettingSpec {
  kind: SettingKind;
  description: string;
  /** What an unset variable means (the README's Default column); settings only. */
  default?: string;
  /** Internal variables: the shape of a value (settings are checked against the environment schema instead). */
  pattern?: RegExp;
}

type UserSetting = keyof typeof environmentSchema.properties;

const USER: Record<UserSetting, Omit<SettingSpec, 'kind'>> = {
  TARGET_BASE_URL: { description: 'base URL including the version segment, e.g. `https://graph.microsoft.com/beta`', default: 'unset: embedded reference server' },
  GRAPH_CLOUD: { description: '`global`, `usgov-l4`, `usgov-l5-dod` or `china`: the Graph root and Entra authority', default: 'unset (`global` for client credentials)' },
  PRINCIPALS_FILE: { description: 'who the suite can act as (required with a target, refused without one)', default: 'the reference target\'s principals' },
  CONFORMANCE_PROFILE: { description: '`quick` (CI gate, 200 runs per property), `deep` (nightly, 20,000 runs per property, with a 60 s budget each) or `tenant` (CI gate against a real tenant: every requirement still tested, 2 runs per property, about 830 requests)', default: '`quick`' },
  CONFORMANCE_SEED: { description: 'replays a run exactly', default: 'random, printed' },
  CONFORMANCE_NUM_RUNS: { description: 'overrides the profile\'s property runs' },
  CONFORMANCE_REPORT_DIR: { description: 'where reports go', default: '`reports/`' },
  CONFORMANCE_STRICT: { description: '`1`: SHOULD failures also fail the run', default: 'off' },
  CONFORMANCE_ALLOW_WRITES: { description: '`1`: allow POST/PATCH/DELETE against a target other than the embedded reference server', default: 'off' },
  CONFORMANCE_ALLOW_PARTIAL: { description: '`1`: accept MUST requirements left untested by the configuration (exit 0 instead of 4 when nothing failed)', default: 'off' },
  CONFORMANCE_REQUIRE_METADATA: { description: '`1`: a target that serves no `$metadata` (404) fails RAA-META-SERVED; otherwise the metadata requirements are *not tested* there', default: 'off' },
  CONFORMANCE_RATE_LIMIT: { description: 'client-side requests/s', default: '8 against any target but the embedded reference server (under Intune\'s 200 writes per 20 s per app), none for the embedded one' },
  CONFORMANCE_TIMEOUT_MS: { description: 'per-request timeout', default: '15000' },
  CONFORMANCE_RETRY_BUDGET_S: { description: 'seconds the run may spend waiting out 429/503 answers before the checks they hold up end inconclusive', default: '300' },
  CONFORMANCE_WORKERS: { description: 'Playwright test workers', default: '2' },
  CONFORMANCE_EXPECTATIONS: { description: 'known deviations of the target (see INTERPRETING.md)' },
  CONFORMANCE_HISTORY_DIR: { description: 'folder of earlier `conformance.json` files; the page shows the trend' },
  CONFORMANCE_REGRESSIONS: { description: 'pinned regressions, replayed first', default: '`fixtures/regressions.json`' },
  REFERENCE_DEFECTS: { description: 'embedded target only: break it on purpose (names in `fixtures/defects.json`)' },
  REFERENCE_FAULTS: { description: 'embedded target only: inject faults, e.g. `throttle=0.05,unavailable=0.05,slow=0.05,slowMs=40,retryAfter=1`' },
  REFERENCE_VARIANTS: { description: 'embedded server of `serve` and `compare` only: legal variations (`all`, or names in `server/variants.ts`)' },
  REFERENCE_CONTRACT: { description: 'embedded target only: `today` (Graph as it is) or `seed` (the seed page\'s contract)', default: '`today`' },
};

const INTERNAL = {
  RAA_RUNTIME: { kind: 'hand-off', description: 'the private runtime file the command line writes for the Playwright workers', pattern: /^.+$/ },
  RAA_SHARD: { kind: 'hand-off', description: 'the shard of a `run --shard i/n`, for the reporter', pattern: /^[0-9]+\/[0-9]+$/ },
  RAA_REPORTS: { kind: 'hand-off', description: '`minimal` in matrix runs: only conformance.json', pattern: /^minimal$/ },
  RAA_MERGE: { kind: 'hand-off', description: 'set by `merge` for its Playwright merge-reports child', pattern: /^1$/ },
  RAA_SELF_WHOLE: { kind: 'hand-off', description: 'set by `self-test` when it runs every self-test, so only a whole run is kept as `npm test`\'s time', pattern: /^1$/ },
  RAA_SELF_RUN: { kind: 'hand-off', description: 'names a self-test run, so restarted workers share the defect matrix', pattern: /^[A-Za-z0-9_.-]+$/ },
  RAA_WORKER_TIMES: { kind: 'hand-off', description: 'bench: a folder where each Playwright worker of a run writes its timeline (node booted, suite modules loaded, first fixture, tests ended, teardown ended)', pattern: /^.+$/ },
  RAA_SELF_FULL_MATRIX: { kind: 'test-hook', description: 'self-tests: the defect matrix runs every defect against the whole suite (the nightly), not narrowed to the tests of its requirements', pattern: /^1$/ },
  RAA_PACKAGE_NODES: { kind: 'test-hook', description: 'self-tests: node binaries to run the packed npm package under (tests/self/package.spec.ts)', pattern: /^.+$/ },
  ACTIONS_ID_TOKEN_REQUEST_URL: { kind: 'ci', description: 'GitHub Actions: its OIDC token endpoint (principals with `clientAssertion: github-oidc`)', pattern: /^https?:\/\/\S+$/ },
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: { kind: 'ci', description: 'GitHub Actions: the bearer token for that endpoint (redacted like every secret)', pattern: /^\S+$/ },
  CI: { kind: 'ci', description: 'set by every CI: compact console output', pattern: /^.*$/ },
  GITHUB_STEP_SUMMARY: { kind: 'ci', description: 'GitHub Actions: `diff` and `drift` append their Markdown to this file', pattern: /^.+$/ },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = UserSetting | keyof typeof INTERNAL;

/** The table: every variable the project reads, by name. */
export const SETTINGS: Readonly<Record<SettingName, SettingSpec>> = {
  ...Object.fromEntries(Object.entries(USER).map(([k, v]) => [k, { kind: 'setting', ...v }])) as Record<UserSetting, SettingSpec>,
  ...INTERNAL,
};

/** The user's settings, in the README's order. */
export const USER_SETTINGS: readonly UserSetting[] = Object.keys(USER) as UserSetting[];

/** Prefixes of the user's settings: any other name under them is a typo, refused with a suggestion. */
export const SETTING_PREFIXES = ['TARGET_', 'PRINCIPALS_', 'GRAPH_', 'CONFORMANCE_', 'REFERENCE_'] as const;

/** Every prefix of the suite's own variables, the hand-offs' included: a child run starts with none of them inherited. */
export const SUITE_PREFIXES = [...SETTING_PREFIXES, 'RAA_'] as const;
export const SUITE_VARIABLE = new RegExp(`^(${SUITE_PREFIXES.join('|')})`);

/** `NAME must …` when `value` is no value of the variable `name`, else undefined. */
export function problemWith(name: SettingName, value: string): string | undefined {
  const spec = SETTINGS[name];
  if (spec.kind === 'setting') {
    if (validators.environment({ [name]: value })) return undefined;
    const e = validators.environment.errors?.[0];
    const allowed = e?.keyword === 'enum' ? ` (${(e.params as { allowedValues: string[] }).allowedValues.filter(Boolean).join(', ')})` : '';
    return `${name} ${e?.message ?? 'is invalid'}${allowed}`;
  }
  return spec.pattern!.test(value) ? undefined : `${name} must match ${spec.pattern!.source} (${spec.kind === 'ci' ? 'set by the CI' : 'internal: set by the suite itself, never by hand'})`;
}

/** Every internal variable of `env` that is set, checked; the user's settings are checked by config.ts with their schema. */
export function checkInternal(env: Record<string, string | undefined>): void {
  const problems = Object.keys(INTERNAL).flatMap((name) => {
    const v = env[name];
    return v ? [problemWith(name as SettingName, v)].filter((p): p is string => !!p) : [];
  });
  if (problems.length) throw new ConfigError(`configuration is invalid (environment): ${problems.join('; ')}`);
}

/** The variable's value, checked; undefined when unset or empty. A bad value throws one readable line. */
export function setting(name: SettingName): string | undefined {
  const v = process.env[name];
  if (!v) return undefined;
  const problem = problemWith(name, v);
  if (problem) throw new ConfigError(`configuration is invalid (environment): ${problem}`);
  return v;
}

/** A variable a principals file names (tokenEnv, clientSecretEnv): the user's own, never validated here. */
export function namedVariable(name: string): string | undefined {
  return process.env[name];
}

/** This process's environment for a child, less what `drop` matches (SUITE_VARIABLE: nothing of the suite's leaks in), plus `extra`. */
export function childEnvironment(extra: Record<string, string | undefined> = {}, drop?: RegExp): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !drop?.test(k)) env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/**
 * The name of this self-test run (RAA_SELF_RUN): `<ms>-<runner pid>`. A worker keeps the name its runner handed
 * down (the runner is its parent); any other process, a runner whose shell exported an old name included, takes a
 * fresh one, so no stored matrix of an earlier run can stand in for this one's.
 */
export function selfRunName(inherited: string | undefined, pid = process.pid, ppid = process.ppid, now = Date.now()): string {
  return inherited?.endsWith(`-${ppid}`) ? inherited : `${now}-${pid}`;
}

/** Sets a hand-off for this process and the children it starts (playwright.self.config.ts names its run). */
export function handOff(name: keyof typeof INTERNAL, value: string): void {
  process.env[name] = value;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The README's configuration tables: the user's settings, then the variables the suite reads but nobody sets by hand. */
export function configurationTable(): string {
  const rows = USER_SETTINGS.map((n) => `| \`${n}\` | ${cell(USER[n].description)} | ${cell(USER[n].default ?? '')} |`);
  const internal = Object.entries(INTERNAL).map(([n, s]) => `| \`${n}\` | ${s.kind} | ${cell(s.description)} |`);
  return ['| Variable | Meaning | Default |', '|---|---|---|', ...rows, '',
    'The suite also reads these; none is a setting (`src/core/settings.ts`, kinds: `hand-off` from the command line to its',
    'own children, `test-hook` for the self-tests only, `ci` set by the CI). They are validated like the settings.', '',
    '| Variable | Kind | Meaning |', '|---|---|---|', ...internal].join('\n');
}

const START = '<!-- configuration table: generated by src/core/settings.ts (updateReadme) -->';
const END = '<!-- end of the configuration table -->';
const README = join(ROOT, 'README.md');

/** The generated block of README.md as it stands, or undefined when its markers are missing. */
export function readmeTable(path = README): string | undefined {
  const text = readFileSync(path, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  return a < 0 || b < a ? undefined : text.slice(a + START.length, b).trim();
}

/** Rewrites README.md's configuration table from this module: `npx tsx -e "import('./src/core/settings.ts').then((m) => m.updateReadme())"`. */
export function updateReadme(path = README): void {
  const text = readFileSync(path, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${path} has no configuration table markers (${START} … ${END})`);
  writeFileSync(path, `${text.slice(0, a + START.length)}\n${configurationTable()}\n${text.slice(b)}`);
}
