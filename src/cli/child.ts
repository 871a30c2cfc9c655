// The one way the project starts a Node child (Playwright under `run`, the command line under the self-tests and
// the bench): output passed through the redactor, kept, or sent to a log; an optional time limit or stop pattern
// ends the child's whole process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../contract';
import { EXIT } from '../report/exit-code';
import { redactor } from '../core/redact';
import { childEnvironment } from '../core/settings';

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** passthrough: to this process's stdout and stderr, line by line through the redactor (the default);
   * capture: kept in the result; a file: both streams written there; lines: each whole line, redacted and without its
   * newline, given to the function (the CI step filters them); ignore: dropped. */
  output?: 'passthrough' | 'capture' | 'ignore' | { file: string } | { lines: (line: string, from: 'stdout' | 'stderr') => void };
  /** Ends the child's process group after this long (the child then leads its own group). */
  timeoutMs?: number;
  /** Ends the child's process group once its stdout matches (capture only). */
  stopOn?: RegExp;
  /** Called once the child runs, e.g. to sample its process tree. */
  onSpawn?: (pid: number) => void;
}

export interface ChildResult {
  /** The exit code; null when a signal ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** bin/raa-conformance.mjs: what a user runs. */
export const BIN = join(ROOT, 'bin', 'raa-conformance.mjs');

/** Passes `from` on a whole line at a time, redacted, so a secret is never split across two writes. */
function redactLines(from: NodeJS.ReadableStream, emit: (text: string) => void): void {
  let buf = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    buf += chunk;
    const cut = buf.lastIndexOf('\n');
    if (cut >= 0) { emit(redactor.redact(buf.slice(0, cut + 1))); buf = buf.slice(cut + 1); }
  });
  from.on('end', () => { if (buf) emit(redactor.redact(buf)); });
}

/** `emit` called once per line of `text` (whole lines, the last one perhaps without its newline). */
const eachLine = (emit: (line: string) => void) => (text: string) => { for (const line of text.replace(/\n$/, '').split('\n')) emit(line); };

function stdioFor(output: ChildOptions['output']): { stdio: ('ignore' | 'pipe' | number)[]; fd?: number } {
  if (output === 'ignore') return { stdio: ['ignore', 'ignore', 'ignore'] };
  if (typeof output === 'object' && 'file' in output) {
    const fd = openSync(output.file, 'w');
    return { stdio: ['ignore', fd, fd], fd };
  }
  return { stdio: ['ignore', 'pipe', 'pipe'] };
}

/** Runs `node args…` and resolves when it has exited and its output is drained. */
export function runNode(args: string[], o: ChildOptions = {}): Promise<ChildResult> {
  const started = performance.now();
  const { stdio, fd } = stdioFor(o.output);
  const group = o.timeoutMs !== undefined || o.stopOn !== undefined;
  const child: ChildProcess = spawn(process.execPath, args, { cwd: o.cwd ?? process.cwd(), env: o.env ?? childEnvironment(), stdio, detached: group });
  if (fd !== undefined) closeSync(fd);
  o.onSpawn?.(child.pid!);
  const result: ChildResult = { code: null, stdout: '', stderr: '', ms: 0, timedOut: false };
  const stop = () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* the group has already exited */ } };
  if (o.output === 'capture') {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => { result.stdout += c; if (o.stopOn?.test(result.stdout)) stop(); });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => { result.stderr += c; });
  } else if (o.output === undefined || o.output === 'passthrough') {
    redactLines(child.stdout!, (t) => process.stdout.write(t));
    redactLines(child.stderr!, (t) => process.stderr.write(t));
  } else if (typeof o.output === 'object' && 'lines' in o.output) {
    const { lines } = o.output;
    redactLines(child.stdout!, eachLine((l) => lines(l, 'stdout')));
    redactLines(child.stderr!, eachLine((l) => lines(l, 'stderr')));
  }
  const timer = o.timeoutMs !== undefined ? setTimeout(() => { result.timedOut = true; stop(); }, o.timeoutMs) : undefined;
  return new Promise((resolve) => {
    // Node could not start at all (e.g. the working folder is gone): no exit code, the reason in stderr.
    child.once('error', (e) => { clearTimeout(timer); resolve({ ...result, stderr: result.stderr + e.message, code: null, ms: Math.round(performance.now() - started) }); });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ...result, code, ms: Math.round(performance.now() - started) });
    });
  });
}

/** `raa-conformance args…` in a child, as a user would run it. */
export function runCommandLine(args: string[], o: ChildOptions = {}): Promise<ChildResult> {
  return runNode([BIN, ...args], o);
}

const require = createRequire(import.meta.url);

/** Playwright's command line (`test`, `merge-reports`) with `env`; its output passes through the redactor. */
export async function runPlaywright(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return (await runNode([require.resolve('@playwright/test/cli'), ...args], { env })).code ?? EXIT.error;
}
