// The bench's server child: the reference server (or a bare node:http server answering a constant 201) in a
// process of its own, started from an esbuild bundle rather than through a TypeScript loader. It prints one JSON
// line ({ url, token, pid }) once listening, then answers line commands on stdin: `stats` (store size and peak
// RSS as one JSON line) and `exit`. It exits when stdin closes, so it never outlives the bench.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { NO_DEFECTS, ReferenceServer, RequestContext, Store, contextUrl, parseJson, readBody, represent, validateBody } from '../../server/index';
import { procStatusKb } from './helpers';
import { readFileSync } from 'node:fs';

/** What the bare server answers: a constant entity of the same shape the reference server returns. */
export const BARE_BODY = JSON.stringify({
  '@odata.context': 'http://127.0.0.1/beta/$metadata#deviceManagement/remoteActionAudits/$entity',
  id: '2a4c1f0e-6a42-4e1b-9c86-2f0a5b8d1e77', deviceDisplayName: 'raa-conformance/bench/device', userName: 'Jane Doe',
  initiatedByUserPrincipalName: 'jane@contoso.example', action: 'factoryReset', requestDateTime: '2017-01-01T08:03:07.1589002Z',
  deviceOwnerUserPrincipalName: 'john@contoso.example', deviceIMEI: '350000000000000', actionState: 'pending',
  managedDeviceId: '7f9b8e2e-0000-4000-8000-000000000001', deviceActionCategory: 'single', bulkDeviceActionId: null,
});

const MODES = ['bare', 'echo', 'json', 'upto-send', 'upto-validate', 'upto-store'] as const;
type LayerMode = Extract<(typeof MODES)[number], `upto-${string}`>;

/**
 * The reference server's own layers, stacked one at a time, under the same load (figure 2j): its RequestContext,
 * body reading, parseJson and send (upto-send); then validateBody (upto-validate); then store.create and the
 * representation (upto-store). The whole server adds routing, authentication, authorisation and its headers.
 */
function layersUpTo(mode: LayerMode): (req: IncomingMessage, res: ServerResponse) => void {
  const store = new Store(NO_DEFECTS);
  const origin = 'http://127.0.0.1/beta';
  const json = { 'Content-Type': 'application/json' };
  return (req, res) => {
    const ctx = new RequestContext(req, NO_DEFECTS);
    void (async () => {
      const parsed = parseJson(await readBody(req), NO_DEFECTS);
      if (mode === 'upto-send') return ctx.send(res, 201, parsed, json);
      const body = validateBody('create', parsed, ctx, NO_DEFECTS);
      if (mode === 'upto-validate') return ctx.send(res, 201, body, json);
      ctx.send(res, 201, { '@odata.context': contextUrl(origin, true), ...represent(store.create(body), ctx, NO_DEFECTS, 'write') }, json);
    })().catch((e: unknown) => { res.writeHead(500); res.end(String(e)); });
  };
}

async function main(): Promise<void> {
  const mode = MODES.find((m) => process.argv.includes(`--${m}`)) ?? 'reference';
  const portArg = process.argv[process.argv.indexOf('--port') + 1];
  const port = process.argv.includes('--port') ? Number(portArg) : 0;
  let url: string;
  let token = '';
  let storeSize: () => number = () => 0;
  let close: () => Promise<void>;
  if (mode === 'reference') {
    const server = new ReferenceServer();
    url = await server.listen(port);
    token = await server.issuer.mint({ type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.All'], name: 'bench', lifetime: 3600 });
    storeSize = () => server.store.size;
    close = () => server.close();
  } else {
    const constant = Buffer.from(BARE_BODY);
    const server = createServer({ keepAliveTimeout: 30_000 }, mode.startsWith('upto-') ? layersUpTo(mode as LayerMode) : (req: IncomingMessage, res: ServerResponse) => {
      // Read the request body as the reference server does, then answer a constant 201 (bare) or the request
      // body itself (echo: the same bytes a create echoes, without parsing, validation or storage), or the body
      // decoded, parsed, serialised and encoded again (json: the least any server that reads JSON has to do).
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => { if (mode !== 'bare') chunks.push(c); });
      req.on('end', () => {
        const body = mode === 'echo' ? Buffer.concat(chunks)
          : mode === 'json' ? Buffer.from(JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8'))), 'utf8') : constant;
        res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': body.length });
        res.end(body);
      });
    });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', () => resolve()); });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/beta`;
    close = () => { server.closeAllConnections(); return new Promise<void>((r) => server.close(() => r())); };
  }
  process.stdout.write(JSON.stringify({ mode, url, token, pid: process.pid }) + '\n');
  const rl = createInterface({ input: process.stdin });
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    rl.close();
    await close();
    process.exit(0);
  };
  rl.on('line', (line) => {
    const cmd = line.trim();
    if (cmd === 'stats') {
      const status = readFileSync('/proc/self/status', 'utf8');
      process.stdout.write(JSON.stringify({ storeSize: storeSize(), vmHwmKb: procStatusKb(status, 'VmHWM'), vmRssKb: procStatusKb(status, 'VmRSS'), heapUsed: process.memoryUsage().heapUsed }) + '\n');
    } else if (cmd === 'exit') void stop();
  });
  rl.on('close', () => void stop());
}

main().catch((e) => {
  process.stderr.write(`bench server: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
