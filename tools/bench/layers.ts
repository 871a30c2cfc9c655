// The reference server's layers timed one by one, in this process and without sockets, over the same valid
// create bodies as the load test: what each costs per request (µs), next to the server's CPU per request.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { toUtc } from '../../schemas/datetime';
import { JwtAuthenticator } from '../../server/index';
import { RequestContext } from '../../server/index';
import { NO_DEFECTS } from '../../server/index';
import { authorize } from '../../server/index';
import * as representation from '../../server/index';
import { Store } from '../../server/index';
import { TokenIssuer } from '../../server/index';
import { checkMediaType, parseJson, validateBody } from '../../server/index';

export interface LayerCost {
  layer: string;
  usPerRequest: number;
}

// Called loosely: the server's signatures move with its defects, and an extra argument is harmless.
const represent = representation.represent as unknown as (...args: unknown[]) => Record<string, unknown>;
const contextUrl = representation.contextUrl as unknown as (...args: unknown[]) => string;

const ROUTE = /^\/deviceManagement\/remoteActionAudits(?:\/([^/?]+)|\('([^')]+)'\))?\/?$/i;

/** Runs each layer over `bodies` round-robin for `iterations` requests and returns µs per request for each. */
export async function layerCosts(bodies: readonly string[], iterations: number): Promise<LayerCost[]> {
  const issuer = new TokenIssuer();
  const token = await issuer.mint({ type: 'application', permissions: ['DeviceManagementManagedDevices.ReadWrite.All'] });
  const auth = new JwtAuthenticator(issuer.key, NO_DEFECTS);
  const store = new Store(NO_DEFECTS, 50_000);
  const req = {
    url: '/beta/deviceManagement/remoteActionAudits', method: 'POST',
    headers: { host: '127.0.0.1:1234', authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
  } as unknown as IncomingMessage;
  const ctx = new RequestContext(req, NO_DEFECTS);
  const parsed = bodies.map((b) => parseJson(b, NO_DEFECTS));
  const valid = parsed.map((p) => validateBody('create', p, ctx, NO_DEFECTS));
  const records = valid.map((v) => store.create(v));
  const origin = 'http://127.0.0.1:1234/beta';
  const entities = records.map((r) => ({ '@odata.context': contextUrl(origin, true), ...represent(r, ctx, NO_DEFECTS, 'write') }));
  const texts = entities.map((e) => JSON.stringify(e));
  const n = bodies.length;
  const buffers = bodies.map((b) => Buffer.from(b, 'utf8'));
  const instants = valid.map((v) => (typeof v.requestDateTime === 'string' ? v.requestDateTime : '2017-01-01T00:00:00Z'));
  let sink = 0;
  const time = async (layer: string, fn: (i: number) => unknown): Promise<LayerCost> => {
    for (let i = 0; i < Math.min(iterations, 2_000); i++) { const r = fn(i % n); if (r instanceof Promise) await r; }
    const t = performance.now();
    for (let i = 0; i < iterations; i++) {
      const r = fn(i % n);
      if (r instanceof Promise) await r;
      sink++;
    }
    return { layer, usPerRequest: ((performance.now() - t) * 1000) / iterations };
  };
  const out: LayerCost[] = [];
  out.push(await time('RequestContext (randomUUID, headers)', () => new RequestContext(req, NO_DEFECTS)));
  out.push(await time('new URL + route regex', () => ROUTE.exec(new URL(req.url!, 'http://reference.invalid').pathname.slice(5))));
  out.push(await time('authenticate (cached JWT) + authorize', async () => authorize('create', await auth.authenticate(req.headers.authorization), NO_DEFECTS)));
  out.push(await time('checkMediaType', () => checkMediaType('application/json', NO_DEFECTS)));
  out.push(await time('utf8 decode of the request body', (i) => buffers[i]!.toString('utf8')));
  out.push(await time('JSON.parse of the request body', (i) => parseJson(bodies[i]!, NO_DEFECTS)));
  out.push(await time('validateBody (loosen, ajv, enum rules)', (i) => validateBody('create', parsed[i], ctx, NO_DEFECTS)));
  out.push(await time('store.create (normalise, toUtc, order, randomUUID, Map)', (i) => store.create(valid[i]!)));
  out.push(await time('  of which toUtc of requestDateTime', (i) => toUtc(instants[i]!)));
  out.push(await time('  of which randomUUID', () => randomUUID()));
  out.push(await time('represent + @odata.context', (i) => ({ '@odata.context': contextUrl(origin, true), ...represent(records[i]!, ctx, NO_DEFECTS, 'write') })));
  out.push(await time('JSON.stringify of the response', (i) => JSON.stringify(entities[i])));
  out.push(await time('utf8 encode of the response (Buffer.from)', (i) => Buffer.from(texts[i]!, 'utf8')));
  if (sink < 0) throw new Error('unreachable');
  return out;
}
