// raa-conformance: the command line. `run` prepares the target (the embedded reference server unless one is
// given), resolves principals, checks the target answers, then runs the Playwright suite and decides the exit code.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { COMPILED, ConfigError, ROOT, loadValidated, modulePath, validators } from './contract';
import { loadExpectations } from './expectations';
import { isLoopback, loadConfig, readEnvironment, requestPlan, type RunConfig } from './config';
import { preflight } from './preflight';
import { removeMarked } from './cleanup';
export { preflight };
import { didYouMean } from './suggest';
import { childEnvironment, setting } from './settings';
import { readPrincipalsFile, resolvePrincipals, type Principal } from './principals';
import { redactor } from './redact';
import { MARKER_PREFIX, type MatrixProject, type Runtime } from './runtime';
import { mapLimit } from './http';
import { ReferenceServer } from '../server/app';
import { parseDefects } from '../server/defects';
import { parseFaults, withFaults, type FaultSpec } from '../server/faults';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientCredentialsProvider, redactable } from './token-providers';
import type { ConformanceReport } from './report/types';
import { diffReports, hasRegression, renderDiffMarkdown, renderDiffText } from './report/diff';
import { pin } from './regressions';
import { EXIT, exitCodeFor } from './exit-code';
export { EXIT, exitCodeFor };
import { CLEAN, judge, loadDefects, renderMatrix } from './matrix';
import { bundleServer, startServerProcess, type ServerProcess } from '../server/processes';
import { REFERENCE_TENANT, TokenIssuer } from '../server/tokens';
import { randomBytes } from 'node:crypto';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const require = createRequire(import.meta.url);


const HELP: Record<string, string> = {
  main: `raa-conformance ${pkg.version}: conformance suite for Microsoft Graph beta remoteActionAudit

Usage: raa-conformance <command> [options]

Commands:
  run         run the conformance suite against a target (default: the embedded reference server)
  serve       start the reference server as a local sandbox
  cleanup     delete records the suite left on a target (only those carrying its marker)
  pin         pin the shrunk counterexamples of a failed run as regression fixtures
  diff        compare two conformance.json files: what regressed, got fixed, is new or gone
  drift       compare the suite's contract with a CSDL document (a file, or a target's $metadata)
  merge       merge the reports of a sharded run (run --shard i/n) into one
  matrix      run the suite against the reference server with each defect (the defect matrix)
  bench       measure the suite's speed as ratios (npm run bench)
  self-test   the project's own tests (what \`npm test\` runs)

Run \`raa-conformance help <command>\` (or \`<command> --help\`) for a command's options, and
\`raa-conformance --version\` for the version.`,
  run: `Usage: raa-conformance run [options] [-- <playwright options>]

Options (each overrides the environment variable named):
  --target URL          base URL with the version segment (TARGET_BASE_URL), e.g. https://graph.microsoft.com/beta
  --principals FILE     principals file (PRINCIPALS_FILE)
  --cloud NAME          global | usgov-l4 | usgov-l5-dod | china (GRAPH_CLOUD)
  --profile NAME        quick | deep | tenant (CONFORMANCE_PROFILE)
  --seed N              replay a run (CONFORMANCE_SEED)
  --strict              SHOULD failures also fail the run (CONFORMANCE_STRICT=1)
  --report-dir DIR      where reports go (CONFORMANCE_REPORT_DIR, default reports/)
  --allow-writes        allow POST/PATCH/DELETE against a non-loopback target (CONFORMANCE_ALLOW_WRITES=1)
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

Before any test, one request per principal checks that the target answers like a Graph collection and agrees
with the principals file about its tokens; if not, the run stops in seconds with one line.

Exit codes:
  0  conformant
  1  not conformant: a MUST requirement failed (with --strict, a SHOULD too), or the expectations no longer hold
  2  bad input or configuration: a flag, a variable, a file, or a target that does not answer like Graph
  3  no verdict: a test errored, or the target's answers were inconclusive
  4  incomplete: a MUST requirement untested because of the configuration (--allow-partial accepts that)

Examples:
  raa-conformance run
  raa-conformance run --seed 1234 -- --grep @RAA-CREATE-ECHO
  raa-conformance run --target https://vendor.example/beta --principals principals.json --strict`,
  serve: `Usage: raa-conformance serve [--port N] [--defects LIST] [--faults SPEC] [--reference-contract today|seed] [--principals-out FILE]

Starts the reference server on 127.0.0.1 and prints a token for each default principal.
  --port N              port (default 8080; 0 picks a free one)
  --defects LIST        comma-separated defect names (see fixtures/defects.json; REFERENCE_DEFECTS)
  --faults SPEC         inject faults, e.g. throttle=0.05,retryAfter=1 (REFERENCE_FAULTS)
  --reference-contract today|seed
                        the contract it implements: today's Graph (default) or the seed's (REFERENCE_CONTRACT)
  --principals-out FILE also write a principals file with the minted tokens (for \`run --target\`)

Example:
  raa-conformance serve --port 8080
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/beta/deviceManagement/remoteActionAudits`,
  cleanup: `Usage: raa-conformance cleanup --target URL --principals FILE [--dry-run] [--run-id ID] [--allow-writes]

Finds records whose deviceDisplayName carries the suite's marker (${MARKER_PREFIX}<run id>/…) and deletes
those, and only those. Against a non-loopback target, deleting needs --allow-writes; --dry-run only lists.

Examples:
  raa-conformance cleanup --target https://graph.microsoft.com/beta --principals principals.json --dry-run
  raa-conformance cleanup --target https://graph.microsoft.com/beta --principals principals.json --allow-writes`,
  pin: `Usage: raa-conformance pin [--report reports/conformance.json] [--out fixtures/regressions.json]

Appends the shrunk counterexamples of the report's failed properties to the regressions file
(CONFORMANCE_REGRESSIONS, default fixtures/regressions.json); tests/contract/00-regressions replays them
first in every profile.`,
  diff: `Usage: raa-conformance diff BASE.json HEAD.json [--markdown FILE]

Prints what regressed, what got fixed, and what is new or gone, as text; writes Markdown to FILE and, in
GitHub Actions, to the job summary. Exits 1 when something regressed.

Example:
  raa-conformance diff last-night/conformance.json reports/conformance.json --markdown diff.md`,
  drift: `Usage: raa-conformance drift --csdl FILE|URL [--report-dir DIR]

Compares the suite's contract (schemas/entity.ts: properties, types, nullability; schemas/enums.ts: members,
their order, where unknownFutureValue sits) with a CSDL document: a file, or an http(s) URL such as a target's
$metadata. Prints what was added, removed, retyped (type or nullability) or reordered, and for each change the
current requirements it would make wrong. Members and properties newer than the seed are printed as known.
Writes DIR/drift.json and DIR/drift.md (and, in GitHub Actions, the job summary); the conformance page shows them.
  --csdl FILE|URL       the document, e.g. fixtures/csdl/beta-remoteActionAudit-slice.xml or https://graph.microsoft.com/beta/$metadata
  --report-dir DIR      where drift.json and drift.md go (CONFORMANCE_REPORT_DIR, default reports/)

Exit codes: 0 nothing touches a MUST requirement; 1 a change does; 2 bad input (a file that cannot be read, a
document that is not CSDL or declares no remoteActionAudit, a URL that does not answer).

Example:
  raa-conformance drift --csdl 'https://graph.microsoft.com/beta/$metadata'`,
  merge: `Usage: raa-conformance merge --report-dir DIR SHARD_DIR...

Each shard: raa-conformance run --shard i/n --report-dir SHARD_DIR (same --seed for all shards).
Merging writes DIR/conformance.json, .md, .html, junit.xml and html/ as one run would.`,
  matrix: `Usage: raa-conformance matrix [--defects LIST] [--report-dir DIR] [--seed N] [--workers N] [-- <playwright options>]

Runs the suite (strict, quick profile) against the reference server without defects and with each defect
of fixtures/defects.json, every server in its own process on its own port, all in one Playwright run (one
project per server). Writes DIR/<name>/conformance.json for each server, DIR/matrix.json and DIR/matrix.md,
and prints the table: a defect is caught when every requirement it lists failed and no other MUST did.
  --defects LIST        only these defects (comma-separated; default: all)
  --report-dir DIR      default reports/matrix
  --workers N           servers tested side by side (default 2)

Exit codes: 0 every defect caught and the clean server passed; 1 otherwise; 2 bad input; 3 no verdict.

Example:
  raa-conformance matrix --defects id-missing,nulls-accepted`,
  'self-test': `Usage: raa-conformance self-test [-- <playwright options>]\n\nRuns tests/self (typecheck, schemas, server, suite end to end, defect matrix).`,
};

/** A mistake on the command line: one line on stderr, then the command's usage on stdout. */
class UsageError extends ConfigError {
  constructor(message: string, readonly command: string) { super(message); }
}

/** Node's parseArgs errors, as one line that names the option (and the one probably meant). */
function usageError(e: Error & { code?: string }, command: string): UsageError {
  const named = /'(-[^' ]*)/.exec(e.message)?.[1] ?? /'([^']*)'/.exec(e.message)?.[1] ?? '';
  const options = [...new Set((HELP[command] ?? '').match(/--[a-z][a-z-]*/g) ?? [])];
  const message = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `${command}: unknown option ${named}${didYouMean(named, options)}`
    : e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? `${command}: unexpected argument "${named}"`
    : /does not take an argument/.test(e.message) ? `${command}: ${named} takes no value`
    : `${command}: ${named} needs a value`;
  return new UsageError(message, command);
}

/** File-system and network errors a user can cause (a path that does not exist, a busy port): no stack for those. */
const USER_CAUSED = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EADDRINUSE', 'EADDRNOTAVAIL']);

/** Bad input ends with one line and exit 2 (a usage mistake adds the usage); anything else is a bug: stack, exit 3. */
function fail(e: unknown, command = 'main'): never {
  const err = e as Error & { code?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS_')) return fail(usageError(err, command), command);
  if (e instanceof ConfigError || USER_CAUSED.has(err?.code ?? '')) {
    // Schema errors arrive as a heading and indented lines: one line keeps the message greppable in CI logs.
    const line = err.message.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ');
    process.stderr.write(`raa-conformance: ${redactor.redact(line)}\n`);
    if (e instanceof UsageError) process.stdout.write(`\n${HELP[e.command] ?? HELP.main}\n`);
    process.exit(EXIT.badInput);
  }
  process.stderr.write(`raa-conformance: ${redactor.redact(err?.stack ?? String(e))}\n`);
  process.exit(EXIT.error);
}

export interface Embedded {
  server: ReferenceServer;
  baseUrl: string;
  principals: Principal[];
  close(): Promise<void>;
}

/** The reference principals (fixtures/reference-principals.json) with tokens minted by `issuer`, valid for 12 hours. */
function referencePrincipals(issuer: TokenIssuer): Promise<Principal[]> {
  return resolvePrincipals(readPrincipalsFile(join(ROOT, 'fixtures', 'reference-principals.json')), {
    mint: (s) => issuer.mint({ type: s.type, permissions: s.permissions, tokenState: s.tokenState, name: s.name, lifetime: 12 * 3600, ...(s.tenant ? { tenant: s.tenant } : {}) }),
  });
}

export interface EmbeddedOptions {
  /** The contract the reference server implements (REFERENCE_CONTRACT); unset = today's. */
  contract?: 'today' | 'seed';
}

/** Starts the embedded reference server (with defects and faults if asked) and mints its principals' tokens. */
export async function startEmbedded(defects: string[], faults?: string, port = 0, opts: EmbeddedOptions = {}): Promise<Embedded> {
  // parseDefects refuses a misspelt name, which would otherwise run a clean server and "pass".
  const server = new ReferenceServer({ defects: parseDefects(defects.join(',')), ...(opts.contract ? { contract: opts.contract } : {}) });
  let baseUrl: string;
  let close: () => Promise<void>;
  if (faults) {
    let spec: FaultSpec;
    try { spec = parseFaults(faults); } catch (e) { throw new ConfigError(`REFERENCE_FAULTS: ${(e as Error).message}`); }
    const http = createServer({ keepAliveTimeout: 30_000 }, withFaults(server.handle, spec));
    await new Promise<void>((resolve, reject) => { http.once('error', reject); http.listen(port, '127.0.0.1', () => resolve()); });
    baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/beta`;
    close = () => new Promise<void>((resolve) => { http.closeAllConnections(); http.close(() => resolve()); });
  } else {
    baseUrl = await server.listen(port);
    close = () => server.close();
  }
  const principals = await referencePrincipals(server.issuer);
  return { server, baseUrl, principals, close };
}

/** Principals for a real target: static tokens, or client credentials against the cloud's Entra authority. */
async function targetPrincipals(config: RunConfig, secrets: string[]): Promise<Principal[]> {
  const cloud = config.cloud ?? 'global';
  return resolvePrincipals(readPrincipalsFile(config.principalsFile!), {
    clientCredentials: async (spec) => {
      const cc = spec.clientCredentials!;
      const extra = redactable(cc);
      secrets.push(...extra);
      redactor.add(...extra);
      try {
        // A federated token fetched for the first token (GitHub's) is scrubbed from the reports like the rest.
        const provider = new ClientCredentialsProvider(cc, cloud, { onSecret: (v) => secrets.push(v) });
        const token = await provider.getToken();
        return { token, renewal: { clientCredentials: cc, cloud, expiresAt: provider.expiresAt! } };
      } catch (e) {
        throw new ConfigError(`principal "${spec.name}": ${(e as Error).message}`);
      }
    },
  });
}

/** Tokens the workers renewed during the run (src/token-renewal.ts), for the final scrub. */
function renewedTokens(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

function cleanReports(dir: string): void {
  for (const f of ['html', 'junit.xml', 'conformance.json', 'conformance.md', 'conformance.html', 'blob', 'test-results', '.run', '.counterexamples']) rmSync(join(dir, f), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Defence in depth: no known secret survives anywhere under reports/. */
function scrubReports(dir: string, secrets: string[]): void {
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.size < 64 * 1024 * 1024) {
        const text = readFileSync(p, 'latin1');
        if (secrets.some((s) => text.includes(s))) writeFileSync(p, redactor.redact(readFileSync(p, 'utf8')));
      }
    }
  };
  if (existsSync(dir)) walk(dir);
}

/** Runs a child process with its output passed through the redactor. */
function runRedacted(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const pipe = (from: NodeJS.ReadableStream, to: NodeJS.WriteStream) => {
      let buf = '';
      from.setEncoding('utf8');
      from.on('data', (chunk: string) => {
        buf += chunk;
        const cut = buf.lastIndexOf('\n');
        if (cut >= 0) { to.write(redactor.redact(buf.slice(0, cut + 1))); buf = buf.slice(cut + 1); }
      });
      from.on('end', () => { if (buf) to.write(redactor.redact(buf)); });
    };
    pipe(child.stdout!, process.stdout);
    pipe(child.stderr!, process.stderr);
    child.on('close', (code) => resolve(code ?? EXIT.error));
  });
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

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      target: { type: 'string' }, principals: { type: 'string' }, cloud: { type: 'string' }, profile: { type: 'string' },
      seed: { type: 'string' }, strict: { type: 'boolean' }, 'report-dir': { type: 'string' }, 'allow-writes': { type: 'boolean' },
      'allow-partial': { type: 'boolean' }, defects: { type: 'string' }, 'reference-contract': { type: 'string' }, shard: { type: 'string' },
      'require-metadata': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { process.stdout.write(HELP.run + '\n'); return EXIT.ok; }
  // Where a run's fixed cost goes (bench figure 3c): each step's time, carried to conformance.json.
  const marks: Record<string, number> = { processStart: Math.round(performance.timeOrigin), commandStart: Date.now() };
  if (values.shard !== undefined) checkShard(values.shard);
  const config: RunConfig = loadConfig({
    TARGET_BASE_URL: values.target, PRINCIPALS_FILE: values.principals, GRAPH_CLOUD: values.cloud, CONFORMANCE_PROFILE: values.profile,
    CONFORMANCE_SEED: values.seed, CONFORMANCE_STRICT: values.strict ? '1' : undefined, CONFORMANCE_REPORT_DIR: values['report-dir'],
    CONFORMANCE_ALLOW_WRITES: values['allow-writes'] ? '1' : undefined, CONFORMANCE_ALLOW_PARTIAL: values['allow-partial'] ? '1' : undefined,
    REFERENCE_DEFECTS: values.defects, REFERENCE_CONTRACT: values['reference-contract'],
    CONFORMANCE_REQUIRE_METADATA: values['require-metadata'] ? '1' : undefined,
  });
  const selection = describeSelection(positionals, values.shard);
  if (config.expectationsFile) loadExpectations(config.expectationsFile);
  if (existsSync(config.regressionsFile)) loadValidated(config.regressionsFile, validators.regressionsFile, 'regressions file');
  marks.configured = Date.now();
  let embedded: Embedded | undefined;
  let principals: Principal[];
  let target: string;
  const secrets: string[] = [];
  if (!config.targetBaseUrl) {
    embedded = await startEmbedded(config.defects, config.faults, 0, { contract: config.referenceContract });
    principals = embedded.principals;
    target = embedded.baseUrl;
  } else {
    if (config.defects.length || config.faults || config.referenceContract) throw new ConfigError('REFERENCE_DEFECTS, REFERENCE_FAULTS and REFERENCE_CONTRACT apply only to the embedded reference target (leave TARGET_BASE_URL unset)');
    target = config.targetBaseUrl;
    principals = await targetPrincipals(config, secrets);
  }
  marks.targetReady = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'raa-run-'));
  // The runtime file holds tokens: remove it even when the run is interrupted.
  const interrupted = () => { rmSync(workDir, { recursive: true, force: true }); process.exit(130); };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // A reference server broken on purpose may disagree with its own tokens: that is for the suite to catch.
    await preflight(target, principals, { checkTokens: !embedded || config.defects.length === 0 });
    marks.preflight = Date.now();
    const runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${config.seed.toString(36)}`;
    const runtime: Runtime = {
      runId, marker: `${MARKER_PREFIX}${runId}/`, target, embedded: !!embedded, loopback: isLoopback(target) && !setting('RAA_ASSUME_REMOTE'), principals,
      seed: config.seed, profile: config.profile, numRuns: config.numRuns, propertyBudgetMs: config.propertyBudgetMs,
      strict: config.strict, allowWrites: config.allowWrites, timeoutMs: config.timeoutMs, rateLimit: config.rateLimit,
      retryBudgetMs: config.retryBudgetMs, reportDir: config.reportDir, suiteVersion: pkg.version, defects: config.defects, secrets,
      ...(config.allowPartial ? { allowPartial: true } : {}),
      ...(config.requireMetadata ? { requireMetadata: true } : {}),
      ...(selection ? { selection } : {}),
      ...(config.expectationsFile ? { expectationsFile: config.expectationsFile } : {}),
      ...(config.historyDir ? { historyDir: config.historyDir } : {}),
      regressionsFile: config.regressionsFile,
      renewedTokensFile: join(workDir, 'renewed-tokens'),
      marks: { ...marks, runtimeWritten: Date.now() },
    };
    const runtimeFile = join(workDir, 'runtime.json');
    writeFileSync(runtimeFile, JSON.stringify(runtime), { mode: 0o600 });
    chmodSync(runtimeFile, 0o600);
    cleanReports(config.reportDir);
    process.stdout.write(`raa-conformance: target ${target}${embedded ? ' (embedded reference server' + (config.defects.length ? `, defects: ${config.defects.join(',')}` : '') + ')' : ''}, profile ${config.profile}, seed ${config.seed}\n`);
    process.stdout.write(`raa-conformance: ${requestPlan(config.numRuns, config.rateLimit)}\n`);
    const cli = require.resolve('@playwright/test/cli');
    const shardArgs = values.shard ? [`--shard=${values.shard}`] : [];

    const code = await runRedacted(process.execPath, [cli, 'test', '-c', modulePath('playwright.config.ts'), ...shardArgs, ...positionals],
      childEnvironment({ RAA_RUNTIME: runtimeFile, RAA_SHARD: values.shard }));
    scrubReports(config.reportDir, [...principals.map((p) => p.token), ...secrets, ...renewedTokens(runtime.renewedTokensFile!)]);
    const reportPath = join(config.reportDir, 'conformance.json');
    if (!existsSync(reportPath)) {
      process.stderr.write(`raa-conformance: the suite did not produce ${reportPath} (Playwright exited ${code})\n`);
      return EXIT.error;
    }
    return exitCodeFor(JSON.parse(readFileSync(reportPath, 'utf8')) as ConformanceReport, config.strict);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    rmSync(workDir, { recursive: true, force: true });
    await embedded?.close();
  }
}

/** The defect matrix: one Playwright run, one project per reference server process (src/matrix.ts judges). */
async function matrixCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    defects: { type: 'string' }, 'report-dir': { type: 'string' }, seed: { type: 'string' }, workers: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(HELP.matrix + '\n'); return EXIT.ok; }
  const config = loadConfig({ CONFORMANCE_SEED: values.seed, CONFORMANCE_STRICT: '1', CONFORMANCE_PROFILE: 'quick', CONFORMANCE_REPORT_DIR: values['report-dir'] ?? setting('CONFORMANCE_REPORT_DIR') ?? join('reports', 'matrix') });
  if (config.targetBaseUrl) throw new ConfigError('the defect matrix runs against the embedded reference server only: unset TARGET_BASE_URL (and GRAPH_CLOUD)');
  const workers = Number(values.workers ?? 2);
  if (!Number.isInteger(workers) || workers < 1) throw new ConfigError(`--workers ${values.workers} is not a positive whole number`);
  const catalogueOfDefects = loadDefects();
  const chosen = values.defects === undefined ? catalogueOfDefects : [...parseDefects(values.defects)].map((n) => catalogueOfDefects.find((d) => d.name === n)!);
  if (config.expectationsFile) throw new ConfigError('CONFORMANCE_EXPECTATIONS does not apply to the defect matrix: every defect must be caught as it is');
  // One token key for every server: the principals' tokens are minted once and valid on each of them.
  const key = randomBytes(32).toString('hex');
  redactor.add(key);
  const issuer = new TokenIssuer(new Uint8Array(Buffer.from(key, 'hex')));
  const principals = await referencePrincipals(issuer);
  const names = [CLEAN, ...chosen.map((d) => d.name)];
  const servers: ServerProcess[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'raa-matrix-'));
  const stopAll = () => Promise.all(servers.map((sv) => sv.close()));
  const interrupted = () => { rmSync(workDir, { recursive: true, force: true }); void stopAll().finally(() => process.exit(130)); };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const started = performance.now();
    const projects: MatrixProject[] = [];
    const bundle = await bundleServer(workDir);
    await mapLimit(names, 2, async (name) => {
      const defects = name === CLEAN ? [] : [name];
      const sv = await startServerProcess(bundle, defects, key);
      servers.push(sv);
      await preflight(sv.baseUrl);
      projects.push({ name, target: sv.baseUrl, defects, reportDir: join(config.reportDir, name) });
    });
    projects.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
    const serversReady = performance.now() - started;
    process.stdout.write(`raa-conformance matrix: ${projects.length} reference servers (clean + ${chosen.length} defects) started in ${(serversReady / 1000).toFixed(1)} s, seed ${config.seed}\n`);
    const runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${config.seed.toString(36)}`;
    const runtime: Runtime = {
      runId, marker: `${MARKER_PREFIX}${runId}/`, target: projects[0]!.target, embedded: true, loopback: true, principals,
      seed: config.seed, profile: config.profile, numRuns: config.numRuns, propertyBudgetMs: config.propertyBudgetMs,
      strict: true, allowWrites: config.allowWrites, timeoutMs: config.timeoutMs, rateLimit: config.rateLimit,
      retryBudgetMs: config.retryBudgetMs, reportDir: config.reportDir, suiteVersion: pkg.version, defects: [], secrets: [key],
      regressionsFile: config.regressionsFile, projects,
    };
    const runtimeFile = join(workDir, 'runtime.json');
    writeFileSync(runtimeFile, JSON.stringify(runtime), { mode: 0o600 });
    cleanReports(config.reportDir);
    for (const f of ['matrix.json', 'matrix.md', ...names]) rmSync(join(config.reportDir, f), { recursive: true, force: true });
    const cli = require.resolve('@playwright/test/cli');
    const code = await runRedacted(process.execPath, [cli, 'test', '-c', modulePath('playwright.config.ts'), ...positionals],
      childEnvironment({ RAA_RUNTIME: runtimeFile, CONFORMANCE_WORKERS: String(workers), RAA_REPORTS: 'minimal' }));
    scrubReports(config.reportDir, [...principals.map((p) => p.token), key]);
    const verdicts = names.map((name) => {
      const path = join(config.reportDir, name, 'conformance.json');
      const report = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as ConformanceReport : undefined;
      return judge(chosen.find((d) => d.name === name), report);
    });
    const seconds = Math.round((performance.now() - started) / 1000);
    writeFileSync(join(config.reportDir, 'matrix.json'), JSON.stringify({ seed: config.seed, playwrightExit: code, seconds, serverStartSeconds: Math.round(serversReady / 1000), verdicts }, null, 2) + '\n');
    const table = renderMatrix(verdicts);
    writeFileSync(join(config.reportDir, 'matrix.md'), table.markdown);
    process.stdout.write(`\n${table.text}\n\nmatrix: ${projects.length} servers in ${seconds} s (${Math.round(serversReady / 1000)} s to start them), ${workers} worker(s); reports in ${config.reportDir}\n`);
    if (verdicts.some((v) => v.result.startsWith('ERRORED'))) return EXIT.error;
    return verdicts.every((v) => v.ok) ? EXIT.ok : EXIT.nonConformant;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    rmSync(workDir, { recursive: true, force: true });
    await stopAll();
  }
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: {
    port: { type: 'string' }, defects: { type: 'string' }, faults: { type: 'string' }, 'reference-contract': { type: 'string' },
    'principals-out': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(HELP.serve + '\n'); return EXIT.ok; }
  const port = Number(values.port ?? 8080);
  if (!/^[0-9]+$/.test(values.port ?? '8080') || port > 65535) throw new UsageError(`serve: --port ${values.port} is not a port number (0–65535)`, 'serve');
  const env = readEnvironment({ REFERENCE_DEFECTS: values.defects, REFERENCE_FAULTS: values.faults, REFERENCE_CONTRACT: values['reference-contract'] });
  const contract = env.REFERENCE_CONTRACT as EmbeddedOptions['contract'];
  let embedded: Embedded;
  try {
    embedded = await startEmbedded((env.REFERENCE_DEFECTS ?? '').split(',').filter(Boolean), env.REFERENCE_FAULTS, port, { contract });
  } catch (e) {
    if ((e as { code?: string }).code === 'EADDRINUSE') throw new UsageError(`serve: port ${port} is already in use`, 'serve');
    throw e;
  }
  const url = embedded.baseUrl;
  const lines = [`reference server listening on ${url}`, `collection: ${url}/deviceManagement/remoteActionAudits`, '', 'tokens (valid for 12 hours):'];
  const out: unknown[] = [];
  for (const p of embedded.principals) {
    out.push({ name: p.name, type: p.type, permissions: p.permissions, ...(p.tokenState !== 'valid' ? { tokenState: p.tokenState } : {}), ...(p.tenant ? { tenant: p.tenant } : {}), token: p.token });
    // The reference tenant goes without saying; another (a second tenant, personal accounts') is named.
    const tenant = p.tenant && p.tenant !== REFERENCE_TENANT ? ` [tenant ${p.tenant}]` : '';
    lines.push(`  ${p.name.padEnd(20)} ${p.type.padEnd(19)} ${p.permissions.join(' ') || '(no permissions)'}${p.tokenState !== 'valid' ? ` [${p.tokenState}]` : ''}${tenant}`, `    ${p.token}`);
  }
  if (values['principals-out']) {
    writeFileSync(values['principals-out'], JSON.stringify({ principals: out }, null, 2), { mode: 0o600 });
    lines.push('', `principals file written to ${values['principals-out']}: raa-conformance run --target ${url} --principals ${values['principals-out']}`);
  }
  lines.push('', 'Example:', `  curl -i -X POST ${url}/deviceManagement/remoteActionAudits -H "Authorization: Bearer <app-rw token>" -H "Content-Type: application/json" -d '{"action":"factoryReset","actionState":"pending"}'`, '', 'Ctrl-C stops it.');
  // The sandbox prints its own tokens on purpose: they are the point of `serve`.
  process.stdout.write(lines.join('\n') + '\n');
  await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  await embedded.close();
  return EXIT.ok;
}

/** Deletes records carrying the suite's marker from earlier runs, and nothing else. */
async function cleanup(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: {
    target: { type: 'string' }, principals: { type: 'string' }, cloud: { type: 'string' }, 'run-id': { type: 'string' },
    'dry-run': { type: 'boolean' }, 'allow-writes': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(HELP.cleanup + '\n'); return EXIT.ok; }
  const config = loadConfig({ TARGET_BASE_URL: values.target, PRINCIPALS_FILE: values.principals, GRAPH_CLOUD: values.cloud, CONFORMANCE_ALLOW_WRITES: values['allow-writes'] ? '1' : undefined });
  if (!config.targetBaseUrl) throw new ConfigError('cleanup needs a target (--target or TARGET_BASE_URL): the embedded reference server keeps nothing between runs');
  const target = config.targetBaseUrl;
  const dryRun = !!values['dry-run'];
  if (!dryRun && !isLoopback(target) && !config.allowWrites) throw new ConfigError(`cleanup deletes records on ${target}: pass --allow-writes (or CONFORMANCE_ALLOW_WRITES=1), or --dry-run to only list them`);
  const principals = await targetPrincipals(config, []);
  // No preflight: cleanup reads any list it can (a bare array too) and says plainly when it cannot.
  return removeMarked({ target, principals, dryRun, timeoutMs: config.timeoutMs, rateLimit: config.rateLimit, retryBudgetMs: config.retryBudgetMs, ...(values['run-id'] ? { runId: values['run-id'] } : {}) });
}

/** A conformance.json that diff, merge and pin can rely on (schemas/suite.ts), or one line saying why it is not. */
function readReport(path: string): ConformanceReport {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path} is not a conformance.json: ${(e as Error).message}`);
  }
  if (!validators.conformanceReport(data)) {
    const [first, ...more] = validators.conformanceReport.errors ?? [];
    throw new ConfigError(`${path} is not a conformance.json: ${first?.instancePath || '/'} ${first?.message}${more.length ? ` (and ${more.length} more problem(s))` : ''}`);
  }
  return data as ConformanceReport;
}

async function pinCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { report: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(HELP.pin + '\n'); return EXIT.ok; }
  const config = loadConfig({ CONFORMANCE_REGRESSIONS: values.out });
  const reportPath = resolve(values.report ?? join(config.reportDir, 'conformance.json'));
  if (existsSync(reportPath)) readReport(reportPath);
  const added = pin(reportPath, config.regressionsFile);
  process.stdout.write(added.length ? `pinned ${added.length} regression(s) into ${config.regressionsFile}:\n${added.map((r) => `  ${r.description}`).join('\n')}\n` : `nothing new to pin from ${reportPath}\n`);
  return EXIT.ok;
}

async function diffCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { markdown: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(HELP.diff + '\n'); return EXIT.ok; }
  if (positionals.length !== 2) throw new UsageError(`diff: needs two reports, BASE.json and HEAD.json (got ${positionals.length})`, 'diff');
  const [base, head] = positionals.map((p) => readReport(p));
  const d = diffReports(base!, head!);
  process.stdout.write(renderDiffText(d) + '\n');
  const md = renderDiffMarkdown(d);
  if (values.markdown) writeFileSync(values.markdown, md);
  // In GitHub Actions the Markdown lands in the job summary.
  const summary = setting('GITHUB_STEP_SUMMARY');
  if (summary) writeFileSync(summary, md, { flag: 'a' });
  return hasRegression(d) ? EXIT.nonConformant : EXIT.ok;
}

/** Compares the contract with a CSDL document (src/drift.ts). */
async function driftCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { csdl: { type: 'string' }, 'report-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(HELP.drift + '\n'); return EXIT.ok; }
  if (!values.csdl) throw new UsageError('drift: --csdl FILE|URL is required (a CSDL file, or a target\'s $metadata URL)', 'drift');
  // Only the environment's names and values are checked: reading a document needs no principals, even with a target set.
  const env = readEnvironment({ CONFORMANCE_REPORT_DIR: values['report-dir'] });
  const { runDrift } = await import('./drift');
  return runDrift(values.csdl, resolve(env.CONFORMANCE_REPORT_DIR ?? 'reports'), env.CONFORMANCE_TIMEOUT_MS ? Number(env.CONFORMANCE_TIMEOUT_MS) : undefined);
}

/** Merges the blob reports of a sharded run into one set of reports, as a single run would have written. */
async function mergeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { 'report-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(HELP.merge + '\n'); return EXIT.ok; }
  if (positionals.length === 0) throw new UsageError('merge: name the shards\' report folders (SHARD_DIR...)', 'merge');
  const config = loadConfig({ CONFORMANCE_REPORT_DIR: values['report-dir'] });
  const workDir = mkdtempSync(join(tmpdir(), 'raa-merge-'));
  try {
    const blobs = join(workDir, 'blobs');
    mkdirSync(blobs);
    let first: ConformanceReport | undefined;
    const records = { created: 0, left: [] as string[], requests: 0, throttled: 0 };
    for (const dir of positionals) {
      const shardReport = join(dir, 'conformance.json');
      if (!existsSync(join(dir, 'blob'))) throw new ConfigError(`${dir} holds no blob report: run each shard with \`raa-conformance run --shard i/n --report-dir ${dir}\``);
      const r = readReport(shardReport);
      first ??= r;
      if (r.records) { records.created += r.records.created; records.left.push(...r.records.left); records.requests += r.records.requests; records.throttled += r.records.throttled; }
      for (const f of readdirSync(join(dir, 'blob'))) writeFileSync(join(blobs, `${dir.replace(/[^A-Za-z0-9]/g, '_')}-${f}`), readFileSync(join(dir, 'blob', f)));
    }
    mkdirSync(join(config.reportDir, '.run'), { recursive: true });
    writeFileSync(join(config.reportDir, '.run', 'merged.json'), JSON.stringify({ created: records.created, left: records.left, stats: { requests: records.requests, throttled: records.throttled } }));
    const runtime: Partial<Runtime> = { target: first!.target, seed: first!.seed, profile: first!.profile as Runtime['profile'], strict: first!.strict, reportDir: config.reportDir,
      suiteVersion: first!.suiteVersion, defects: first!.defects ?? [], principals: [], secrets: [], ...(config.expectationsFile ? { expectationsFile: config.expectationsFile } : {}) };
    const runtimeFile = join(workDir, 'runtime.json');
    writeFileSync(runtimeFile, JSON.stringify(runtime), { mode: 0o600 });
    const cli = require.resolve('@playwright/test/cli');
    const code = await runRedacted(process.execPath, [cli, 'merge-reports', '-c', modulePath('playwright.config.ts'), blobs], childEnvironment({ RAA_RUNTIME: runtimeFile, RAA_MERGE: '1' }));
    const reportPath = join(config.reportDir, 'conformance.json');
    if (!existsSync(reportPath)) { process.stderr.write(`raa-conformance: merge produced no ${reportPath} (exit ${code})\n`); return EXIT.error; }
    return exitCodeFor(JSON.parse(readFileSync(reportPath, 'utf8')) as ConformanceReport, first!.strict);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function selfTest(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { process.stdout.write(HELP['self-test'] + '\n'); return EXIT.ok; }
  if (COMPILED) return needsClone('self-test');
  const cli = require.resolve('@playwright/test/cli');
  return runRedacted(process.execPath, [cli, 'test', '-c', modulePath('playwright.self.config.ts'), ...argv.filter((a) => a !== '--')], childEnvironment());
}

/** The npm package carries the suite, not the project's own tests nor the bench's development dependencies. */
function needsClone(command: string): number {
  process.stderr.write(`raa-conformance ${command} needs a clone of the project (its tests and development dependencies are not in the npm package): clone it, then \`npm ci\` and \`node bin/raa-conformance.mjs ${command}\`\n`);
  return EXIT.badInput;
}

async function bench(argv: string[]): Promise<number> {
  if (COMPILED) return needsClone('bench');
  const { runBench } = await import('./bench');
  return runBench(argv);
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { run, matrix: matrixCommand, serve, cleanup, pin: pinCommand, diff: diffCommand, drift: driftCommand, merge: mergeCommand, bench, 'self-test': selfTest };

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V') { process.stdout.write(`${pkg.version}\n`); return; }
  if (!cmd || cmd === '--help' || cmd === '-h' || (cmd === 'help' && rest.length === 0)) { process.stdout.write(HELP.main + '\n'); return; }
  // `help <command>` is `<command> --help`: each command owns its text.
  if (cmd === 'help') return main([rest[0]!, '--help']);
  const fn = COMMANDS[cmd];
  if (!fn) fail(new UsageError(cmd.startsWith('-') ? `unknown option ${cmd}: options follow the command` : `unknown command "${cmd}"${didYouMean(cmd, Object.keys(COMMANDS))}`, 'main'));
  try {
    process.exitCode = await fn(rest);
  } catch (e) {
    fail(e, cmd);
  }
}
