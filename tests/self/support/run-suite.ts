// Runs `raa-conformance run` as a user would, in a child process, and reads what it wrote.
import { mkdtempSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommandLine, runNode, type ChildResult } from '../../../src/cli/child';
import type { ConformanceReport } from '../../../src/core/report-types';
import { readValidReport } from './report-texts';
import { principalEntry, type Principal } from '../../../src/auth/principals';
import { SUITE_VARIABLE, childEnvironment } from '../../../src/core/settings';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface SuiteRun {
  code: number;
  stdout: string;
  stderr: string;
  reportDir: string;
  report?: ConformanceReport;
}

/** Environment for a child run: the caller's, minus anything that would point the suite elsewhere. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return childEnvironment({ CI: '1', CONFORMANCE_WORKERS: '1', ...extra }, SUITE_VARIABLE);
}

export async function runSuite(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<SuiteRun> {
  const reportDir = mkdtempSync(join(tmpdir(), 'raa-self-'));
  // Our options go before any `--`: what follows it is Playwright's.
  const dash = args.indexOf('--');
  const argv = dash < 0 ? [...args, '--report-dir', reportDir] : [...args.slice(0, dash), '--report-dir', reportDir, ...args.slice(dash)];
  const { code, stdout, stderr } = await runCommandLine(argv, { cwd, env: cleanEnv(env), output: 'capture' });
  const path = join(reportDir, 'conformance.json');
  return { code: code ?? -1, stdout, stderr, reportDir, report: existsSync(path) ? readValidReport(path) : undefined };
}

/** `raa-conformance args…` in a child through the project's one runner, output kept; the environment cleaned. */
export function cli(args: string[], env: Record<string, string> = {}): Promise<ChildResult> {
  return runCommandLine(args, { cwd: ROOT, env: cleanEnv(env), output: 'capture' });
}

/** `node args…` in a child through the project's one runner, output kept; `env` is the whole environment. */
export function node(args: string[], env: NodeJS.ProcessEnv, o: { timeoutMs?: number } = {}): Promise<ChildResult> {
  return runNode(args, { cwd: ROOT, env, output: 'capture', ...o });
}

export function statuses(r: ConformanceReport | undefined): Record<string, string> {
  return Object.fromEntries((r?.requirements ?? []).map((q) => [q.id, q.status]));
}

/** The lines of a run's output that say what failed: FAIL rows, numbered failures, CheckFailure summaries, errors. */
export function failingLines(output: string, max = 40): string[] {
  return output.split('\n').filter((l) => /^\s*(FAIL|ERR|\d+\) )|CheckFailure|Error|errored/.test(l)).slice(0, max);
}

/** What a person needs when a child run's exit code surprises: its failing lines and the tail of both streams. */
export function explain(run: SuiteRun): string {
  return [`exit ${run.code}`, ...failingLines(run.stdout, 20), '--- stdout (tail)', run.stdout.slice(-1500), '--- stderr (tail)', run.stderr.slice(-1500)].join('\n');
}

/** A principals file (private, in a fresh folder) naming `principals` with their literal tokens; returns its path. */
export function writePrincipals(principals: readonly Principal[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'raa-principals-')), 'principals.json');
  writeFileSync(path, JSON.stringify({ principals: principals.map(principalEntry) }), { mode: 0o600 });
  return path;
}
