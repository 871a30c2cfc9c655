#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run as they are, then hands over to src/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
await main(process.argv.slice(2));
