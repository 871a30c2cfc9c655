#!/usr/bin/env node
// Entry point. In a clone, where the TypeScript sources are, it registers tsx and runs src/cli.ts as it is; the npm
// package carries no sources, only their JavaScript compiled into dist/ when it was packed (scripts/build.mjs).
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import('../dist/src/cli.js');
}
await cli.main(process.argv.slice(2));
