// Compiles what a run needs to JavaScript in dist/ for the npm package (run by `npm pack` through prepack):
// Playwright does not transform TypeScript under node_modules, and a user's install has no tsx. One module in,
// one module out, the layout mirrored (dist/src/cli.js for src/cli.ts), so Playwright's fixtures and the suite's
// modules stay one instance each; relative imports are rewritten to the compiled files. A clone never runs dist/:
// bin/raa-conformance.mjs runs the sources through tsx whenever src/cli.ts is there.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist');

/** What the package runs: the command line and library, the reference server, the schemas' modules, the suite and its config. */
const SHIPPED = ['src', 'server', 'schemas', join('tests', 'contract'), 'playwright.config.ts'];

function sources(path) {
  if (statSync(path).isDirectory()) return readdirSync(path).flatMap((name) => sources(join(path, name)));
  return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
}

// tools/ (the bench: its load generator and esbuild are development dependencies) is not in the package; `npm run bench` runs it in a clone.
const entries = SHIPPED.flatMap((p) => sources(join(ROOT, p)));
const shipped = new Set(entries);

/** The source file a relative specifier names, as the bundler-style resolution of tsconfig.json finds it. */
function sourceOf(fromDir, spec) {
  const base = resolve(fromDir, spec);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** A relative specifier from `importer` to `target`, both sources, naming the compiled files. */
function compiledSpecifier(importer, target) {
  const rel = relative(dirname(importer), target).split(sep).join('/').replace(/\.ts$/, '.js');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

// Every import stays an import: packages as they are, relative ones pointed at the compiled module. A static
// import of a module the package does not carry fails the build; a dynamic one is left for its caller to guard.
const oneModulePerFile = {
  name: 'one-module-per-file',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (!args.path.startsWith('.')) return { path: args.path, external: true };
      const target = sourceOf(args.resolveDir, args.path);
      if (!target) return { errors: [{ text: `cannot resolve ${args.path} to a TypeScript module` }] };
      if (!shipped.has(target) && args.kind !== 'dynamic-import') {
        return { errors: [{ text: `${relative(ROOT, target)} is imported but not in the package (scripts/build.mjs SHIPPED)` }] };
      }
      return { path: compiledSpecifier(args.importer, target), external: true };
    });
  },
};

const started = performance.now();
rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir: OUT,
  outbase: ROOT,
  absWorkingDir: ROOT,
  bundle: true,
  plugins: [oneModulePerFile],
  platform: 'node',
  format: 'esm',
  target: 'node20',
  charset: 'utf8',
  logLevel: 'warning',
});
process.stdout.write(`build: ${entries.length} modules compiled to ${relative(process.cwd(), OUT) || '.'} in ${Math.round(performance.now() - started)} ms\n`);
