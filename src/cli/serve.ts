// `raa-conformance serve`: the reference server as a local sandbox, with a token for each default principal.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../config/config';
import { EXIT } from '../report/exit-code';
import { principalEntry, type Principal } from '../auth/principals';
import { REFERENCE_TENANT, VARIANT_NAMES } from '../../server/index';
import { UsageError } from './errors';
import { startEmbedded, type Embedded, type EmbeddedOptions } from './target';

export const help = `Usage: raa-conformance serve [--port N] [--defects LIST] [--faults SPEC] [--reference-contract today|seed] [--variant LIST] [--principals-out FILE]

Starts the reference server on 127.0.0.1 and prints a token for each default principal.
  --port N              port (default 8080; 0 picks a free one)
  --defects LIST        comma-separated defect names (see fixtures/defects.json; REFERENCE_DEFECTS)
  --faults SPEC         inject faults, e.g. throttle=0.05,retryAfter=1 (REFERENCE_FAULTS)
  --reference-contract today|seed
                        the contract it implements: today's Graph (default) or the seed's (REFERENCE_CONTRACT)
  --variant LIST        legal variations only (what the contract leaves open): all, or some of
                        ${VARIANT_NAMES.join(', ')} (REFERENCE_VARIANTS)
  --principals-out FILE also write a principals file with the minted tokens (for \`run --target\`)

Example:
  raa-conformance serve --port 8080
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/beta/deviceManagement/remoteActionAudits`;

/** The server on `port`; a busy port is a usage mistake, said in one line. */
async function start(port: number, env: Record<string, string>): Promise<Embedded> {
  try {
    return await startEmbedded((env.REFERENCE_DEFECTS ?? '').split(',').filter(Boolean), env.REFERENCE_FAULTS, port, { contract: env.REFERENCE_CONTRACT as EmbeddedOptions['contract'], ...(env.REFERENCE_VARIANTS ? { variants: env.REFERENCE_VARIANTS } : {}) });
  } catch (e) {
    if ((e as { code?: string }).code === 'EADDRINUSE') throw new UsageError(`serve: port ${port} is already in use`, 'serve');
    throw e;
  }
}

/** One principal for the console (two lines) and for the principals file. */
function describe(p: Principal): { lines: string[]; entry: unknown } {
  const entry = principalEntry(p);
  // The reference tenant goes without saying; another (a second tenant, personal accounts') is named.
  const tenant = p.tenant && p.tenant !== REFERENCE_TENANT ? ` [tenant ${p.tenant}]` : '';
  const lines = [`  ${p.name.padEnd(20)} ${p.type.padEnd(19)} ${p.permissions.join(' ') || '(no permissions)'}${p.tokenState !== 'valid' ? ` [${p.tokenState}]` : ''}${tenant}`, `    ${p.token}`];
  return { lines, entry };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: {
    port: { type: 'string' }, defects: { type: 'string' }, faults: { type: 'string' }, 'reference-contract': { type: 'string' }, variant: { type: 'string' },
    'principals-out': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { process.stdout.write(help + '\n'); return EXIT.ok; }
  const port = Number(values.port ?? 8080);
  if (!/^[0-9]+$/.test(values.port ?? '8080') || port > 65535) throw new UsageError(`serve: --port ${values.port} is not a port number (0–65535)`, 'serve');
  const env = readEnvironment({ REFERENCE_DEFECTS: values.defects, REFERENCE_FAULTS: values.faults, REFERENCE_CONTRACT: values['reference-contract'], REFERENCE_VARIANTS: values.variant });
  const embedded = await start(port, env);
  const url = embedded.baseUrl;
  const lines = [`reference server listening on ${url}`, `collection: ${url}/deviceManagement/remoteActionAudits`, '', 'tokens (valid for 12 hours):'];
  const described = embedded.principals.map(describe);
  lines.push(...described.flatMap((d) => d.lines));
  const out = values['principals-out'];
  if (out) {
    writeFileSync(out, JSON.stringify({ principals: described.map((d) => d.entry) }, null, 2), { mode: 0o600 });
    lines.push('', `principals file written to ${out}: raa-conformance run --target ${url} --principals ${out}`);
  }
  lines.push('', 'Example:', `  curl -i -X POST ${url}/deviceManagement/remoteActionAudits -H "Authorization: Bearer <app-rw token>" -H "Content-Type: application/json" -d '{"action":"factoryReset","actionState":"pending"}'`, '', 'Ctrl-C stops it.');
  // The sandbox prints its own tokens on purpose: they are the point of `serve`.
  process.stdout.write(lines.join('\n') + '\n');
  await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  await embedded.close();
  return EXIT.ok;
}
