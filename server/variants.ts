// Legal variation: a correct server may differ from the reference in what the contract leaves open (GRAPH-FACTS
// §5, §8, §12). Each variant changes only that, by wrapping the request handler, so nothing else in server/ knows
// about it; `compare` uses them to prove that two correct servers show no difference.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The variants, each one freedom of the contract. */
export const VARIANT_NAMES = [
  // Ids are opaque strings: a GUID may be written upper case (and is then looked up either way).
  'id-upper-case',
  // The server's own page size is its own (GRAPH-FACTS §12): two per page instead of 100.
  'page-size-2',
  // @odata.type on every entity, as the docs' examples show it (GRAPH-FACTS §5: optional in minimal metadata).
  'annotations-present',
  // requestDateTime written with all seven fractional digits: the same instant.
  'fraction-digits-7',
  // Indented JSON with non-ASCII characters escaped: the same JSON value.
  'json-formatting',
  // A property newer than the suite's contract on every entity (clients tolerate newer properties).
  'newer-property',
  // Error messages are for people (GRAPH-FACTS §5): other wording, same status and code.
  'error-message-wording',
] as const;

export type VariantName = (typeof VARIANT_NAMES)[number];
export type Variants = ReadonlySet<VariantName>;

/** A comma-separated list of variant names (`all` for every one); an unknown name is refused. */
export function parseVariants(list: string | undefined): Set<VariantName> {
  const names = (list ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.includes('all')) return new Set(VARIANT_NAMES);
  const unknown = names.filter((n) => !(VARIANT_NAMES as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`unknown variant${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: one of ${VARIANT_NAMES.join(', ')}, or all`);
  return new Set(names as VariantName[]);
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const PAGE_SIZE = 2;
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The request as the server below understands it: ids back in lower case, the variant's page size. */
function rewriteRequest(req: IncomingMessage, v: Variants): void {
  const url = new URL(req.url ?? '/', 'http://variant.invalid');
  if (v.has('id-upper-case')) url.pathname = url.pathname.replace(GUID, (g) => g.toLowerCase());
  if (v.has('page-size-2') && req.method === 'GET' && /remoteActionAudits\/?$/i.test(url.pathname)) {
    const top = Number(url.searchParams.get('$top') ?? PAGE_SIZE);
    url.searchParams.set('$top', String(Number.isInteger(top) && top > 0 ? Math.min(top, PAGE_SIZE) : PAGE_SIZE));
  }
  req.url = `${url.pathname}${url.search}`;
}

/** One entity as the variant shows it. */
function entity(e: Record<string, unknown>, v: Variants): Record<string, unknown> {
  let out = { ...e };
  if (v.has('id-upper-case') && typeof out.id === 'string') out.id = out.id.toUpperCase();
  if (v.has('fraction-digits-7') && typeof out.requestDateTime === 'string') {
    out.requestDateTime = out.requestDateTime.replace(/:(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})$/, (_m, s: string, f: string | undefined, z: string) => `:${s}.${(f ?? '').padEnd(7, '0')}${z}`);
  }
  if (v.has('annotations-present')) out = { '@odata.type': '#microsoft.graph.remoteActionAudit', ...out };
  if (v.has('newer-property')) out.remoteActionAuditVariantNote = 'a property newer than the suite';
  return out;
}

/** The JSON body as the variant shows it. */
function rewriteBody(body: unknown, v: Variants): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const b = body as Record<string, unknown>;
  if (b.error && typeof b.error === 'object') {
    return v.has('error-message-wording') ? { error: { ...(b.error as object), message: 'The request could not be completed (reworded).' } } : b;
  }
  if (Array.isArray(b.value)) return { ...b, value: b.value.map((e) => (typeof e === 'object' && e !== null ? entity(e as Record<string, unknown>, v) : e)) };
  return 'id' in b ? entity(b, v) : b;
}

function serialise(body: unknown, v: Variants): string {
  const text = v.has('json-formatting') ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  return v.has('json-formatting') ? text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

/** Headers as the variant shows them: the Location's id in the variant's case. */
function rewriteHeaders(h: Record<string, string | number | string[]>, v: Variants): void {
  for (const k of Object.keys(h)) {
    if (k.toLowerCase() === 'location' && v.has('id-upper-case')) h[k] = String(h[k]).replace(GUID, (g) => g.toUpperCase());
  }
}

/**
 * Wraps `handler` with the variants: the answer is held until it ends, then its JSON body re-rendered. The
 * server's `send` writes a response with writeHead and one end, which is what is intercepted here.
 */
export function withVariants(handler: Handler, variants: Variants): Handler {
  if (variants.size === 0) return handler;
  return (req, res) => {
    rewriteRequest(req, variants);
    const writeHead = res.writeHead.bind(res);
    const end = res.end.bind(res);
    let status = 200;
    let headers: Record<string, string | number | string[]> = {};
    (res as { writeHead: unknown }).writeHead = (s: number, h?: Record<string, string | number | string[]>) => { status = s; headers = { ...(h ?? {}) }; return res; };
    (res as { end: unknown }).end = (chunk?: Buffer | string) => {
      let bytes = chunk === undefined ? Buffer.alloc(0) : Buffer.from(chunk as Buffer);
      const type = String(Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '');
      if (bytes.length && /json/i.test(type)) {
        try { bytes = Buffer.from(serialise(rewriteBody(JSON.parse(bytes.toString('utf8')), variants), variants), 'utf8'); } catch { /* not JSON after all: sent as it is */ }
        for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-length') headers[k] = bytes.length;
      }
      rewriteHeaders(headers, variants);
      writeHead(status, headers);
      return end(bytes);
    };
    handler(req, res);
  };
}
