// Starts reference servers in processes of their own (server/process.ts), as the defect matrix runs one per
// defect: a defect that hangs or crashes its server cannot touch another's.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../src/contract';

/**
 * server/process.ts and everything it imports as one CommonJS file in `dir`. A process loads it in about a third
 * of the CPU time tsx takes to load the sources (0.55 against 1.5 s), which counts with 60 servers on 2 cores.
 * Bundled code cannot locate the project from its own path, so the processes get it as RAA_ROOT.
 */
export async function bundleServer(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'reference-server.cjs');
  await build({ entryPoints: [join(ROOT, 'server', 'process.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error' });
  return outfile;
}

export interface ServerProcess {
  baseUrl: string;
  pid: number;
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** One server with `defects`, verifying tokens signed with `key` (hex), from `bundle` (bundleServer); resolves once it listens. */
export function startServerProcess(bundle: string, defects: string[], key: string): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [bundle], { cwd: ROOT, env: { ...process.env, RAA_ROOT: ROOT }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const what = `reference server${defects.length ? ` (defects: ${defects.join(',')})` : ''}`;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${what} did not start within ${READY_TIMEOUT_MS / 1000} s: ${err.trim()}`)); }, READY_TIMEOUT_MS);
    child.stderr!.on('data', (d: Buffer) => { err = (err + d.toString('utf8')).slice(-4000); });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const { baseUrl } = JSON.parse(out.slice(0, nl)) as { baseUrl: string };
      const exited = new Promise<void>((done) => { if (child.exitCode !== null) done(); else child.once('exit', () => done()); });
      // Closing stdin is the stop signal; a server that ignores it is killed.
      const close = async () => {
        child.stdin!.end();
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      };
      resolve({ baseUrl, pid: child.pid!, close });
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited (${code}) before listening: ${err.trim()}`)); });
    child.stdin!.write(`${JSON.stringify({ defects, key })}\n`);
  });
}
