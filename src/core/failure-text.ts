// A failure as text, from its data: the thrown error's message (what Playwright's console shows), the Markdown
// report and the page's plain view all read the same way. No stack frames: the evidence is the exchange.
import { requirementsById } from '../contract';
import type { Failure } from './report-types';
import { propertyReplay } from './replay';

const MAX_BODY = 2_000;

export function clip(text: string, max = MAX_BODY): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** Response headers worth showing in a bug report; the data keeps them all. */
export const SHOWN_RESPONSE_HEADERS = ['content-type', 'request-id', 'client-request-id', 'location', 'preference-applied', 'www-authenticate'];

/** The first line: `[RAA-CREATE-ECHO MUST, tentative] summary`. */
export function headline(f: Omit<Failure, 'message'>): string {
  return f.requirement ? `[${f.requirement} ${f.level ?? ''}${f.tentative ? ', tentative' : ''}] ${f.summary}` : f.summary;
}

/** The exchange as request and response lines, bodies clipped. */
export function exchangeLines(ex: NonNullable<Failure['exchange']>): { request: string[]; response: string[] } {
  const request = [`${ex.request.method} ${ex.request.url}`, ...Object.entries(ex.request.headers).map(([k, v]) => `${k}: ${v}`),
    ...(ex.request.body !== undefined ? [clip(ex.request.body)] : [])];
  const response = [String(ex.response.status), ...SHOWN_RESPONSE_HEADERS.filter((k) => ex.response.headers[k] !== undefined).map((k) => `${k}: ${ex.response.headers[k]}`),
    ...(ex.response.body ? [clip(ex.response.body)] : [])];
  return { request, response };
}

/** A check's failure as the bug report it reads like; any other failure is its message. */
export function failureText(f: Omit<Failure, 'message'> & { message?: string }): string {
  if (f.kind !== 'check') return f.message ?? f.summary;
  const title = f.requirement ? requirementsById.get(f.requirement)?.title : undefined;
  const lines = [headline(f), ...(title ? [`  Requirement: ${title}`] : [])];
  if (f.expected !== undefined) lines.push(`  Expected: ${f.expected}`);
  if (f.received !== undefined) lines.push(`  Received: ${f.received}`);
  for (const e of f.schemaErrors ?? []) lines.push(`  Schema: ${e}`);
  if (f.property) {
    lines.push(`  Counterexample (shrunk): ${clip(JSON.stringify(f.property.counterexample) ?? 'undefined')}`);
    lines.push(`  Replay: ${propertyReplay(f.property)}`);
  }
  if (f.exchange) {
    const { request, response } = exchangeLines(f.exchange);
    lines.push('Request:', ...request.map((l) => `  ${l}`), 'Response:', ...response.map((l) => `  ${l}`));
  }
  if (f.reproduce) lines.push('Reproduce with:', `  ${f.reproduce}`);
  return lines.join('\n');
}
