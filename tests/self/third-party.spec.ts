// The suite against stand-ins for third-party targets that answer oddly: a nextLink that is no URL or leads to
// another origin, numeric ids and bare-array lists (json-server style), creates refused with 404. Each asserts
// what the run then says: a failed requirement with the evidence, records counted honestly, never an error.
import { expect, test } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMarked, removeMarked } from '../../src/cli/cleanup-records';
import { ConfigError } from '../../src/contract';
import { Transport } from '../../src/transport/http';
import type { Principal } from '../../src/auth/principals';
import type { ConformanceReport } from '../../src/core/report-types';
import { failureText } from '../../src/core/failure-text';
import { runCli } from './support/independent-server';
import { explain, runSuite, statuses, type SuiteRun } from './support/run-suite';

test.describe.configure({ timeout: 300_000 });

const RW = 'DeviceManagementManagedDevices.ReadWrite.All';
const COLLECTION = '/beta/deviceManagement/remoteActionAudits';
const ITEM = /^\/beta\/deviceManagement\/remoteActionAudits\/([^/?]+)$/;
const SHORT = { CONFORMANCE_NUM_RUNS: '20', CONFORMANCE_RATE_LIMIT: '0' };

interface StandInOptions {
  /** The @odata.nextLink every list page carries (absent when undefined). */
  nextLink?: unknown;
  /** ids are numbers 1, 2, 3, … (json-server). */
  numericIds?: boolean;
  /** The list is a bare JSON array instead of `{ "value": [...] }`. */
  bareArray?: boolean;
  /** Every POST is answered with this status and a Graph error. */
  postStatus?: number;
  /** Every n-th successful create answers 201 with no id in its body (the record is stored all the same). */
  unidentifiedEvery?: number;
  /** DELETE of these ids is refused with 403. */
  keep?: (id: string) => boolean;
}

/**
 * A small Graph-like target on 127.0.0.1: any Bearer token is accepted, records are kept in memory and echoed
 * as sent. What it answers oddly is set by `o`, which a test may change while it runs.
 */
async function standIn(o: StandInOptions) {
  const records = new Map<string, Record<string, unknown>>();
  /** Ids of records whose create answer did not name them. */
  const hidden = new Set<string>();
  const paths: string[] = [];
  let next = 0;
  let created = 0;
  const json = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), 'request-id': String(paths.length), ...headers }).end(text);
  };
  const error = (res: ServerResponse, status: number, code: string) => json(res, status, { error: { code, message: `${code}.`, innerError: { date: new Date().toISOString().slice(0, 19) } } });
  const read = (req: IncomingMessage) => new Promise<string>((resolve) => { let b = ''; req.on('data', (c) => { b += c; }).on('end', () => resolve(b)); });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
    paths.push(url.pathname);
    const body = await read(req);
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) return error(res, 401, 'InvalidAuthenticationToken');
    const item = ITEM.exec(url.pathname)?.[1];
    if (url.pathname === COLLECTION && req.method === 'GET') {
      const all = [...records.values()];
      if (o.bareArray) return json(res, 200, all);
      const top = Number(url.searchParams.get('$top') ?? all.length) || all.length;
      return json(res, 200, { '@odata.context': `${base}/$metadata#deviceManagement/remoteActionAudits`, value: all.slice(0, top), ...(o.nextLink !== undefined ? { '@odata.nextLink': o.nextLink } : {}) });
    }
    if (url.pathname === COLLECTION && req.method === 'POST') {
      if (o.postStatus) return error(res, o.postStatus, 'ResourceNotFound');
      let sent: unknown;
      try { sent = JSON.parse(body); } catch { return error(res, 400, 'BadRequest'); }
      if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) return error(res, 400, 'BadRequest');
      const id = o.numericIds ? ++next : randomUUID();
      const entity = { ...(sent as Record<string, unknown>), id };
      records.set(String(id), entity);
      created++;
      if (!o.unidentifiedEvery || created % o.unidentifiedEvery !== 0) return json(res, 201, entity);
      hidden.add(String(id));
      const { id: _id, ...withoutId } = entity;
      return json(res, 201, withoutId);
    }
    if (item !== undefined) {
      const id = decodeURIComponent(item);
      const current = records.get(id);
      if (!current) return error(res, 404, 'ResourceNotFound');
      if (req.method === 'GET') return json(res, 200, current);
      if (req.method === 'PATCH') {
        let sent: unknown;
        try { sent = JSON.parse(body); } catch { return error(res, 400, 'BadRequest'); }
        const entity = { ...current, ...(sent as Record<string, unknown>), id: current.id };
        records.set(id, entity);
        return json(res, 200, entity);
      }
      if (req.method === 'DELETE') {
        if (o.keep?.(id)) return error(res, 403, 'Forbidden');
        records.delete(id);
        return json(res, 204);
      }
    }
    return error(res, 405, 'MethodNotAllowed');
  });
  const port = await listen(server, '127.0.0.1');
  const base = `http://127.0.0.1:${port}/beta`;
  return {
    base,
    records,
    hidden,
    paths,
    /** Records answered 2xx to a create, whether or not the answer named them. */
    created: () => created,
    close: () => close(server),
  };
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => server.once('error', reject).listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
}

/** A listener on 127.0.0.2 that only counts what reaches it: the suite must never send it anything. */
async function elsewhere() {
  const seen: string[] = [];
  const server = createServer((req, res) => { seen.push(`${req.method} ${req.url} ${req.headers.authorization ? '(with a token)' : ''}`); res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"value":[]}'); });
  const port = await listen(server, '127.0.0.2');
  return { origin: `http://127.0.0.2:${port}`, seen, close: () => close(server) };
}

/** Principals that all hold ReadWrite.All with opaque tokens. */
function principalsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'raa-third-party-'));
  const path = join(dir, 'principals.json');
  writeFileSync(path, JSON.stringify({ principals: [
    { name: 'app-rw', type: 'application', permissions: [RW], token: 'opaque-app-token' },
    { name: 'user-rw', type: 'delegated-work', permissions: [RW], token: 'opaque-user-token' },
  ] }), { mode: 0o600 });
  return path;
}

const principal: Principal = { name: 'app-rw', type: 'application', permissions: [RW], tokenState: 'valid', token: 'opaque-app-token' };

const run = (base: string, playwright: string[], env: Record<string, string> = {}) =>
  runSuite(['run', '--target', base, '--principals', principalsFile(), '--seed', '7', '--allow-writes', '--', ...playwright], { ...SHORT, ...env });

function failureOf(report: ConformanceReport | undefined, id: string): string {
  return report?.requirements.find((r) => r.id === id)?.tests.map((t) => (t.failure ? failureText(t.failure) : '')).join('\n') ?? '';
}

/** A run reached verdicts: it wrote its report and no test errored (exit 3 is "no verdict"). */
function reachedVerdicts(r: SuiteRun): void {
  expect(r.report, `the run writes conformance.json\n${explain(r)}`).toBeDefined();
  expect(r.report!.summary.errored ?? 0, `no test errored\n${explain(r)}`).toBe(0);
  expect(r.code, explain(r)).not.toBe(3);
}

test('a nextLink that is not a URL fails the list requirements with the link as evidence, and is never requested', async () => {
  const s = await standIn({ nextLink: 'string' });
  try {
    const r = await run(s.base, ['--grep', '@RAA-LIST-200|@RAA-LIST-CONTAINS']);
    reachedVerdicts(r);
    expect(statuses(r.report)['RAA-LIST-200'], explain(r)).toBe('failed');
    expect(failureOf(r.report, 'RAA-LIST-200')).toContain('"@odata.nextLink":"string"');
    // The $top test follows the link of a one-item page: it refuses to, and says why.
    expect(statuses(r.report)['RAA-LIST-CONTAINS'], explain(r)).toBe('failed');
    expect(failureOf(r.report, 'RAA-LIST-CONTAINS')).toMatch(/will not follow the link the target handed back: it is not an absolute URL[\s\S]*Received: "string"/);
    expect(s.paths.filter((p) => p !== COLLECTION && !ITEM.test(p)), 'no request outside the collection').toEqual([]);
  } finally {
    await s.close();
  }
});

test('a nextLink to another origin is never requested: no token leaves the target, and the list requirements fail', async () => {
  const other = await elsewhere();
  const link = `${other.origin}/beta/deviceManagement/remoteActionAudits?$skiptoken=2`;
  const s = await standIn({ nextLink: link });
  try {
    const r = await run(s.base, ['--grep', '@RAA-LIST-200|@RAA-LIST-CONTAINS|@RAA-MODEL']);
    expect(other.seen, 'requests that reached 127.0.0.2').toEqual([]);
    reachedVerdicts(r);
    for (const id of ['RAA-LIST-200', 'RAA-LIST-CONTAINS']) {
      expect(statuses(r.report)[id], `${id}\n${explain(r)}`).toBe('failed');
      expect(failureOf(r.report, id)).toContain(`it leads away from the target's origin ${new URL(s.base).origin} (to ${other.origin})`);
      expect(failureOf(r.report, id)).toContain(`Received: ${JSON.stringify(link)}`);
    }
  } finally {
    await s.close();
    await other.close();
  }
});

test('numeric ids: every create is counted, what is not removed is reported, and cleanup finds the rest in a bare-array list', async () => {
  // Every 4th create answers without its id; deletes of ids divisible by 5 are refused while the run lasts.
  const o: StandInOptions = { numericIds: true, unidentifiedEvery: 4, keep: (id) => Number(id) % 5 === 0 };
  const s = await standIn(o);
  try {
    const r = await run(s.base, ['tests/contract/read', 'tests/contract/delete']);
    reachedVerdicts(r);
    const records = r.report!.records!;
    expect(records.created, 'created counts every 2xx create').toBe(s.created());
    expect(records.created).toBeGreaterThan(0);
    // What the run says it left is exactly what is still on the target: the records it could not delete, by id,
    // and those whose create answer named none.
    const remaining = [...s.records.keys()];
    const marked = [...s.records.values()].filter((e) => String(e.deviceDisplayName ?? '').startsWith('raa-conformance/'));
    expect(marked.length, 'every record the run left carries its marker').toBe(remaining.length);
    const unidentified = records.left.filter((l) => l.startsWith('(unidentified record '));
    expect(unidentified.length, explain(r)).toBe(s.hidden.size);
    expect(unidentified[0]).toMatch(/^\(unidentified record \d+ from POST http:\/\/127\.0\.0\.1:\d+\/beta\/deviceManagement\/remoteActionAudits status 201, request-id \d+\)$/);
    expect(records.left.filter((l) => !l.startsWith('(')).sort(), explain(r)).toEqual(remaining.filter((id) => !s.hidden.has(id)).sort());
    expect(remaining.filter((id) => !s.hidden.has(id)).every((id) => Number(id) % 5 === 0), 'only refused deletes are left').toBe(true);
    expect(r.stdout).toContain(`records created ${records.created}, not removed ${records.left.length}`);

    // json-server lists as a bare array: cleanup reads it and finds every marked record, numeric ids included.
    o.bareArray = true;
    // The bare array is the target's defect, judged: not bad input (exit 2), but RAA-LIST-200 failed with the answer.
    const bare = await run(s.base, ['--grep', '@RAA-LIST-200']);
    expect(bare.code, explain(bare)).toBe(1);
    const list200 = bare.report!.requirements.find((q) => q.id === 'RAA-LIST-200')!;
    expect(list200.status).toBe('failed');
    expect(list200.tests.find((t) => t.location === 'preflight')?.failure?.received).toBe('200 with a bare JSON array');

    const cleanup = (...extra: string[]) => runCli(['cleanup', '--target', s.base, '--principals', principalsFile(), ...extra], { timeoutMs: 60_000 });
    const dry = await cleanup('--dry-run');
    expect(dry.code, `${dry.stdout}\n${dry.stderr}`).toBe(0);
    expect(dry.stdout).toContain(`${marked.length} record(s) carry the marker raa-conformance/`);
    for (const e of marked) expect(dry.stdout).toContain(`would delete ${String(e.id)}  raa-conformance/`);
    expect(s.records.size).toBeGreaterThanOrEqual(marked.length);

    o.keep = undefined;
    const real = await cleanup('--allow-writes');
    expect(real.code, `${real.stdout}\n${real.stderr}`).toBe(0);
    expect([...s.records.values()].filter((e) => String(e.deviceDisplayName ?? '').startsWith('raa-conformance/'))).toEqual([]);
  } finally {
    await s.close();
  }
});

test('creates all answered 404: the create schema and echo requirements do not pass', async () => {
  const s = await standIn({ postStatus: 404 });
  try {
    const r = await run(s.base, ['--grep', '@RAA-CREATE-201|@RAA-CREATE-SCHEMA|@RAA-CREATE-ECHO']);
    reachedVerdicts(r);
    expect(statuses(r.report)['RAA-CREATE-201'], explain(r)).toBe('failed');
    expect(statuses(r.report)['RAA-CREATE-SCHEMA'], explain(r)).not.toBe('passed');
    expect(statuses(r.report)['RAA-CREATE-ECHO'], explain(r)).not.toBe('passed');
    expect(r.report!.records!.created).toBe(0);
  } finally {
    await s.close();
  }
});

test.describe('cleanup reads what the target gives, and no further', () => {
  const find = async (target: string, maxPages?: number) => {
    const t = new Transport({ timeoutMs: 5_000 });
    try { return await findMarked(t, target, principal, 'raa-conformance/', maxPages); } finally { await t.close(); }
  };

  /** A target whose list answer is `answer(url)`; returns its base URL and the URLs requested. */
  async function lister(answer: (url: URL, base: string) => { status?: number; type?: string; body: string }) {
    const requested: string[] = [];
    let base = '';
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', base);
      requested.push(url.href);
      const a = answer(url, base);
      res.writeHead(a.status ?? 200, { 'Content-Type': a.type ?? 'application/json' }).end(a.body);
    });
    base = `http://127.0.0.1:${await listen(server, '127.0.0.1')}/beta`;
    return { base, requested, close: () => close(server) };
  }
  const entity = (id: unknown, name: string) => ({ id, deviceDisplayName: name });

  test('Graph pages, bare arrays, string and numeric ids', async () => {
    const graph = await lister((url, base) => ({ body: JSON.stringify(url.searchParams.has('$skiptoken')
      ? { value: [entity('b', 'raa-conformance/run/2'), entity(7, 'raa-conformance/run/3')] }
      : { value: [entity('a', 'raa-conformance/run/1'), entity('x', 'a real device'), null, entity({}, 'raa-conformance/odd id')], '@odata.nextLink': `${base}/deviceManagement/remoteActionAudits?$skiptoken=1` }) }));
    const bare = await lister(() => ({ body: JSON.stringify([entity(1, 'raa-conformance/run/1'), entity(2, 'device'), entity(3, 'raa-conformance/run/2')]) }));
    try {
      expect(await find(graph.base)).toEqual({ truncated: false, records: [{ id: 'a', name: 'raa-conformance/run/1' }, { id: 'b', name: 'raa-conformance/run/2' }, { id: '7', name: 'raa-conformance/run/3' }] });
      expect((await find(bare.base)).records.map((m) => m.id)).toEqual(['1', '3']);
    } finally {
      await graph.close();
      await bare.close();
    }
  });

  test('a list it cannot read is one plain line naming the URL and why', async () => {
    const cases: [string, { status?: number; type?: string; body: string }, RegExp][] = [
      ['a web page', { type: 'text/html', body: '<html>sign in</html>' }, /: the answer is not JSON \(text\/html, 20 characters\)$/],
      ['a refusal', { status: 403, body: JSON.stringify({ error: { code: 'Forbidden', message: 'no' } }) }, /: it answered 403 \(Forbidden\) where 200 is due$/],
      ['some other JSON', { body: JSON.stringify({ items: [] }) }, /: the answer is neither a JSON array nor an object with a "value" array$/],
      ['a nextLink that is no URL', { body: JSON.stringify({ value: [], '@odata.nextLink': 'string' }) }, /: its @odata.nextLink "string" is not followed: it is not an absolute URL$/],
    ];
    for (const [what, answer, why] of cases) {
      const t = await lister(() => answer);
      try {
        const err = await find(t.base).then(() => undefined, (e: unknown) => e);
        expect(err, what).toBeInstanceOf(ConfigError);
        expect((err as Error).message, what).toMatch(new RegExp(`^cannot read the list at ${t.base.replace(/[.]/g, '\\.')}/deviceManagement/remoteActionAudits${why.source}`));
        expect((err as Error).message, what).not.toContain('\n');
      } finally {
        await t.close();
      }
    }
  });

  test('a nextLink to another origin or back to a read page is not followed; an endless list stops at the bound', async () => {
    const other = await elsewhere();
    const away = await lister(() => ({ body: JSON.stringify({ value: [], '@odata.nextLink': `${other.origin}/beta/deviceManagement/remoteActionAudits` }) }));
    const loop = await lister((url) => ({ body: JSON.stringify({ value: [], '@odata.nextLink': url.href }) }));
    let n = 0;
    const endless = await lister((_url, base) => ({ body: JSON.stringify({ value: [entity(++n, `raa-conformance/run/${n}`)], '@odata.nextLink': `${base}/deviceManagement/remoteActionAudits?$skiptoken=${n}` }) }));
    try {
      await expect(find(away.base)).rejects.toThrow(`is not followed: it leads away from the target's origin ${new URL(away.base).origin} (to ${other.origin})`);
      expect(other.seen).toEqual([]);
      await expect(find(loop.base)).rejects.toThrow('its @odata.nextLink leads back to a page already read');
      expect(loop.requested).toHaveLength(1);
      const found = await find(endless.base, 5);
      expect(found.truncated).toBe(true);
      expect(found.records).toHaveLength(5);
      expect(endless.requested).toHaveLength(5);

      n = 0;
      const lines: string[] = [];
      expect(await removeMarked({ target: endless.base, principals: [principal], dryRun: true, maxPages: 3, write: (l) => lines.push(l) }), 'an unfinished list is not a clean exit').toBe(1);
      expect(lines).toEqual(['3 record(s) carry the marker raa-conformance/', 'the list goes on past 3 pages: records beyond them were not looked at; run cleanup again afterwards',
        '  would delete 1  raa-conformance/run/1', '  would delete 2  raa-conformance/run/2', '  would delete 3  raa-conformance/run/3', 'dry run: nothing deleted']);
    } finally {
      await Promise.all([other.close(), away.close(), loop.close(), endless.close()]);
    }
  });
});
