// How a command ends on bad input: one line on stderr and exit 2 (a usage mistake adds the command's usage);
// anything else is a bug: its stack, exit 3.
import { ConfigError } from '../contract';
import { EXIT } from '../report/exit-code';
import { redactor } from '../transport/redact';
import { didYouMean } from '../config/suggest';

/** A mistake on the command line: one line on stderr, then the command's usage on stdout. */
export class UsageError extends ConfigError {
  constructor(message: string, readonly command: string) { super(message); }
}

/** Node's parseArgs errors, as one line that names the option (and the one probably meant). */
function usageError(e: Error & { code?: string }, command: string, usage: string): UsageError {
  const named = /'(-[^' ]*)/.exec(e.message)?.[1] ?? /'([^']*)'/.exec(e.message)?.[1] ?? '';
  const options = [...new Set(usage.match(/--[a-z][a-z-]*/g) ?? [])];
  const message = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `${command}: unknown option ${named}${didYouMean(named, options)}`
    : e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? `${command}: unexpected argument "${named}"`
    : /does not take an argument/.test(e.message) ? `${command}: ${named} takes no value`
    : `${command}: ${named} needs a value`;
  return new UsageError(message, command);
}

/** File-system and network errors a user can cause (a path that does not exist, a busy port): no stack for those. */
const USER_CAUSED = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EADDRINUSE', 'EADDRNOTAVAIL']);

/** Ends the process for `e`, thrown by `command`, whose usage text is `usage`. */
export function fail(e: unknown, command: string, usage: string): never {
  const err = e as Error & { code?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS_')) return fail(usageError(err, command, usage), command, usage);
  if (e instanceof ConfigError || USER_CAUSED.has(err?.code ?? '')) {
    // Schema errors arrive as a heading and indented lines: one line keeps the message greppable in CI logs.
    const line = err.message.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ');
    process.stderr.write(`raa-conformance: ${redactor.redact(line)}\n`);
    if (e instanceof UsageError) process.stdout.write(`\n${usage}\n`);
    process.exit(EXIT.badInput);
  }
  process.stderr.write(`raa-conformance: ${redactor.redact(err?.stack ?? String(e))}\n`);
  process.exit(EXIT.error);
}

/** The npm package carries the suite, not the project's own tests nor the bench's development dependencies. */
export function needsClone(command: string): number {
  process.stderr.write(`raa-conformance ${command} needs a clone of the project (its tests and development dependencies are not in the npm package): clone it, then \`npm ci\` and \`node bin/raa-conformance.mjs ${command}\`\n`);
  return EXIT.badInput;
}
