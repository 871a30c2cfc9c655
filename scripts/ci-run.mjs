#!/usr/bin/env node
// The step the CI integrations share (action.yml, docs/azure-pipelines.yml): runs `raa-conformance run` with the
// inputs given as INPUT_* variables, then puts the verdict where the CI shows it (the summary, the step's outputs, an
// annotation) and exits with the run's exit code, so that the job fails on the verdict after its upload steps.
// Plain JavaScript beside the suite, so that it runs in a clone without a build; tests/self/action.spec.ts runs it.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSource } from '../bin/source.mjs';

/**
 * Each input the script reads: its variable, and the `run` option it becomes (a flag for a boolean) or, for an input
 * `run` has no option for, the suite's own variable. Empty means not given: the environment's setting, if any, stands.
 */
export const INPUTS = [
  { env: 'INPUT_TARGET', option: '--target' },
  { env: 'INPUT_PRINCIPALS', option: '--principals' },
  { env: 'INPUT_PROFILE', option: '--profile' },
  { env: 'INPUT_STRICT', option: '--strict', boolean: true },
  { env: 'INPUT_EXPECTATIONS', variable: 'CONFORMANCE_EXPECTATIONS' },
  { env: 'INPUT_REPORT_DIR', option: '--report-dir' },
  { env: 'INPUT_ALLOW_WRITES', option: '--allow-writes', boolean: true },
  { env: 'INPUT_ALLOW_PARTIAL', option: '--allow-partial', boolean: true },
  { env: 'INPUT_REQUIRE_METADATA', option: '--require-metadata', boolean: true },
  { env: 'INPUT_SHARD', option: '--shard' },
];

/** What each exit code of `run` means, for the summary when there is no report to quote. */
const MEANING = { 0: 'conformant or partial', 1: 'not conformant', 2: 'bad input or configuration', 3: 'no verdict', 4: 'incomplete' };

/** GitHub refuses a step summary over 1 MiB; the rest of a long report is in the artifact. */
const SUMMARY_LIMIT = 1_000_000;

class InputError extends Error {}

/** GitHub passes booleans as `true`/`false`, Azure Pipelines as `True`/`False`. */
function flagValue(name, value) {
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0|)$/i.test(value)) return false;
  throw new InputError(`input ${name.slice('INPUT_'.length).toLowerCase().replace(/_/g, '-')} (${name}): "${value}" is neither true nor false`);
}

/** The `run` command line and environment the inputs ask for, and where the reports will be. */
export function plan(env) {
  const args = ['run'];
  const childEnv = { ...env };
  for (const input of INPUTS) {
    const value = (env[input.env] ?? '').trim();
    if (input.env === 'INPUT_REPORT_DIR') continue;
    if (input.boolean) { if (flagValue(input.env, value)) args.push(input.option); }
    else if (value && input.option) args.push(input.option, value);
    else if (value) childEnv[input.variable] = value;
  }
  // Named on the command line whatever the input, so that the reports are where this script reads them.
  const reportDir = (env.INPUT_REPORT_DIR ?? '').trim() || env.CONFORMANCE_REPORT_DIR || 'reports';
  args.push('--report-dir', reportDir);
  return { args, childEnv, reportDir: resolve(reportDir) };
}

/**
 * A line of the suite's output as the CI log may show it. Azure Pipelines acts on `##vso[` anywhere in a line, and the
 * suite prints what the target answered: a target must not be able to set the pipeline's variables. (GitHub's
 * commands are stopped around the whole run instead, with ::stop-commands::.)
 */
export function inert(line) {
  return line.replace(/##vso\[/gi, (m) => `${m.slice(0, 5)} [`);
}

function mtime(path) {
  try { return statSync(path).mtimeMs; } catch { return undefined; }
}

function readText(path) {
  try { return readFileSync(path, 'utf8'); } catch { return undefined; }
}

/** Runs the suite with its output passed through line by line; resolves to its exit code and its last own message. */
async function runSuite(args, env, out) {
  // The project's one runner of Node children (src/cli/child.ts), which redacts every line.
  const { runCommandLine } = await loadSource('cli/child');
  let message = '';
  let pid;
  const forward = (signal) => { if (pid) try { process.kill(pid, signal); } catch { /* it has already exited */ } };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const r = await runCommandLine(args, {
      env,
      onSpawn: (p) => { pid = p; },
      output: { lines: (line, from) => {
        (from === 'stdout' ? out.stdout : out.stderr).write(`${inert(line)}\n`);
        if (from === 'stderr' && line.startsWith('raa-conformance: ')) message = line;
      } },
    });
    if (r.code === null && !pid) out.stderr.write(`raa-conformance action: ${r.stderr}\n`);
    return { code: r.code ?? 3, message };
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

/** A fenced block that no run of backticks in `text` can close. */
function fenced(text) {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}

/** The Markdown for the summary: the run's conformance.md (or why there is none), then drift.md when the folder holds one. */
export function summaryMarkdown({ code, ran = true, report, markdown, drift, message }) {
  const parts = [];
  if (report && markdown) parts.push(markdown.trimEnd());
  else {
    parts.push('# remoteActionAudit conformance', '', ran
      ? `No report: \`raa-conformance run\` exited ${code} (${MEANING[code] ?? 'unknown exit code'}) without writing conformance.json.`
      : `No run: the inputs were refused (exit ${code}, ${MEANING[code]}).`);
    if (message) parts.push('', fenced(message));
  }
  if (drift) parts.push('', drift.trimEnd());
  let text = `${parts.join('\n')}\n`;
  if (Buffer.byteLength(text) > SUMMARY_LIMIT) {
    const note = '\n\n… cut here: the summary holds at most 1 MB; the whole report is conformance.md in the reports.\n';
    text = Buffer.from(text).subarray(0, SUMMARY_LIMIT - Buffer.byteLength(note)).toString('utf8').replace(/\uFFFD$/, '') + note;
  }
  return text;
}

/** `name<<delimiter` lines, as GitHub reads $GITHUB_OUTPUT, whatever the value holds. */
function githubOutput(name, value) {
  const delimiter = `raa_${randomBytes(12).toString('hex')}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

const ghData = (s) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProperty = (s) => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const azData = (s) => s.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export async function main(env = process.env, out = { stdout: process.stdout, stderr: process.stderr }) {
  const github = env.GITHUB_ACTIONS === 'true';
  const azure = /^true$/i.test(env.TF_BUILD ?? '');
  let result;
  let reportDir;
  let report;
  let markdown;
  try {
    const run = plan(env);
    reportDir = run.reportDir;
    const reportPath = join(reportDir, 'conformance.json');
    const before = mtime(reportPath);
    const token = randomBytes(16).toString('hex');
    if (github) out.stdout.write(`::stop-commands::${token}\n`);
    result = await runSuite(run.args, run.childEnv, out);
    if (github) out.stdout.write(`::${token}::\n`);
    // Only what this run wrote counts: a run that stops on bad input leaves an earlier conformance.json in place.
    const after = mtime(reportPath);
    if (after !== undefined && after !== before) {
      try { report = JSON.parse(readFileSync(reportPath, 'utf8')); } catch { report = undefined; }
      markdown = report && readText(join(reportDir, 'conformance.md'));
    }
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    out.stderr.write(`raa-conformance action: ${e.message}\n`);
    result = { code: 2, ran: false, message: `raa-conformance action: ${e.message}` };
    reportDir ??= resolve((env.INPUT_REPORT_DIR ?? '').trim() || env.CONFORMANCE_REPORT_DIR || 'reports');
  }
  const { code, ran, message } = result;
  const verdict = typeof report?.verdict === 'string' ? report.verdict : '';
  if (report && report.exitCode !== code) out.stderr.write(`raa-conformance action: conformance.json says exit ${report.exitCode}, the run exited ${code}\n`);
  const drift = readText(join(reportDir, 'drift.md'));
  const summary = summaryMarkdown({ code, ran, report, markdown, drift, message });
  const outputs = { verdict, 'exit-code': String(code), 'report-dir': reportDir };

  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summary);
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, Object.entries(outputs).map(([k, v]) => githubOutput(k, v)).join(''));
  const meaning = `exit ${code}: ${MEANING[code] ?? 'unknown exit code'}`;
  const headline = report?.verdictLine ?? (message ? `${message} (${meaning})` : `raa-conformance run ended without a report (${meaning})`);
  if (github && code !== 0) out.stdout.write(`::error title=${ghProperty('remoteActionAudit conformance')}::${ghData(headline)}\n`);
  if (azure) {
    const dir = mkdtempSync(join(env.AGENT_TEMPDIRECTORY || tmpdir(), 'raa-summary-'));
    const file = join(dir, 'remoteActionAudit-conformance.md');
    writeFileSync(file, summary);
    out.stdout.write(`##vso[task.uploadsummary]${azData(file)}\n`);
    for (const [name, value] of [['verdict', verdict], ['exitCode', String(code)], ['reportDir', reportDir]]) {
      out.stdout.write(`##vso[task.setvariable variable=${name};isoutput=true]${azData(value)}\n`);
    }
    if (code !== 0) out.stdout.write(`##vso[task.logissue type=error]${azData(headline)}\n`);
  }
  out.stdout.write(`raa-conformance action: verdict ${verdict || '(none)'}, exit code ${code}, reports in ${reportDir}\n`);
  return code;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main();
