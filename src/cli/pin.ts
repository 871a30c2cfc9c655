// `raa-conformance pin`: a failed run's shrunk counterexamples become regression fixtures, replayed first.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { EXIT } from '../report/exit-code';
import { pin } from '../config/regressions';
import { readConformanceReport } from '../core/read-report';

export const help = `Usage: raa-conformance pin [--report reports/conformance.json] [--out fixtures/regressions.json]

Appends the shrunk counterexamples of the report's failed properties to the regressions file
(CONFORMANCE_REGRESSIONS, default fixtures/regressions.json); tests/contract/regressions replays them
first in every profile.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { report: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(help + '\n'); return EXIT.ok; }
  const config = loadConfig({ CONFORMANCE_REGRESSIONS: values.out });
  const reportPath = resolve(values.report ?? join(config.reportDir, 'conformance.json'));
  if (existsSync(reportPath)) readConformanceReport(reportPath);
  const added = pin(reportPath, config.regressionsFile);
  process.stdout.write(added.length ? `pinned ${added.length} regression(s) into ${config.regressionsFile}:\n${added.map((r) => `  ${r.description}`).join('\n')}\n` : `nothing new to pin from ${reportPath}\n`);
  return EXIT.ok;
}
