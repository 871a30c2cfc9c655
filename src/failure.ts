// A failed check reads like a bug report: the requirement and its level, expected vs received, the schema
// path, the exchange with secrets redacted, and one line that reproduces it.
import { requirement } from './contract';
import type { Exchange } from './http';
import { REDACTED, redactor } from './redact';
import { errorNamed, plain } from './outcomes';

export interface FailureDetail {
  expected?: string;
  received?: string;
  schemaErrors?: string[];
  exchange?: Exchange;
  /** For properties: the seed, path and shrunk counterexample. */
  property?: { seed: number; path: string; counterexample: unknown; numRuns: number };
}

export const CHECK_FAILURE = 'CheckFailure';

export { plain };

/** Whether a reported error (message and stack, possibly coloured) is a check's verdict rather than an error. */
export const isCheckFailure = (err: { message?: string; stack?: string } | undefined) => errorNamed(err, CHECK_FAILURE);

export class CheckFailure extends Error {
  override name = CHECK_FAILURE;
  constructor(readonly requirementId: string, readonly summary: string, readonly detail: FailureDetail = {}) {
    super(redactor.redact(render(requirementId, summary, detail)));
  }
}

const MAX_BODY = 2_000;

function clip(text: string): string {
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}… (${text.length} characters)` : text;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A curl line with the token replaced by an environment variable the reader sets. */
export function curlLine(ex: Exchange): string {
  const parts = ['curl -sS -i', '-X', ex.request.method, shellQuote(ex.request.url)];
  for (const [k, v] of Object.entries(ex.request.headers)) {
    parts.push('-H', /^authorization$/i.test(k) ? `"${k}: Bearer $TOKEN"` : shellQuote(`${k}: ${v}`));
  }
  if (ex.request.body !== undefined) parts.push('--data-binary', shellQuote(ex.request.body));
  return redactor.redact(parts.join(' '));
}

function render(id: string, summary: string, d: FailureDetail): string {
  const r = requirement(id);
  const lines = [`[${id} ${r.level}${r.tentative ? ', tentative' : ''}] ${summary}`, `  Requirement: ${r.title}`];
  if (d.expected !== undefined) lines.push(`  Expected: ${d.expected}`);
  if (d.received !== undefined) lines.push(`  Received: ${d.received}`);
  for (const e of d.schemaErrors ?? []) lines.push(`  Schema: ${e}`);
  if (d.property) {
    lines.push(`  Counterexample (shrunk): ${clip(JSON.stringify(d.property.counterexample))}`);
    lines.push(`  Replay: CONFORMANCE_SEED=${d.property.seed} (fast-check seed ${d.property.seed}, path "${d.property.path}", ${d.property.numRuns} runs)`);
  }
  const ex = d.exchange;
  if (ex) {
    const reqHeaders = redactor.redactHeaders(ex.request.headers);
    lines.push('Request:', `  ${ex.request.method} ${ex.request.url}`);
    for (const [k, v] of Object.entries(reqHeaders)) lines.push(`  ${k}: ${v}`);
    if (ex.request.body !== undefined) lines.push(`  ${clip(ex.request.body)}`);
    lines.push('Response:', `  ${ex.status}`);
    for (const k of ['content-type', 'request-id', 'client-request-id', 'location', 'preference-applied', 'www-authenticate']) {
      if (ex.headers[k] !== undefined) lines.push(`  ${k}: ${ex.headers[k]}`);
    }
    if (ex.text) lines.push(`  ${clip(ex.text)}`);
    lines.push('Reproduce with:', `  ${curlLine(ex)}`);
  }
  return lines.join('\n').split(REDACTED).join(REDACTED);
}
