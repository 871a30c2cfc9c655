// `raa-conformance self-test`: the project's own tests (what `npm test` runs); a clone only.
import { COMPILED, modulePath } from '../contract';
import { EXIT } from '../report/exit-code';
import { childEnvironment } from '../config/settings';
import { runPlaywright } from './child';
import { needsClone } from './errors';

export const help = `Usage: raa-conformance self-test [-- <playwright options>]\n\nRuns tests/self (typecheck, schemas, server, suite end to end, defect matrix).`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { process.stdout.write(help + '\n'); return EXIT.ok; }
  if (COMPILED) return needsClone('self-test');
  return runPlaywright(['test', '-c', modulePath('playwright.self.config.ts'), ...argv.filter((a) => a !== '--')], childEnvironment());
}
