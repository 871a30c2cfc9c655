// Loaded into every process of a run with NODE_OPTIONS=--require: counts this process's reads of the file named by
// SELFTEST_COUNT_READS and appends one line (pid, reads, argv) to SELFTEST_COUNT_OUT when the process exits.
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const { resolve } = require('node:path');

const target = process.env.SELFTEST_COUNT_READS && resolve(process.env.SELFTEST_COUNT_READS);
const out = process.env.SELFTEST_COUNT_OUT;
if (target && out) {
  let reads = 0;
  const original = fs.readFileSync;
  fs.readFileSync = function readFileSync(path, ...rest) {
    if (typeof path === 'string' && resolve(path) === target) reads++;
    return original.call(this, path, ...rest);
  };
  // ES modules bind node:fs's exports once; this makes their readFileSync the counting one too.
  syncBuiltinESMExports();
  process.on('exit', () => fs.appendFileSync(out, `${JSON.stringify({ pid: process.pid, reads, argv: process.argv.slice(1).join(' ').slice(0, 200) })}\n`));
}
module.exports = { preload: __filename };
