// How a command ends on bad input: one line on stderr and exit 2 (a usage mistake adds the command's usage);
// anything else is a bug: its stack, exit 3.
import { ConfigError } from '../contract';
import { EXIT } from '../report/exit-code';
import { redactor } from '../core/redact';
import { didYouMean } from '../core/suggest';

/** A mistake on the command line: one line on stderr, then the command's usage on stdout. */
export class UsageError extends ConfigError {
  constructor(message: string, readonly command: string) { super(message); }
}

/** Playwright test's options that take a value, and those that do not: a command that passes them on takes them after `--`. */
const PLAYWRIGHT_VALUED = new Set(['--grep', '-g', '--grep-invert', '--project', '--workers', '-j', '--retries', '--repeat-each', '--reporter', '--timeout', '--max-failures', '--global-timeout', '--output', '--trace', '--tsconfig', '--update-snapshots', '--config', '-c']);
const PLAYWRIGHT_FLAGS = new Set(['--headed', '--debug', '--list', '-x', '--forbid-only', '--last-failed', '--pass-with-no-tests', '--quiet', '-u', '--ui', '--fully-parallel', '--ignore-snapshots', '--no-deps', '--fail-on-flaky-tests', '--only-changed']);
const optionName = (arg: string) => arg.split('=')[0]!;
const isPlaywrightOption = (arg: string) => PLAYWRIGHT_VALUED.has(optionName(arg)) || PLAYWRIGHT_FLAGS.has(optionName(arg));
const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** `argv` with Playwright's options (and their values) moved after `--`, as the line to type instead. */
export function playwrightAfterDashes(command: string, argv: string[]): string {
  const dash = argv.indexOf('--');
  const before = dash < 0 ? argv : argv.slice(0, dash);
  const ours: string[] = [];
  const theirs: string[] = [];
  for (let i = 0; i < before.length; i++) {
    const arg = before[i]!;
    if (!isPlaywrightOption(arg)) { ours.push(arg); continue; }
    theirs.push(arg);
    if (PLAYWRIGHT_VALUED.has(arg) && i + 1 < before.length && !before[i + 1]!.startsWith('-')) theirs.push(before[++i]!);
  }
  return ['raa-conformance', command, ...ours, '--', ...theirs, ...(dash < 0 ? [] : argv.slice(dash + 1))].map(shellWord).join(' ');
}

/** Node's parseArgs errors, as one line that names the option (and the one probably meant). */
function usageError(e: Error & { code?: string }, command: string, usage: string, argv?: string[]): UsageError {
  const named = /'(-[^' ]*)/.exec(e.message)?.[1] ?? /'([^']*)'/.exec(e.message)?.[1] ?? '';
  // Only the command's own options: its usage also shows Playwright's, after `--`, which would suggest themselves.
  const options = [...new Set(usage.replace(/ -- .*$/gm, '').match(/--[a-z][a-z-]*/g) ?? [])].filter((o) => o !== named);
  const passesOn = usage.includes('-- <playwright options>');
  const message = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && passesOn && isPlaywrightOption(named)
    ? `${command}: ${named} is Playwright's option, not ${command}'s: Playwright's options go after \`--\`${argv ? `: ${playwrightAfterDashes(command, argv)}` : ''}`
    : e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `${command}: unknown option ${named}${didYouMean(named, options)}`
    : e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? `${command}: unexpected argument "${named}"`
    : /does not take an argument/.test(e.message) ? `${command}: ${named} takes no value`
    : `${command}: ${named} needs a value`;
  return new UsageError(message, command);
}

/** File-system and network errors a user can cause (a path that does not exist, a busy port): no stack for those. */
const USER_CAUSED = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EADDRINUSE', 'EADDRNOTAVAIL']);

/** Ends the process for `e`, thrown by `command`, whose usage text is `usage`. */
export function fail(e: unknown, command: string, usage: string, argv?: string[]): never {
  const err = e as Error & { code?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS_')) return fail(usageError(err, command, usage, argv), command, usage);
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
