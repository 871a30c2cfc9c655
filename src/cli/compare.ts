// `raa-conformance compare`: the same seeded stream of requests against a target and a reference (the embedded
// reference server unless one is given), every behavioural difference left after the contract's normalisation
// reported, grouped by cause (src/compare/). Both sides get their own records and are cleaned up as `run` does.
import { parseArgs } from 'node:util';
import { ConfigError } from '../contract';
import { loadConfig } from '../config/config';
import { EXIT } from '../report/exit-code';
import { MARKER_PREFIX, newRunId } from '../config/runtime';
import { Transport } from '../transport/http';
import { removeMarked } from './cleanup-records';
import { redactor } from '../core/redact';
import type { Principal } from '../auth/principals';
import { compareSides, matchRoles } from '../compare/compare';
import { Side } from '../compare/execute';
import { SIZES, buildStream } from '../compare/stream';
import { compareReport, writeCompareReport, type SideInfo } from '../compare/report';
import { VARIANT_NAMES } from '../../server/index';
import { VERSION } from './core';
import { UsageError } from './errors';
import { startEmbedded, targetPrincipals } from './target';

export const help = `Usage: raa-conformance compare [options]

Sends one seeded stream of requests (valid and one-defect payloads, the rejection cases, model-like sequences of
create/get/list/update/delete, the permission matrix per principal, the request-surface rows, refused PATCHes,
batches sent at once) to a target and to a reference in lockstep, and reports every behavioural difference the
contract does not allow and every every-response oracle finding, grouped by cause.

Options:
  --target URL                 the target (default: the embedded reference server, e.g. with --defects)
  --principals FILE            the target's principals
  --reference URL|embedded     the reference (default: embedded)
  --reference-principals FILE  the reference's principals (default: the target's file)
  --defects LIST               embedded target only: break it on purpose (fixtures/defects.json)
  --target-variant LIST        embedded target only: legal variations (all, or ${VARIANT_NAMES.join(', ')})
  --reference-variant LIST     embedded reference only: legal variations
  --seed N                     the stream's seed (default: random)
  --profile NAME               quick | deep | tenant: how long the stream is (tenant: short); a side other than
                               the embedded server is paced at CONFORMANCE_RATE_LIMIT (default 8 requests/s)
  --report-dir DIR             where compare.json, compare.md and compare.html go (default reports/)
  --allow-writes               allow creates, updates and deletes on a side other than the embedded server
  --no-noise                   do not send the stream to the reference twice to learn its noise
  --replay SEED/STEP           replay one difference: the stream of SEED up to STEP, that step's differences only

Exit codes: 0 no difference, 1 differences, 2 bad input, 3 no verdict (the sides could not be compared).

Examples:
  raa-conformance compare --defects device-imei-dropped
  raa-conformance compare --target https://vendor.example/beta --principals vendor.json --allow-writes
  raa-conformance compare --target http://127.0.0.1:9000/beta --reference http://127.0.0.1:9001/beta --principals p.json --allow-writes`;

const OPTIONS = {
  target: { type: 'string' }, principals: { type: 'string' }, reference: { type: 'string' }, 'reference-principals': { type: 'string' },
  defects: { type: 'string' }, 'target-variant': { type: 'string' }, 'reference-variant': { type: 'string' }, seed: { type: 'string' },
  profile: { type: 'string' }, 'report-dir': { type: 'string' }, 'allow-writes': { type: 'boolean' }, 'no-noise': { type: 'boolean' },
  replay: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

export interface CompareOptions {
  target?: string; principals?: string; reference?: string; referencePrincipals?: string; defects?: string;
  targetVariant?: string; referenceVariant?: string; seed?: string; profile?: string; reportDir?: string;
  allowWrites?: boolean; noNoise?: boolean; replay?: string;
  /** Where the report's lines go (default stdout); the self-tests keep them quiet. */
  write?: (line: string) => void;
}

/** A side ready to compare; `rateLimit` is its requests/s (0 for an embedded server, the run's setting for any other). */
interface PreparedSide { info: SideInfo; principals: Principal[]; secrets: string[]; rateLimit: number; close(): Promise<void> }

/** One side: an embedded reference server (with defects or variants), or a remote URL with its principals. */
async function prepareSide(url: string | undefined, principalsFile: string | undefined, o: { defects?: string; variant?: string; allowWrites: boolean; what: string }): Promise<PreparedSide> {
  if (!url || url === 'embedded') {
    const defects = (o.defects ?? '').split(',').filter(Boolean);
    const e = await startEmbedded(defects, undefined, 0, o.variant ? { variants: o.variant } : {});
    return { info: { url: e.baseUrl, embedded: true, ...(defects.length ? { defects } : {}), ...(o.variant ? { variants: o.variant.split(',') } : {}) }, principals: e.principals, secrets: [], rateLimit: 0, close: () => e.close() };
  }
  if (o.defects || o.variant) throw new UsageError(`compare: --defects and the variants apply to an embedded side only (the ${o.what} is ${url})`, 'compare');
  if (!o.allowWrites) throw new ConfigError(`compare creates, updates and deletes records on both sides: --allow-writes lets it write to the ${o.what} ${url}`);
  if (!principalsFile) throw new UsageError(`compare: the ${o.what} ${url} needs a principals file`, 'compare');
  const config = loadConfig({ TARGET_BASE_URL: url, PRINCIPALS_FILE: principalsFile });
  const secrets: string[] = [];
  const principals = await targetPrincipals(config, secrets);
  redactor.add(...principals.map((p) => p.token), ...secrets);
  // A remote side (a tenant, a vendor's build) is paced as `run` paces it: CONFORMANCE_RATE_LIMIT, default 8 requests/s.
  return { info: { url: config.targetBaseUrl!, embedded: false }, principals, secrets, rateLimit: config.rateLimit, close: async () => {} };
}

function parseReplay(text: string | undefined): { seed: string; step: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^([0-9]+)\/([0-9]+)$/.exec(text);
  if (!m) throw new UsageError(`compare: --replay ${text} is not SEED/STEP (e.g. 42/17)`, 'compare');
  return { seed: m[1]!, step: Number(m[2]) };
}

/** The command line that reproduces this comparison, without its seed (the replay line adds it). */
function commandLine(o: CompareOptions): string {
  const flags: [string, string | undefined][] = [['--target', o.target], ['--principals', o.principals], ['--reference', o.reference],
    ['--reference-principals', o.referencePrincipals], ['--defects', o.defects], ['--target-variant', o.targetVariant],
    ['--reference-variant', o.referenceVariant], ['--profile', o.profile]];
  return ['raa-conformance compare', ...flags.filter(([, v]) => v).map(([f, v]) => `${f} ${v}`), ...(o.allowWrites ? ['--allow-writes'] : [])].join(' ');
}

export interface CompareOutcome { exitCode: number; report?: Record<string, unknown> }

/** Removes what this comparison created on a remote side (records carrying its marker); an embedded side just stops. */
async function cleanUp(side: PreparedSide, runId: string, write: (line: string) => void): Promise<void> {
  if (side.info.embedded) return;
  await removeMarked({ target: side.info.url, principals: side.principals, runId, dryRun: false, write: (l) => write(`cleanup ${side.info.url}: ${l}`) });
}

/** The comparison end to end: sides prepared, the stream sent, the report written, both sides cleaned. */
export async function runCompare(o: CompareOptions): Promise<CompareOutcome> {
  const write = o.write ?? ((line: string) => { process.stdout.write(`${line}\n`); });
  const replay = parseReplay(o.replay);
  const profile = o.profile ?? 'quick';
  const size = SIZES[profile];
  if (!size) throw new UsageError(`compare: --profile ${profile} is not one of ${Object.keys(SIZES).join(', ')}`, 'compare');
  const seedText = replay?.seed ?? o.seed ?? String(Math.floor(Math.random() * 2 ** 31));
  if (!/^[0-9]{1,10}$/.test(seedText)) throw new UsageError(`compare: --seed ${seedText} is not a whole number`, 'compare');
  const seed = Number(seedText);
  const allowWrites = o.allowWrites ?? false;
  const started = Date.now();
  const sides: PreparedSide[] = [];
  const runId = newRunId(seed);
  try {
    const target = await prepareSide(o.target, o.principals, { ...(o.defects ? { defects: o.defects } : {}), ...(o.targetVariant ? { variant: o.targetVariant } : {}), allowWrites, what: 'target' });
    sides.push(target);
    const refSpec = { ...(o.referenceVariant ? { variant: o.referenceVariant } : {}), allowWrites, what: 'reference' };
    const reference = await prepareSide(o.reference, o.referencePrincipals ?? o.principals, refSpec);
    sides.push(reference);
    // The noise: a second embedded reference, or the same remote reference a second time.
    const again = o.noNoise ? undefined : reference.info.embedded ? await prepareSide(undefined, undefined, refSpec) : reference;
    if (again && again !== reference) sides.push(again);
    const roles = matchRoles(target.principals, reference.principals);
    const againRoles = again ? matchRoles(target.principals, again.principals).reference : undefined;
    const steps = buildStream(seed, roles.roles, size);
    if (replay && replay.step >= steps.length) throw new UsageError(`compare: the stream of seed ${seed} has ${steps.length} steps; step ${replay.step} is not one of them`, 'compare');
    const transport = (s: PreparedSide) => new Transport({ rateLimit: s.rateLimit, timeoutMs: 15_000 });
    const marker = `${MARKER_PREFIX}${runId}/`;
    const mk = (label: string, s: PreparedSide, p: Map<string, Principal>) => new Side(label, s.info.url, p, transport(s), marker);
    const ref = mk('reference', reference, roles.reference);
    const tgt = mk('target', target, roles.target);
    const ref2 = again && againRoles ? mk('reference again', again, againRoles) : undefined;
    const paced = (s: PreparedSide) => `${s.info.url}${s.rateLimit ? ` (${s.rateLimit} req/s)` : ''}`;
    write(`raa-conformance compare: target ${paced(target)}, reference ${paced(reference)}, seed ${seed}, ${steps.length} steps`);
    const result = await compareSides(steps, { reference: ref, target: tgt, ...(ref2 ? { referenceAgain: ref2 } : {}) }, replay?.step);
    const exitCode = result.diffs.length ? EXIT.nonConformant : EXIT.ok;
    const report = compareReport(result, {
      version: VERSION, seed, profile, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started,
      reference: { ...reference.info, requests: ref.transport.stats.requests }, target: { ...target.info, requests: tgt.transport.stats.requests },
      noiseLearnt: !again ? 'not learnt' : again === reference ? 'reference twice' : 'two references', command: commandLine(o),
      ...(replay ? { replay: replay.step } : {}), exitCode,
    });
    writeCompareReport(o.reportDir ?? 'reports', report);
    await Promise.all([ref, tgt, ...(ref2 ? [ref2] : [])].map((s) => s.transport.close()));
    const groups = result.groups;
    write(exitCode ? `raa-conformance compare: ${result.diffs.length} difference(s) in ${groups.length} group(s); first: ${groups[0]!.count} × ${groups[0]!.kind} ${groups[0]!.path}: ${groups[0]!.change}` : 'raa-conformance compare: no difference');
    for (const side of [target, reference]) await cleanUp(side, runId, write);
    return { exitCode, report };
  } finally {
    for (const s of sides) await s.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: OPTIONS });
  if (values.help) { process.stdout.write(help + '\n'); return EXIT.ok; }
  return (await runCompare({
    target: values.target, principals: values.principals, reference: values.reference, referencePrincipals: values['reference-principals'],
    defects: values.defects, targetVariant: values['target-variant'], referenceVariant: values['reference-variant'], seed: values.seed,
    profile: values.profile, reportDir: values['report-dir'], allowWrites: values['allow-writes'], noNoise: values['no-noise'], replay: values.replay,
  })).exitCode;
}
