// Loads a module of src/ as this copy of the project has it: in a clone, where the TypeScript sources are, through
// tsx as they are; in the npm package, which carries no sources, their JavaScript compiled into dist/ when it was
// packed (scripts/build.mjs). Shared by the command line and the CI step (scripts/ci-run.mjs).
import { existsSync } from 'node:fs';

/** `modulePath`: under src/, without extension (`cli`, `cli/child`). */
export async function loadSource(modulePath) {
  const source = new URL(`../src/${modulePath}.ts`, import.meta.url);
  if (!existsSync(source)) return import(new URL(`../dist/src/${modulePath}.js`, import.meta.url).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(source.href);
}
