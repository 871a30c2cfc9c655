// raa-conformance: the command line. It only dispatches: each command is a module of src/cli/ with its own help
// and options, loaded when it runs, so `--version` or `diff` loads neither the reference server nor msal.
import { didYouMean } from './core/suggest';
import { VERSION } from './cli/core';
import { UsageError, fail } from './cli/errors';

const HELP = `raa-conformance ${VERSION}: conformance suite for Microsoft Graph beta remoteActionAudit

Usage: raa-conformance <command> [options]

Commands:
  run         run the conformance suite against a target (default: the embedded reference server)
  serve       start the reference server as a local sandbox
  cleanup     delete records the suite left on a target (only those carrying its marker)
  pin         pin the shrunk counterexamples of a failed run as regression fixtures
  compare     send one generated stream to a target and a reference, report every behavioural difference
  diff        compare two conformance.json files: what regressed, got fixed, is new or gone
  drift       compare the suite's contract with a CSDL document (a file, or a target's $metadata)
  merge       merge the reports of a sharded run (run --shard i/n) into one
  matrix      run the suite against the reference server with each defect (the defect matrix)
  self-test   the project's own tests (what \`npm test\` runs)

Run \`raa-conformance help <command>\` (or \`<command> --help\`) for a command's options, and
\`raa-conformance --version\` for the version.`;

interface Command {
  main(argv: string[]): Promise<number>;
  /** The command's usage, printed after a usage mistake (the main help when it has none). */
  help?: string;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: () => import('./cli/run'),
  matrix: () => import('./cli/matrix'),
  serve: () => import('./cli/serve'),
  cleanup: () => import('./cli/cleanup'),
  pin: () => import('./cli/pin'),
  compare: () => import('./cli/compare'),
  diff: () => import('./cli/diff'),
  drift: () => import('./cli/drift'),
  merge: () => import('./cli/merge'),
  'self-test': () => import('./cli/self-test'),
};

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V') { process.stdout.write(`${VERSION}\n`); return; }
  if (!cmd || cmd === '--help' || cmd === '-h' || (cmd === 'help' && rest.length === 0)) { process.stdout.write(HELP + '\n'); return; }
  // `help <command>` is `<command> --help`: each command owns its text.
  if (cmd === 'help') return main([rest[0]!, '--help']);
  const load = COMMANDS[cmd];
  if (!load) fail(new UsageError(cmd.startsWith('-') ? `unknown option ${cmd}: options follow the command` : `unknown command "${cmd}"${didYouMean(cmd, Object.keys(COMMANDS))}`, 'main'), 'main', HELP);
  let command: Command | undefined;
  try {
    command = await load();
    process.exitCode = await command.main(rest);
  } catch (e) {
    fail(e, cmd, command?.help ?? HELP, rest);
  }
}
