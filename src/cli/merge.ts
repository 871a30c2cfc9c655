// `raa-conformance merge`: the blob reports of a sharded run (run --shard i/n) replayed as one run's reports.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../contract';
import { loadConfig } from '../config/config';
import { EXIT, exitCodeFor } from '../report/exit-code';
import type { ConformanceReport } from '../core/report-types';
import { buildRuntime, type Runtime } from '../config/runtime';
import { playwrightSuite, withWorkDir, writeRuntime, writtenReport } from './core';
import { readConformanceReport } from '../core/read-report';
import { UsageError } from './errors';

export const help = `Usage: raa-conformance merge --report-dir DIR SHARD_DIR...

Each shard: raa-conformance run --shard i/n --report-dir SHARD_DIR (same --seed for all shards).
Merging writes DIR/conformance.json, .md, .html, junit.xml and html/ as one run would.`;

interface Shards { first: ConformanceReport; records: { created: number; left: string[]; requests: number; throttled: number } }

/** Copies each shard's blobs into `blobs` and adds up the records they left; every shard must hold a blob report. */
function gather(dirs: string[], blobs: string): Shards {
  let first: ConformanceReport | undefined;
  const records = { created: 0, left: [] as string[], requests: 0, throttled: 0 };
  for (const dir of dirs) {
    if (!existsSync(join(dir, 'blob'))) throw new ConfigError(`${dir} holds no blob report: run each shard with \`raa-conformance run --shard i/n --report-dir ${dir}\``);
    const r = readConformanceReport(join(dir, 'conformance.json'));
    first ??= r;
    if (r.records) { records.created += r.records.created; records.left.push(...r.records.left); records.requests += r.records.requests; records.throttled += r.records.throttled; }
    for (const f of readdirSync(join(dir, 'blob'))) writeFileSync(join(blobs, `${dir.replace(/[^A-Za-z0-9]/g, '_')}-${f}`), readFileSync(join(dir, 'blob', f)));
  }
  return { first: first!, records };
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { 'report-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(help + '\n'); return EXIT.ok; }
  if (positionals.length === 0) throw new UsageError('merge: name the shards\' report folders (SHARD_DIR...)', 'merge');
  const config = loadConfig({ CONFORMANCE_REPORT_DIR: values['report-dir'] });
  return withWorkDir('raa-merge-', async (workDir) => {
    const blobs = join(workDir, 'blobs');
    mkdirSync(blobs);
    const { first, records } = gather(positionals, blobs);
    mkdirSync(join(config.reportDir, '.run'), { recursive: true });
    writeFileSync(join(config.reportDir, '.run', 'merged.json'), JSON.stringify({ created: records.created, left: records.left, stats: { requests: records.requests, throttled: records.throttled } }));
    // The reporter needs the run's identity, taken from the shards; nothing is tested, so no principals.
    const settings = { ...config, seed: first.seed, profile: first.profile as Runtime['profile'], strict: first.strict, defects: first.defects ?? [], historyDir: undefined, allowPartial: false, requireMetadata: false };
    const runtime = buildRuntime(settings, { target: first.target, principals: [], embedded: false, secrets: [] }, first.suiteVersion);
    const code = await playwrightSuite('merge-reports', [blobs], writeRuntime(workDir, runtime), { RAA_MERGE: '1' });
    const report = writtenReport(config.reportDir);
    if (!report) { process.stderr.write(`raa-conformance: merge produced no ${join(config.reportDir, 'conformance.json')} (exit ${code})\n`); return EXIT.error; }
    return exitCodeFor(report, first.strict);
  });
}
