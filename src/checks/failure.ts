// A failed check reads like a bug report, and is data: the requirement and its level, expected vs received, the
// schema paths, the exchange with secrets redacted, and one line that reproduces it. The thrown error's message is
// that report as text, for Playwright's own reporters; the conformance reporter gets the data (`record`) as a JSON
// attachment (src/suite/suite.ts, keepWorker) and never reads the message back.
import { requirement } from '../contract';
import type { Exchange } from '../transport/http';
import { redactor } from '../core/redact';
import { errorNamed, plain } from '../core/outcomes';
import { failureText } from '../core/failure-text';
import type { Failure } from '../core/report-types';

export interface FailureDetail {
  expected?: string;
  received?: string;
  schemaErrors?: string[];
  exchange?: Exchange;
  /** For properties: the seed, path and shrunk counterexample; `pin` when it can become a regression fixture. */
  property?: { seed: number; path: string; counterexample: unknown; numRuns: number; pin?: { expectStatus: number[]; headers?: Record<string, string> } };
}

export const CHECK_FAILURE = 'CheckFailure';

/** The attachment that carries a test's failure from the worker to the reporter. */
export const FAILURE_ATTACHMENT = 'raa-failure.json';

export { plain };

/** Whether a reported error (message and stack, possibly coloured) is a check's verdict rather than an error. */
export const isCheckFailure = (err: { message?: string; stack?: string } | undefined) => errorNamed(err, CHECK_FAILURE);

/** Bodies in the data are kept whole up to this size (the message clips them shorter). */
const MAX_DATA_BODY = 20_000;

export class CheckFailure extends Error {
  override name = CHECK_FAILURE;
  private data: Failure | undefined;

  constructor(readonly requirementId: string, readonly summary: string, readonly detail: FailureDetail = {}) {
    super(redactor.redact(failureText(unredacted(requirementId, summary, detail))));
    remember(this);
  }

  /** The failure as data, redacted (built when first asked: a property may construct thousands it never reports). */
  get record(): Failure {
    this.data ??= asRecord(this.requirementId, this.summary, this.detail, this.message);
    return this.data;
  }
}

function asRecord(id: string, summary: string, detail: FailureDetail, message: string): Failure {
  return JSON.parse(redactor.redact(JSON.stringify({ ...unredacted(id, summary, detail), message }))) as Failure;
}

/**
 * A finding as the same data a CheckFailure carries, without throwing it: an every-response oracle
 * (src/checks/oracles.ts) records findings beside the test, which goes on, and is never the test's own failure.
 */
export function findingRecord(id: string, summary: string, detail: FailureDetail): Failure {
  return asRecord(id, summary, detail, redactor.redact(failureText(unredacted(id, summary, detail))));
}

function unredacted(id: string, summary: string, d: FailureDetail): Omit<Failure, 'message'> {
  const r = requirement(id);
  const ex = d.exchange;
  return {
    kind: 'check', requirement: id, level: r.level, tentative: r.tentative, summary,
    ...(d.expected !== undefined ? { expected: d.expected } : {}),
    ...(d.received !== undefined ? { received: d.received } : {}),
    ...(d.schemaErrors?.length ? { schemaErrors: d.schemaErrors } : {}),
    ...(ex ? {
      exchange: {
        request: { method: ex.request.method, url: ex.request.url, headers: redactor.redactHeaders(ex.request.headers), ...(ex.request.body !== undefined ? { body: clipData(ex.request.body) } : {}) },
        response: { status: ex.status, headers: ex.headers, body: clipData(ex.text) },
      },
      reproduce: curlLine(ex),
    } : {}),
    // JSON has no undefined: a property without a counterexample says null.
    ...(d.property ? { property: { ...d.property, counterexample: d.property.counterexample ?? null } } : {}),
  };
}

const clipData = (text: string) => (text.length > MAX_DATA_BODY ? `${text.slice(0, MAX_DATA_BODY)}… (${text.length} characters)` : text);

/** Failures constructed in the current test, newest last; a few suffice (see failureOf). */
const recent: CheckFailure[] = [];

function remember(f: CheckFailure): void {
  recent.push(f);
  if (recent.length > 16) recent.shift();
}

/** Forgets the failures of the previous test (the fixture calls it as a test starts). */
export function startTest(): void {
  recent.length = 0;
}

/**
 * The failure a test ended with, given the error Playwright recorded. Playwright keeps only the error's text across
 * its runner, so the object is found among this test's recent failures by that text (an identity check: nothing is
 * parsed out of it); the last one constructed when none matches.
 */
export function failureOf(err: { message?: string } | undefined): CheckFailure | undefined {
  if (!isCheckFailure(err)) return undefined;
  const text = plain(err?.message ?? '');
  return [...recent].reverse().find((f) => `${f.name}: ${f.message}` === text) ?? recent.at(-1);
}

/** Principals whose tokens a reproduce line names by environment variable (the worker's fixture sets them). */
let principals: readonly { name: string; token: string }[] = [];

export function namePrincipals(list: readonly { name: string; token: string }[]): void {
  principals = list;
}

/** `TOKEN_APP_RW` for the principal `app-rw`: the variable a reader sets to that principal's token. */
export const tokenVariable = (principal: string) => `TOKEN_${principal.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '')}`;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The Authorization header of a reproduce line: the principal's token as a variable, anything else redacted as sent. */
function authorization(k: string, v: string): string {
  const p = principals.find((x) => v === `Bearer ${x.token}`);
  return p ? `"${k}: Bearer $${tokenVariable(p.name)}"` : shellQuote(`${k}: ${redactor.redact(v)}`);
}

/** A curl line that sends the exchange's request again, with the token replaced by a variable the reader sets. */
export function curlLine(ex: Exchange): string {
  const parts = ['curl -sS -i', '-X', ex.request.method, shellQuote(ex.request.url)];
  for (const [k, v] of Object.entries(ex.request.headers)) {
    parts.push('-H', /^authorization$/i.test(k) ? authorization(k, v) : shellQuote(`${k}: ${v}`));
  }
  if (ex.request.body !== undefined) parts.push('--data-binary', shellQuote(ex.request.body));
  return redactor.redact(parts.join(' '));
}
