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
