// What the commands share: the version, a private working folder that outlives no run, the runtime file handed to
// Playwright, the suite's Playwright run, and the reports' cleaning and scrubbing.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ROOT, modulePath } from '../contract';
import { readConformanceReport } from '../core/read-report';
import { redactor } from '../core/redact';
import type { ConformanceReport } from '../core/report-types';
import type { Runtime } from '../config/runtime';
import { childEnvironment } from '../core/settings';
import { runPlaywright } from './child';

export const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Runs `body` with a private temporary folder, removed afterwards and also when the process is interrupted (it
 * holds tokens); `onInterrupt` stops what else the body started.
 */
export async function withWorkDir<T>(prefix: string, body: (dir: string) => Promise<T>, onInterrupt: () => Promise<unknown> = async () => {}): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const interrupted = () => { rmSync(dir, { recursive: true, force: true }); void onInterrupt().finally(() => process.exit(130)); };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await body(dir);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the runtime into `dir`, readable by this user only; returns the file's path (RAA_RUNTIME). */
export function writeRuntime(dir: string, runtime: Partial<Runtime>): string {
  const file = join(dir, 'runtime.json');
  writeFileSync(file, JSON.stringify(runtime), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** The suite's Playwright `command` (test, merge-reports) on the runtime in `runtimeFile`; `env` adds hand-offs. */
export function playwrightSuite(command: string, args: string[], runtimeFile: string, env: Record<string, string | undefined> = {}): Promise<number> {
  return runPlaywright([command, '-c', modulePath('playwright.config.ts'), ...args], childEnvironment({ RAA_RUNTIME: runtimeFile, ...env }));
}

/** Removes what an earlier run wrote into `dir` (and creates it); a path that cannot be a folder is one line naming it. */
export function cleanReports(dir: string, extra: string[] = []): void {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConfigError(`the report directory ${dir} is a file, not a folder: remove it or give another --report-dir`);
    for (const f of ['html', 'junit.xml', 'conformance.json', 'conformance.md', 'conformance.html', 'wfc-report.json', 'blob', 'test-results', '.run', ...extra]) {
      rmSync(join(dir, f), { recursive: true, force: true });
    }
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST') throw new ConfigError(`the report directory ${dir} cannot be created: a part of its path is a file, not a folder`);
    if (code === 'EACCES' || code === 'EPERM') throw new ConfigError(`the report directory ${dir} cannot be written: permission denied`);
    throw e;
  }
}

/** Defence in depth: no known secret survives anywhere under reports/. */
export function scrubReports(dir: string, secrets: string[]): void {
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

/** Tokens the workers renewed during the run (src/auth/token-renewal.ts), for the final scrub. */
export function renewedTokens(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** The report a Playwright run wrote, or undefined when it wrote none (it crashed). */
export function writtenReport(reportDir: string): ConformanceReport | undefined {
  const path = join(reportDir, 'conformance.json');
  return existsSync(path) ? readConformanceReport(path) : undefined;
}
