// `raa-conformance cleanup`: deletes records carrying the suite's marker from earlier runs, and nothing else.
import { parseArgs } from 'node:util';
import { removeMarked } from './cleanup-records';
import { ConfigError } from '../contract';
import { loadConfig } from '../config/config';
import { EXIT } from '../report/exit-code';
import { MARKER_PREFIX } from '../config/runtime';
import { targetPrincipals } from './target';

export const help = `Usage: raa-conformance cleanup --target URL --principals FILE [--dry-run] [--run-id ID] [--allow-writes]

Finds records whose deviceDisplayName carries the suite's marker (${MARKER_PREFIX}<run id>/…) and deletes
those, and only those. Deleting needs --allow-writes (any target: a loopback URL may be a proxy to a tenant); --dry-run only lists.

Examples:
  raa-conformance cleanup --target https://graph.microsoft.com/beta --principals principals.json --dry-run
  raa-conformance cleanup --target https://graph.microsoft.com/beta --principals principals.json --allow-writes`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: {
    target: { type: 'string' }, principals: { type: 'string' }, cloud: { type: 'string' }, 'run-id': { type: 'string' },
    'dry-run': { type: 'boolean' }, 'allow-writes': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(help + '\n'); return EXIT.ok; }
  const config = loadConfig({ TARGET_BASE_URL: values.target, PRINCIPALS_FILE: values.principals, GRAPH_CLOUD: values.cloud, CONFORMANCE_ALLOW_WRITES: values['allow-writes'] ? '1' : undefined });
  if (!config.targetBaseUrl) throw new ConfigError('cleanup needs a target (--target or TARGET_BASE_URL): the embedded reference server keeps nothing between runs');
  const target = config.targetBaseUrl;
  const dryRun = !!values['dry-run'];
  // A loopback URL is no sandbox (a local proxy may forward to a tenant): deleting always needs the user's word.
  if (!dryRun && !config.allowWrites) throw new ConfigError(`cleanup deletes records on ${target}: pass --allow-writes (or CONFORMANCE_ALLOW_WRITES=1), or --dry-run to only list them`);
  const principals = await targetPrincipals(config, []);
  // No preflight: cleanup reads any list it can (a bare array too) and says plainly when it cannot.
  return removeMarked({ target, principals, dryRun, timeoutMs: config.timeoutMs, rateLimit: config.rateLimit, retryBudgetMs: config.retryBudgetMs, ...(values['run-id'] ? { runId: values['run-id'] } : {}) });
}
