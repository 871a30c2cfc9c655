// Starts reference servers in processes of their own (server/process.ts), as the defect matrix runs them (a group of
// modes per process): a defect that hangs or crashes its servers cannot touch the command that started them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMPILED, ROOT, modulePath } from '../schemas/contract';

/**
 * `entry` and everything it imports as one ES module at `outfile`. A process loads it in about a third of the
 * CPU time tsx takes to load the sources (0.55 against 1.5 s for the reference server), which counts with 60
 * servers on 2 cores. Used by the defect matrix and the bench.
 */
export async function bundle(entry: string, outfile: string): Promise<string> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'error', absWorkingDir: ROOT,
    // schemas/contract.ts finds the project's root (schemas/, fixtures/) from its own URL: keep it pointing into the
    // project. The bundle's modules use import.meta.url for nothing else (a self-test would fail: the matrix).
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(ROOT, 'schemas', 'contract.ts')).href) },
    // CommonJS dependencies (ajv) call require(); give the bundle one.
    banner: { js: `import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(${JSON.stringify(pathToFileURL(join(ROOT, 'package.json')).href)});` },
  });
  return outfile;
}

/**
 * server/process.ts bundled into `dir`, for startServerProcess. The npm package starts its compiled module as it
 * is (0.1 s more CPU per server): esbuild is a development dependency, not something a user installs.
 */
export function bundleServer(dir: string): Promise<string> {
  if (COMPILED) return Promise.resolve(modulePath('server/process.ts'));
  return bundle(join(ROOT, 'server', 'process.ts'), join(dir, 'reference-server.mjs'));
}

export interface ServerProcess {
  baseUrl: string;
  pid: number;
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** One server with `defects`, verifying tokens signed with `key` (hex), from `bundle` (bundleServer); resolves once it listens. */
export async function startServerProcess(bundleFile: string, defects: string[], key: string): Promise<ServerProcess> {
  return (await startServerGroup(bundleFile, [defects], key))[0]!;
}

/**
 * Several servers in one process, one per entry of `modes` (each its defects), in that order. They share the process's
 * life: closing any closes the group, and a crash of one stops them all, which the matrix then reports for each of them
 * as an error (no report), never as a catch.
 */
export function startServerGroup(bundleFile: string, modes: string[][], key: string): Promise<ServerProcess[]> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [bundleFile], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const what = modes.length === 1 ? `reference server${modes[0]!.length ? ` (defects: ${modes[0]!.join(',')})` : ''}` : `reference servers (${modes.length} defect modes)`;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${what} did not start within ${READY_TIMEOUT_MS / 1000} s: ${err.trim()}`)); }, READY_TIMEOUT_MS);
    child.stderr!.on('data', (d: Buffer) => { err = (err + d.toString('utf8')).slice(-4000); });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const { baseUrls } = JSON.parse(out.slice(0, nl)) as { baseUrls: string[] };
      const exited = new Promise<void>((done) => { if (child.exitCode !== null) done(); else child.once('exit', () => done()); });
      // Closing stdin is the stop signal; a process that ignores it is killed.
      let closing: Promise<void> | undefined;
      const close = () => closing ??= (async () => {
        child.stdin!.end();
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      })();
      resolve(baseUrls.map((baseUrl) => ({ baseUrl, pid: child.pid!, close })));
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited (${code}) before listening: ${err.trim()}`)); });
    child.stdin!.write(`${JSON.stringify({ servers: modes, key })}\n`);
  });
}
