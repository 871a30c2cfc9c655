#!/usr/bin/env node
// Entry point: the command line from the sources in a clone, or compiled in the npm package (bin/source.mjs).
import { loadSource } from './source.mjs';

const cli = await loadSource('cli');
await cli.main(process.argv.slice(2));
