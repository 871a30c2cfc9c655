// `raa-conformance run`: prepares the target (the embedded reference server unless one is given), resolves the
// principals, checks the target answers, runs the Playwright suite and turns its report into the exit code.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadValidated, validators } from '../contract';
import { loadConfig, requestPlan, type RunConfig } from '../config/config';
import { EXIT, exitCodeFor } from '../report/exit-code';
import { loadExpectations } from '../config/expectations';
import { checkTarget } from './preflight-outcome';
import { buildRuntime } from '../config/runtime';
import { UsageError } from './errors';
import { VERSION, cleanReports, playwrightSuite, renewedTokens, scrubReports, withWorkDir, writeRuntime, writtenReport } from './core';
import { prepareTarget, type PreparedTarget } from './target';

export const help = `Usage: raa-conformance run [options] [-- <playwright options>]

Options (each overrides the environment variable named):
  --target URL          base URL with the version segment (TARGET_BASE_URL), e.g. https://graph.microsoft.com/beta
  --principals FILE     principals file (PRINCIPALS_FILE)
  --cloud NAME          global | usgov-l4 | usgov-l5-dod | china (GRAPH_CLOUD)
  --profile NAME        quick | deep | tenant (CONFORMANCE_PROFILE)
  --seed N              replay a run (CONFORMANCE_SEED)
  --strict              SHOULD failures also fail the run (CONFORMANCE_STRICT=1)
  --report-dir DIR      where reports go (CONFORMANCE_REPORT_DIR, default reports/)
  --allow-writes        allow POST/PATCH/DELETE against a target other than the embedded reference server
                        (CONFORMANCE_ALLOW_WRITES=1); a loopback URL may be a proxy to a tenant
  --allow-partial       accept MUST requirements left untested by configuration (CONFORMANCE_ALLOW_PARTIAL=1)
  --require-metadata    a target without $metadata (404) fails RAA-META-SERVED instead of leaving the
                        metadata requirements not tested (CONFORMANCE_REQUIRE_METADATA=1)
  --defects LIST        embedded target only: break the reference server on purpose (REFERENCE_DEFECTS)
  --reference-contract today|seed
                        embedded target only: the contract the reference server implements (REFERENCE_CONTRACT)
  --shard i/n           run one shard; merge the shards' report dirs with \`raa-conformance merge\`

Environment only: CONFORMANCE_EXPECTATIONS (known deviations), CONFORMANCE_HISTORY_DIR (trend on the page),
CONFORMANCE_REGRESSIONS (pinned regressions), CONFORMANCE_RATE_LIMIT, CONFORMANCE_TIMEOUT_MS,
CONFORMANCE_RETRY_BUDGET_S (time spent waiting out 429/503, default 300), CONFORMANCE_NUM_RUNS (property
runs), CONFORMANCE_WORKERS (test workers, default 2), REFERENCE_FAULTS (embedded target: inject faults).
A misspelt variable with one of the prefixes TARGET_, PRINCIPALS_, GRAPH_, CONFORMANCE_, REFERENCE_ is refused.

Before any test, one request without a token and one per principal check that a Graph API answers at the URL.
If nothing answers, a web page or a 404 answers, or a JWT's own expiry contradicts its tokenState, the run stops
in seconds with one line (exit 2). A target that answers but misbehaves (accepts no token or an expired one,
lists without "value") is judged: the run goes on and the report fails the requirement with that answer.

Exit codes:
  0  conformant
  1  not conformant: a MUST requirement failed (with --strict, a SHOULD too), or the expectations no longer hold
  2  bad input or configuration: a flag, a variable, a file, a URL where no Graph API answers
  3  no verdict: a test errored, or the target's answers were inconclusive
  4  incomplete: a MUST requirement untested because of the configuration (--allow-partial accepts that)

Examples:
  raa-conformance run
  raa-conformance run --seed 1234 -- --grep @RAA-CREATE-ECHO
  raa-conformance run --target https://vendor.example/beta --principals principals.json --strict`;

const OPTIONS = {
  target: { type: 'string' }, principals: { type: 'string' }, cloud: { type: 'string' }, profile: { type: 'string' },
  seed: { type: 'string' }, strict: { type: 'boolean' }, 'report-dir': { type: 'string' }, 'allow-writes': { type: 'boolean' },
  'allow-partial': { type: 'boolean' }, defects: { type: 'string' }, 'reference-contract': { type: 'string' }, shard: { type: 'string' },
  'require-metadata': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
}

/** `i/n` with 1 ≤ i ≤ n, as Playwright's --shard takes it. */
function checkShard(shard: string): void {
  const m = /^([0-9]+)\/([0-9]+)$/.exec(shard);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`run: --shard ${shard} is not i/n with 1 ≤ i ≤ n (e.g. 1/3)`, 'run');
}

/** Playwright options that choose which tests run (or stop it early); with a value unless written `--opt=value`. */
const NARROWING = new Map([['--grep', true], ['-g', true], ['--grep-invert', true], ['--project', true], ['--test-list', true],
  ['--test-list-invert', true], ['--shard', true], ['--max-failures', true], ['-x', false], ['--last-failed', false], ['--only-changed', false]]);
/** Playwright options that take a value but leave the selection alone: their value is no file filter. */
const VALUED = new Set(['--reporter', '--workers', '-j', '--retries', '--timeout', '--trace', '--output', '--repeat-each', '--global-timeout', '--tsconfig', '--config', '-c']);

/** How the user narrowed the run, e.g. `--grep @RAA-CREATE-ECHO` or `shard 1/3`; undefined when every test runs. */
export function describeSelection(playwrightArgs: readonly string[], shard?: string): string | undefined {
  const parts: string[] = [];
  for (let i = 0; i < playwrightArgs.length; i++) {
    const arg = playwrightArgs[i]!;
    const name = arg.split('=')[0]!;
    const takesValue = !arg.includes('=');
    if (NARROWING.has(name)) parts.push(NARROWING.get(name) && takesValue && i + 1 < playwrightArgs.length ? `${arg} ${playwrightArgs[++i]}` : arg);
    else if (VALUED.has(name)) { if (takesValue) i++; }
    // Anything else that is not an option is a test file filter.
    else if (!arg.startsWith('-')) parts.push(arg);
  }
  if (shard) parts.push(`shard ${shard}`);
  const text = parts.join(', ');
  return text ? (text.length > 120 ? `${text.slice(0, 119)}…` : text) : undefined;
}

/** The flags as the environment variables they override. */
function configFrom(values: Values): RunConfig {
  const flag = (on: boolean | undefined) => (on ? '1' : undefined);
  return loadConfig({
    TARGET_BASE_URL: values.target, PRINCIPALS_FILE: values.principals, GRAPH_CLOUD: values.cloud, CONFORMANCE_PROFILE: values.profile,
    CONFORMANCE_SEED: values.seed, CONFORMANCE_STRICT: flag(values.strict), CONFORMANCE_REPORT_DIR: values['report-dir'],
    CONFORMANCE_ALLOW_WRITES: flag(values['allow-writes']), CONFORMANCE_ALLOW_PARTIAL: flag(values['allow-partial']),
    REFERENCE_DEFECTS: values.defects, REFERENCE_CONTRACT: values['reference-contract'], CONFORMANCE_REQUIRE_METADATA: flag(values['require-metadata']),
  });
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) { process.stdout.write(help + '\n'); return EXIT.ok; }
  // Where a run's fixed cost goes (bench figure 3c): each step's time, carried to conformance.json.
  const marks: Record<string, number> = { processStart: Math.round(performance.timeOrigin), commandStart: Date.now() };
  if (values.shard !== undefined) checkShard(values.shard);
  const config = configFrom(values);
  const selection = describeSelection(positionals, values.shard);
  if (config.expectationsFile) loadExpectations(config.expectationsFile);
  if (existsSync(config.regressionsFile)) loadValidated(config.regressionsFile, validators.regressionsFile, 'regressions file');
  marks.configured = Date.now();
  const prepared = await prepareTarget(config);
  marks.targetReady = Date.now();
  try {
    return await withWorkDir('raa-run-', (dir) => runSuite(dir, config, prepared, { marks, selection, shard: values.shard, playwrightArgs: positionals }));
  } finally {
    await prepared.close();
  }
}

interface RunOptions { marks: Record<string, number>; selection?: string; shard?: string; playwrightArgs: string[] }

/** From the preflight to the exit code, with the runtime file in `dir`. */
async function runSuite(dir: string, config: RunConfig, prepared: PreparedTarget, o: RunOptions): Promise<number> {
  const { target, principals, secrets } = prepared;
  // What the target's first answers already show against it is judged in the report, never blamed on the input.
  const preflight = await checkTarget(target, principals);
  o.marks.preflight = Date.now();
  const renewedTokensFile = join(dir, 'renewed-tokens');
  const runtime = buildRuntime(config, prepared, VERSION, {
    ...(o.selection ? { selection: o.selection } : {}), renewedTokensFile, preflight, marks: { ...o.marks, runtimeWritten: Date.now() },
  });
  const runtimeFile = writeRuntime(dir, runtime);
  cleanReports(config.reportDir);
  const embedded = prepared.embedded ? ` (embedded reference server${config.defects.length ? `, defects: ${config.defects.join(',')}` : ''})` : '';
  process.stdout.write(`raa-conformance: target ${target}${embedded}, profile ${config.profile}, seed ${config.seed}\n`);
  process.stdout.write(`raa-conformance: ${requestPlan(config.numRuns, config.rateLimit)}\n`);
  const shardArgs = o.shard ? [`--shard=${o.shard}`] : [];
  const code = await playwrightSuite('test', [...shardArgs, ...o.playwrightArgs], runtimeFile, { RAA_SHARD: o.shard });
  scrubReports(config.reportDir, [...principals.map((p) => p.token), ...secrets, ...renewedTokens(renewedTokensFile)]);
  const report = writtenReport(config.reportDir);
  if (!report) {
    process.stderr.write(`raa-conformance: the suite did not produce ${join(config.reportDir, 'conformance.json')} (Playwright exited ${code})\n`);
    return EXIT.error;
  }
  return exitCodeFor(report, config.strict);
}
