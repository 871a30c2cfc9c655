// Every-response oracles: what holds for every Graph response, whichever test received it (GRAPH-FACTS §5, §12).
// One oracle, one requirement: `applies` says whether an exchange can show anything about it, `judge` returns a
// finding or nothing. The transport hands each answer to the test's collector (src/suite/suite.ts); the reporter
// files, per oracle, one entry for each test whose exchanges it applied to (src/report/reporter.ts).
import { describeErrors, validators } from '../contract';
import type { Exchange } from '../transport/http';
import type { Failure } from '../core/report-types';
import { CheckFailure, findingRecord, type FailureDetail } from './failure';

/** What an oracle found wrong with one exchange (the exchange itself is added by whoever records it). */
export type Finding = Pick<FailureDetail, 'expected' | 'received' | 'schemaErrors'> & { summary: string };

export interface Oracle {
  requirement: string;
  applies(ex: Exchange): boolean;
  judge(ex: Exchange): Finding | undefined;
}

/** The attachment that carries a test's oracle results from the worker to the reporter (schemas/report.ts oraclesSchema). */
export const ORACLE_ATTACHMENT = 'raa-oracles.json';

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
const isError = (ex: Exchange) => ex.status >= 400;
const header = (ex: Exchange, name: string): string | undefined => ex.headers[name]?.trim() || undefined;
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

function innerError(ex: Exchange): Record<string, unknown> | undefined {
  const inner = (ex.json as { error?: { innerError?: unknown } } | undefined)?.error?.innerError;
  return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : undefined;
}

/** The pairs (innerError value, header value) both present: what the ids oracle compares. */
function idPairs(ex: Exchange): [string, unknown, string][] {
  const inner = innerError(ex);
  if (!inner) return [];
  return (['request-id', 'client-request-id'] as const)
    .filter((k) => inner[k] !== undefined && header(ex, k) !== undefined)
    .map((k) => [k, inner[k], header(ex, k)!]);
}

/** Every string of an error body meant for people: JSON string values except `code` (an identifier by design), or the raw text. */
function errorTexts(ex: Exchange): string[] {
  if (ex.json === undefined) return ex.text ? [ex.text] : [];
  const out: string[] = [];
  const walk = (v: unknown, key?: string) => {
    if (typeof v === 'string') { if (key !== 'code') out.push(v); } else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(ex.json);
  return out;
}

/** Unmistakable signs of internals: no error text a person is meant to read carries them. */
export const STACK_SIGNATURES: readonly [string, RegExp][] = [
  ['a JavaScript stack frame', /^\s+at (?:async )?(?:[^\n()]+ \()?(?:[^\s()]+\.[cm]?[jt]sx?|node:[^\s()]+):\d+:\d+\)?\s*$/m],
  ['a Python traceback', /Traceback \(most recent call last\)/],
  ['a .NET stack frame', /^\s*at [\w.`<>+]+\([^)\n]*\) in [^\n]+:line \d+/m],
  ['a Java stack frame', /^\s*at [\w$]+(?:\.[\w$<>]+)+\((?:[\w$]+\.(?:java|kt|scala):\d+|Native Method|Unknown Source)\)/m],
  ['a .NET exception type', /\bSystem\.(?:[A-Z]\w*\.)*[A-Z]\w*Exception\b/],
  ['a Java exception type', /\b(?:java|javax|jakarta)\.(?:[a-z]\w*\.)+[A-Z]\w*(?:Exception|Error)\b/],
  ['a source path with a line number', /(?:^|[\s'"(=])(?:\/(?:[\w.@-]+\/)+|[A-Za-z]:\\(?:[\w .@-]+\\)+)[\w.@-]+\.(?:[cm]?[jt]sx?|py|cs|java|go|rb|php|kt|scala):\d+\b/],
];

/** Likely signs of internals: each could, rarely, be innocent text, so the oracle they feed is a SHOULD. */
export const INTERNAL_HINTS: readonly [string, RegExp][] = [
  ['an exception class name', /\b[A-Z][A-Za-z0-9]*Exception\b/],
  ['a JavaScript error name', /\b(?:TypeError|ReferenceError|SyntaxError|RangeError|EvalError|URIError): /],
  ['a SQL error', /\bSQLSTATE\b|\bORA-\d{5}\b|syntax error at or near/],
  ['a server file path', /(?:^|[\s'"(=])(?:\/(?:var\/www|usr\/src|usr\/local\/lib|opt|srv|home|root|app)\/[\w.@/-]+|[A-Za-z]:\\(?:inetpub|Users|Program Files|src|build)\\[^\s'"]*)/],
];

function leak(ex: Exchange, signs: readonly [string, RegExp][], what: string): Finding | undefined {
  for (const text of errorTexts(ex)) {
    for (const [name, re] of signs) {
      const m = re.exec(text);
      if (m) return { summary: `the error text carries ${name}`, expected: `error text without ${what}`, received: m[0].trim().slice(0, 200) };
    }
  }
  return undefined;
}

/** The id a Location names, when its path ends in the collection's `/{id}` or `('{id}')`. */
export function locationId(location: string, base: string): string | undefined {
  let path: string;
  try { path = new URL(location, base).pathname; } catch { return undefined; }
  const m = /\/remoteActionAudits(?:\/([^/]+)|\('((?:[^']|'')*)'\))\/?$/i.exec(path);
  if (!m) return undefined;
  try { return m[1] !== undefined ? decodeURIComponent(m[1]) : decodeURIComponent(m[2]!).replace(/''/g, "'"); } catch { return undefined; }
}

const createdId = (ex: Exchange) => { const id = (ex.json as { id?: unknown } | undefined)?.id; return typeof id === 'string' && id ? id : undefined; };

export const ORACLES: readonly Oracle[] = [
  {
    requirement: 'RAA-NO-5XX',
    applies: () => true,
    judge: (ex) => (ex.status >= 500 ? { summary: `server error ${ex.status}`, expected: 'a status below 500', received: String(ex.status) } : undefined),
  },
  {
    requirement: 'RAA-ERROR-ENVELOPE',
    applies: isError,
    judge: (ex) => {
      const type = ex.headers['content-type'] ?? '';
      if (!JSON_TYPE.test(type) || ex.json === undefined) return { summary: `the ${ex.status} is not JSON`, expected: 'Content-Type: application/json and the Graph error envelope', received: type || '(no Content-Type)' };
      return validators.error(ex.json) ? undefined : { summary: `the ${ex.status} body is not the Graph error envelope`, schemaErrors: describeErrors(validators.error.errors) };
    },
  },
  {
    requirement: 'RAA-EVERY-ERROR-IDS',
    applies: (ex) => isError(ex) && idPairs(ex).length > 0,
    judge: (ex) => {
      const wrong = idPairs(ex).find(([, inner, head]) => inner !== head);
      return wrong ? { summary: `innerError.${wrong[0]} is not the response's ${wrong[0]} header`, expected: wrong[2], received: show(wrong[1]) } : undefined;
    },
  },
  {
    requirement: 'RAA-EVERY-401-AUTHENTICATE',
    applies: (ex) => ex.status === 401,
    judge: (ex) => (header(ex, 'www-authenticate') ? undefined : { summary: 'a 401 without WWW-Authenticate', expected: 'WWW-Authenticate: Bearer …', received: '(absent)' }),
  },
  {
    requirement: 'RAA-EVERY-405-ALLOW',
    applies: (ex) => ex.status === 405,
    judge: (ex) => {
      const allow = header(ex, 'allow');
      if (!allow) return { summary: 'a 405 without Allow', expected: 'Allow: <the methods the resource supports>', received: '(absent)' };
      const listed = allow.split(',').map((m) => m.trim().toUpperCase());
      return listed.includes(ex.request.method.toUpperCase()) ? { summary: `the 405's Allow lists the refused method ${ex.request.method}`, expected: `methods other than ${ex.request.method}`, received: allow } : undefined;
    },
  },
  {
    requirement: 'RAA-EVERY-201-LOCATION',
    applies: (ex) => ex.status === 201 && header(ex, 'location') !== undefined && createdId(ex) !== undefined,
    judge: (ex) => {
      const location = header(ex, 'location')!;
      const named = locationId(location, ex.request.url);
      return named === createdId(ex) ? undefined
        : { summary: 'the Location does not name the record created', expected: `…/remoteActionAudits/${createdId(ex)} or …/remoteActionAudits('${createdId(ex)}')`, received: location };
    },
  },
  {
    requirement: 'RAA-EVERY-JSON-TYPE',
    applies: (ex) => typeof ex.json === 'object' && ex.json !== null,
    judge: (ex) => {
      const type = ex.headers['content-type'] ?? '';
      return JSON_TYPE.test(type) ? undefined : { summary: `a JSON body labelled ${type || 'with no Content-Type'}`, expected: 'Content-Type: application/json[;…]', received: type || '(no Content-Type)' };
    },
  },
  {
    requirement: 'RAA-HDR-REQUEST-ID',
    applies: () => true,
    judge: (ex) => (header(ex, 'request-id') ? undefined : { summary: `a ${ex.status} without request-id`, expected: 'request-id: <value>', received: '(absent)' }),
  },
  {
    requirement: 'RAA-EVERY-NO-STACK',
    applies: (ex) => isError(ex) && ex.text.length > 0,
    judge: (ex) => leak(ex, STACK_SIGNATURES, 'stack traces, exception types or source paths'),
  },
  {
    requirement: 'RAA-EVERY-NO-INTERNALS',
    applies: (ex) => isError(ex) && ex.text.length > 0,
    judge: (ex) => leak(ex, INTERNAL_HINTS, 'exception names, SQL errors or server paths'),
  },
];

export const ORACLE_REQUIREMENTS: readonly string[] = ORACLES.map((o) => o.requirement);

export function oracleFor(requirement: string): Oracle {
  const o = ORACLES.find((x) => x.requirement === requirement);
  if (!o) throw new Error(`no every-response oracle judges ${requirement}`);
  return o;
}

/** For a test that reaches an oracle's situation on purpose: the oracle's finding on `ex`, thrown as that requirement's failure. */
export function judgeNow(requirement: string, ex: Exchange): void {
  const f = oracleFor(requirement).judge(ex);
  if (f) throw new CheckFailure(requirement, f.summary, { ...f, exchange: ex });
}

/** One test's oracle results: per oracle, how many exchanges it applied to, and its first finding with its exchange. */
export interface OracleResults {
  observed: Record<string, number>;
  findings: Record<string, Failure>;
}

/** Judges each exchange as it arrives and keeps only counts and first findings, so a long property costs no memory. */
export class OracleCollector {
  readonly results: OracleResults = { observed: {}, findings: {} };

  observe(ex: Exchange): void {
    const { observed, findings } = this.results;
    for (const o of ORACLES) {
      if (!o.applies(ex)) continue;
      observed[o.requirement] = (observed[o.requirement] ?? 0) + 1;
      if (findings[o.requirement]) continue;
      const f = o.judge(ex);
      if (f) findings[o.requirement] = findingRecord(o.requirement, f.summary, { ...f, exchange: ex });
    }
  }

  get empty(): boolean {
    return Object.keys(this.results.observed).length === 0;
  }
}
