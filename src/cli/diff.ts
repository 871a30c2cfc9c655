// `raa-conformance diff`: what regressed, got fixed, is new or gone between two conformance.json files.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT } from '../report/exit-code';
import { diffReports, hasRegression, renderDiffMarkdown, renderDiffText } from '../report/diff';
import { setting } from '../core/settings';
import { readConformanceReport } from '../core/read-report';
import { UsageError } from './errors';

export const help = `Usage: raa-conformance diff BASE.json HEAD.json [--markdown FILE]

Prints what regressed, what got fixed, and what is new or gone, as text; writes Markdown to FILE and, in
GitHub Actions, to the job summary. Exits 1 when something regressed.

Example:
  raa-conformance diff last-night/conformance.json reports/conformance.json --markdown diff.md`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { markdown: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(help + '\n'); return EXIT.ok; }
  if (positionals.length !== 2) throw new UsageError(`diff: needs two reports, BASE.json and HEAD.json (got ${positionals.length})`, 'diff');
  const [base, head] = positionals.map((p) => readConformanceReport(p));
  const d = diffReports(base!, head!);
  process.stdout.write(renderDiffText(d) + '\n');
  const md = renderDiffMarkdown(d);
  if (values.markdown) writeFileSync(values.markdown, md);
  // In GitHub Actions the Markdown lands in the job summary.
  const summary = setting('GITHUB_STEP_SUMMARY');
  if (summary) writeFileSync(summary, md, { flag: 'a' });
  return hasRegression(d) ? EXIT.nonConformant : EXIT.ok;
}
