// The layers import one way (ARCHITECTURE.md): schemas/ imports nothing else of the project; server/ imports only
// server/ and schemas/; the rest of the project reaches the server through server/index.ts alone. A violation
// names the file, the line and the import, so the fix is obvious. tests/self may reach into any layer: it tests them.
import { expect, test } from '@playwright/test';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../../schemas/contract';

/** Every TypeScript file under `dir` (relative to the project root). */
function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, dir));
  return out;
}

/** The project files a source imports (static, dynamic and type imports), with the line of each. */
export function projectImports(file: string): { line: number; spec: string; target: string }[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: { line: number; spec: string; target: string }[] = [];
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    const line = text.slice(0, m.index).split('\n').length;
    found.push({ line, spec: m[1]!, target: relative(ROOT, resolve(dirname(join(ROOT, file)), m[1]!)) });
  }
  return found;
}

function violations(files: string[], allowed: (target: string) => boolean): string[] {
  return files.flatMap((f) => projectImports(f).filter((i) => !allowed(i.target)).map((i) => `${f}:${i.line} imports '${i.spec}'`));
}

const under = (...dirs: string[]) => (target: string) => dirs.some((d) => target === d || target.startsWith(`${d}/`));

test('schemas/ imports nothing else of the project', () => {
  expect(violations(sources('schemas'), under('schemas'))).toEqual([]);
});

test('server/ imports only server/ and schemas/', () => {
  expect(violations(sources('server'), under('server', 'schemas'))).toEqual([]);
});

test('the rest of the project reaches the server through server/index.ts', () => {
  const outside = ['src', 'tests/contract', 'tools', 'scripts', 'bin'].filter((d) => existsSync(join(ROOT, d))).flatMap(sources);
  const intoServer = (t: string) => t.startsWith('server/') && !/^server\/index(\.ts)?$/.test(t);
  expect(violations(outside, (t) => !intoServer(t))).toEqual([]);
});

test('the checker sees every import form: a broken rule would be reported with its line', () => {
  // Pinned on real files, so a change of the parser that made it blind would fail here, not pass everything.
  expect(projectImports('src/contract.ts').map((i) => i.target)).toContain('schemas/contract');
  expect(projectImports('server/index.ts').map((i) => i.target)).toContain('server/app');
  const cli = projectImports('src/cli.ts');
  expect(cli.length, 'src/cli.ts loads its commands with import(): the dynamic form is seen').toBeGreaterThan(0);
  expect(violations(['src/cli/target.ts'], (t) => !t.startsWith('server/')), 'a rule that forbids the server is broken by the command line, with file and line')
    .toEqual(expect.arrayContaining([expect.stringMatching(/^src\/cli\/target\.ts:\d+ imports '\.\.\/\.\.\/server\/index'$/)]));
});

/** src/'s layers, lowest first: a file imports its own layer and those below it, never one above (ARCHITECTURE.md). */
export const SRC_LAYERS = ['core', 'transport', 'auth', 'config', 'metadata', 'checks', 'suite', 'report', 'compare', 'cli'] as const;

/** The layer of a file under src/: its folder; src/contract.ts belongs to core, src/cli.ts to cli. */
function srcLayer(file: string): number {
  const name = file === 'src/contract' || file === 'src/contract.ts' ? 'core' : /^src\/cli(\.ts)?$/.test(file) ? 'cli' : file.split('/')[1]!;
  return SRC_LAYERS.indexOf(name as (typeof SRC_LAYERS)[number]);
}

/** Imports against the order: `file:line imports 'spec' (core → cli)`. Files under src/ outside any layer are reported too. */
export function backwardImports(imports: { file: string; line: number; spec: string; target: string }[]): string[] {
  return imports.filter((i) => i.target.startsWith('src/') && (srcLayer(i.file) < 0 || srcLayer(i.target) > srcLayer(i.file)))
    .map((i) => `${i.file}:${i.line} imports '${i.spec}' (${SRC_LAYERS[srcLayer(i.file)] ?? i.file} → ${SRC_LAYERS[srcLayer(i.target)] ?? i.target})`);
}

test('src/ imports one way: core, transport, auth, config, metadata, checks, suite, report, compare, cli', () => {
  const files = sources('src');
  expect(files.filter((f) => srcLayer(f) < 0), 'every file of src/ is in a layer').toEqual([]);
  expect(backwardImports(files.flatMap((file) => projectImports(file).map((i) => ({ file, ...i }))))).toEqual([]);
});

test('src/core imports nothing of src/ outside core', () => {
  const core = sources('src').filter((f) => srcLayer(f) === 0);
  expect(violations(core, (t) => !t.startsWith('src/') || srcLayer(t) === 0)).toEqual([]);
});

test('a planted backwards import is reported with its file, line and layers', () => {
  const planted = [
    { file: 'src/core/redact.ts', line: 7, spec: '../cli/run', target: 'src/cli/run' },
    { file: 'src/transport/http.ts', line: 3, spec: '../checks/checks', target: 'src/checks/checks' },
    { file: 'src/cli/run.ts', line: 9, spec: '../core/redact', target: 'src/core/redact' },
  ];
  expect(backwardImports(planted)).toEqual([
    "src/core/redact.ts:7 imports '../cli/run' (core → cli)",
    "src/transport/http.ts:3 imports '../checks/checks' (transport → checks)",
  ]);
});

test('the product does not reach into the bench: tools/bench is development only', () => {
  const product = ['src', 'server', 'schemas'].flatMap(sources);
  expect(violations(product, (t) => !t.startsWith('tools/'))).toEqual([]);
});
