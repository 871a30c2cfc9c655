// `raa-conformance self-test`: the project's own tests (what `npm test` runs); a clone only.
import { COMPILED, modulePath } from '../contract';
import { EXIT } from '../report/exit-code';
import { childEnvironment } from '../core/settings';
import { runPlaywright } from './child';
import { needsClone } from './errors';

export const help = `Usage: raa-conformance self-test [-- <playwright options>]\n\nRuns tests/self (typecheck, schemas, server, suite end to end, defect matrix).`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { process.stdout.write(help + '\n'); return EXIT.ok; }
  if (COMPILED) return needsClone('self-test');
  const args = argv.filter((a) => a !== '--');
  // Only a run of every self-test is `npm test`'s time (bench figure 9); a run narrowed by arguments is not kept.
  return runPlaywright(['test', '-c', modulePath('playwright.self.config.ts'), ...args], childEnvironment(args.length ? {} : { RAA_SELF_WHOLE: '1' }));
}
