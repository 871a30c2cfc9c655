#!/usr/bin/env node
// `npm run bench`: the bench is development tooling beside the product, not one of its commands. It registers tsx,
// as bin/raa-conformance.mjs does in a clone, and runs tools/bench/bench.ts; the product never imports tools/.
const { register } = await import('tsx/esm/api');
register();
const { runBench } = await import(new URL('./bench.ts', import.meta.url).href);
process.exitCode = await runBench(process.argv.slice(2));
