// compare.json (validated against schemas/compare-report.ts), compare.md and compare.html: the groups first, one
// line per cause with its count, then samples with the request, both answers redacted and a replay line.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeErrors, validators } from '../contract';
import { redactor } from '../core/redact';
import type { Exchange } from '../transport/http';
import type { CompareResult } from './compare';
import type { Observation } from './execute';
import { groupKey, type Difference } from './diff';

export interface SideInfo { url: string; embedded: boolean; defects?: string[]; variants?: string[]; requests?: number }

export interface ReportContext {
  version: string;
  seed: number;
  profile: string;
  startedAt: string;
  durationMs: number;
  reference: SideInfo;
  target: SideInfo;
  noiseLearnt: 'reference twice' | 'two references' | 'not learnt';
  /** The command line up to the replay flag: `raa-conformance compare --target … --reference …`. */
  command: string;
  replay?: number;
  exitCode: number;
}

const SAMPLES_PER_GROUP = 3;
const BODY_LIMIT = 4000;

const cut = (s: string) => (s.length > BODY_LIMIT ? `${s.slice(0, BODY_LIMIT)}… (${s.length} characters)` : s);

function answer(o: Observation): { status: number; headers: Record<string, string>; body: string; error?: string } {
  const ex: Exchange | undefined = o.exchanges[0];
  if (!ex) return { status: 0, headers: {}, body: '', ...(o.error ? { error: redactor.redact(o.error) } : {}) };
  const pages = o.exchanges.length > 1 ? `\n(+${o.exchanges.length - 1} more ${o.step.batch ? 'answer(s) of the batch' : 'page(s)'})` : '';
  return { status: ex.status, headers: redactor.redactHeaders(ex.headers), body: cut(redactor.redact(ex.text)) + pages };
}

const replayLine = (c: ReportContext, step: number) => `${c.command} --replay ${c.seed}/${step}`;

function sample(r: CompareResult, c: ReportContext, d: Difference) {
  const step = r.steps[d.step]!;
  const sent = r.target[d.step]!.exchanges[0]?.request;
  return {
    step: d.step, stepKind: step.kind, kind: d.kind, path: d.path, ...(d.requirement ? { requirement: d.requirement } : {}),
    referenceValue: d.reference, targetValue: d.target,
    request: { method: step.method, path: sent ? new URL(sent.url).pathname + new URL(sent.url).search : step.target, as: step.as ?? '(no token)',
      ...(sent ? { headers: redactor.redactHeaders(sent.headers) } : {}), ...(sent?.body !== undefined ? { body: cut(redactor.redact(sent.body)) } : {}) },
    reference: answer(r.reference[d.step]!), target: answer(r.target[d.step]!), replay: replayLine(c, d.step),
  };
}

/** The report as compare.json holds it. */
export function compareReport(r: CompareResult, c: ReportContext): Record<string, unknown> {
  const groups = r.groups.map((g) => ({ ...g, replay: replayLine(c, g.example) }));
  const samples = r.groups.flatMap((g) => r.diffs.filter((d) => groupKey(d) === `${g.kind}|${g.path}|${g.change}`).slice(0, SAMPLES_PER_GROUP).map((d) => sample(r, c, d)));
  return {
    schemaVersion: 1, version: c.version, seed: c.seed, profile: c.profile, startedAt: c.startedAt, durationMs: Math.round(c.durationMs),
    reference: c.reference, target: c.target, steps: r.steps.length, ...(c.replay !== undefined ? { replay: c.replay } : {}),
    noise: { learnt: c.noiseLearnt, fields: [...r.noise].map(([field, samples]) => ({ field, samples })) },
    differences: r.diffs.length, groups, samples, exitCode: c.exitCode,
  };
}

const describeSide = (s: SideInfo) => `${s.url}${s.embedded ? ' (embedded reference server' : ''}${s.defects?.length ? `, defects: ${s.defects.join(',')}` : ''}${s.variants?.length ? `, variants: ${s.variants.join(',')}` : ''}${s.embedded ? ')' : ''}`;

/** compare.md: the verdict and the groups in the first lines, then samples. */
export function renderMarkdown(rep: ReturnType<typeof compareReport>): string {
  const r = rep as { differences: number; groups: { kind: string; path: string; change: string; count: number; requirement?: string; stepKinds: string[]; replay: string }[];
    samples: ReturnType<typeof sample>[]; noise: { learnt: string; fields: { field: string; samples: number }[] }; reference: SideInfo; target: SideInfo; steps: number; seed: number; durationMs: number };
  const lines = [
    `# raa-conformance compare: ${r.differences === 0 ? 'no difference' : `${r.differences} difference(s) in ${r.groups.length} group(s)`}`,
    '',
    ...r.groups.map((g) => `- **${g.count} × ${g.kind}** \`${g.path}\`: ${g.change}${g.requirement ? ` (${g.requirement})` : ''}; in ${g.stepKinds.slice(0, 3).join(', ')}${g.stepKinds.length > 3 ? ', …' : ''}`),
    '',
    `Reference: ${describeSide(r.reference)}  `, `Target: ${describeSide(r.target)}  `,
    `Seed ${r.seed}, ${r.steps} steps, ${(r.durationMs / 1000).toFixed(1)} s. Noise (${r.noise.learnt}): ${r.noise.fields.length ? r.noise.fields.map((f) => `\`${f.field}\` (${f.samples})`).join(', ') : 'none'}.`,
  ];
  if (r.groups.length) lines.push('', '## Groups, with a replay line each', '', '| kind | path | change | count | requirement | replay |', '|---|---|---|---|---|---|',
    ...r.groups.map((g) => `| ${g.kind} | \`${g.path}\` | ${g.change.replace(/\|/g, '\\|')} | ${g.count} | ${g.requirement ?? ''} | \`${g.replay}\` |`));
  if (r.samples.length) lines.push('', '## Samples', '');
  for (const s of r.samples) {
    lines.push(`### step ${s.step} (${s.stepKind}): ${s.kind} \`${s.path}\``, '', `Reference: ${s.referenceValue}  `, `Target: ${s.targetValue}  `, ...(s.requirement ? [`Requirement: ${s.requirement}  `] : []),
      `Request: \`${s.request.method} ${s.request.path}\` as ${s.request.as}${s.request.body ? `, body \`${s.request.body.slice(0, 300).replace(/`/g, "'")}\`` : ''}  `,
      `Reference answered ${s.reference.status}, target ${s.target.status}  `, `Replay: \`${s.replay}\``, '',
      '<details><summary>both answers</summary>', '', '```', `reference ${s.reference.status}\n${s.reference.body}`, '', `target ${s.target.status}\n${s.target.body}`, '```', '</details>', '');
  }
  return lines.join('\n') + '\n';
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** compare.html: the Markdown's content as a page of its own. */
export function renderHtml(md: string): string {
  return `<!doctype html><meta charset="utf-8"><title>raa-conformance compare</title><style>body{font:14px system-ui;margin:2em;max-width:80em}pre{background:#f4f4f4;padding:.5em;overflow:auto}</style><pre>${esc(md)}</pre>\n`;
}

/** Writes compare.json (validated first), compare.md and compare.html into `dir`. */
export function writeCompareReport(dir: string, rep: Record<string, unknown>): void {
  if (!validators.compareReport(rep)) throw new Error(`compare.json does not match its schema:\n  ${describeErrors(validators.compareReport.errors).join('\n  ')}`);
  mkdirSync(dir, { recursive: true });
  const md = renderMarkdown(rep);
  writeFileSync(join(dir, 'compare.json'), JSON.stringify(rep, null, 2) + '\n');
  writeFileSync(join(dir, 'compare.md'), md);
  writeFileSync(join(dir, 'compare.html'), renderHtml(md));
}
