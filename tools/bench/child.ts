// Child processes of the bench: the server bundle (built once with esbuild), the server children it starts,
// and a sampler of peak RSS over a process tree read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../../src/contract';
import { bundle } from '../../server/index';
import { descendants, parentPid, procStatusKb, roleOf, type Role } from './helpers';

/** Bundles tools/bench/server-entry.ts (the reference server and its dependencies) into one .mjs in `dir`. */
export async function buildServerBundle(dir: string): Promise<{ file: string; ms: number }> {
  const started = performance.now();
  const file = await bundle(join(ROOT, 'tools', 'bench', 'server-entry.ts'), join(dir, 'bench-server.mjs'));
  return { file, ms: performance.now() - started };
}

export interface ServerStats {
  storeSize: number;
  vmHwmKb?: number;
  vmRssKb?: number;
  heapUsed: number;
}

export type ServerMode = 'reference' | 'bare' | 'echo' | 'json' | 'upto-send' | 'upto-validate' | 'upto-store';

export interface ServerChild {
  mode: ServerMode;
  url: string;
  token: string;
  pid: number;
  stats(): Promise<ServerStats>;
  /** CPU time the child has used so far (ms), from /proc/<pid>/stat. */
  cpuMs(): number;
  stop(): Promise<void>;
}

const CLK_TCK = 100;

export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** CPU (ms) of this process's children that have ended and been waited for, theirs included (cutime + cstime). */
export function endedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK;
}

/** Starts a server child from the bundle and waits (at most 20 s) for its ready line. */
export async function startServer(bundle: string, mode: ServerMode, nodeArgs: string[] = []): Promise<ServerChild> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, bundle, ...(mode === 'reference' ? [] : [`--${mode}`]), '--port', '0'], {
    stdio: ['pipe', 'pipe', 'inherit'], cwd: ROOT,
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const nextLine = (what: string, ms: number) => new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench server (${mode}): no ${what} within ${ms} ms`)), ms);
    const onExit = () => { clearTimeout(timer); reject(new Error(`bench server (${mode}) exited before ${what}`)); };
    child.once('exit', onExit);
    waiting.push((l) => { clearTimeout(timer); child.off('exit', onExit); resolve(l); });
  });
  let ready: { url: string; token: string; pid: number };
  try {
    ready = JSON.parse(await nextLine('ready line', 20_000));
  } catch (e) {
    child.kill();
    throw e;
  }
  const exited = new Promise<void>((r) => { if (child.exitCode !== null) r(); else child.once('exit', () => r()); });
  return {
    mode, url: ready.url, token: ready.token, pid: ready.pid,
    async stats() {
      const p = nextLine('stats', 5_000);
      child.stdin!.write('stats\n');
      return JSON.parse(await p) as ServerStats;
    },
    cpuMs: () => cpuMsOf(ready.pid),
    async stop() {
      if (child.exitCode === null) child.stdin!.end('exit\n');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface ProcPeak {
  pid: number;
  role: Role;
  /** Highest VmHWM seen (kB): the kernel's own peak RSS for the process. */
  vmHwmKb: number;
}

function processParents(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = parentPid(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (ppid !== undefined) parents.set(Number(name), ppid);
    } catch { /* gone */ }
  }
  return parents;
}

/** Signals `root` and every process below it (deepest first), e.g. a conformance run past its time limit. */
export function killTree(root: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const pid of [...descendants(processParents(), root).reverse(), root]) {
    try { process.kill(pid, signal); } catch { /* gone */ }
  }
}

/** Samples VmHWM of `root` and all its descendants every `everyMs` until stopped. */
export function sampleTree(root: number, everyMs = 100): { stop(): ProcPeak[] } {
  const peaks = new Map<number, ProcPeak>();
  const sample = () => {
    for (const pid of [root, ...descendants(processParents(), root)]) {
      try {
        const hwm = procStatusKb(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmHWM');
        if (hwm === undefined) continue;
        // The role is read every time: between fork and exec a new worker still shows its parent's command line.
        const role = pid === root ? 'cli' : roleOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
        const known = peaks.get(pid);
        // A changed role means an exec: the peak of the process image before it is not this one's.
        if (known && known.role !== role) Object.assign(known, { role, vmHwmKb: hwm });
        else if (known) known.vmHwmKb = Math.max(known.vmHwmKb, hwm);
        else peaks.set(pid, { pid, role, vmHwmKb: hwm });
      } catch { /* gone */ }
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return { stop() { clearInterval(timer); return [...peaks.values()]; } };
}

export const procAvailable = () => existsSync('/proc/self/status');
