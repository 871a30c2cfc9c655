// One side of a comparison: the stream's steps sent through the suite's transport (rate limit, 429/503 waited out,
// timeouts) as this side's own principals, its records resolved from handles to its own ids, every record it
// creates marked with the run's marker so `cleanup` can find it.
import { COLLECTION, entityId } from '../contract';
import { linkProblem } from '../checks/checks';
import { Inconclusive } from '../core/outcomes';
import { Transport, TransportError, type Exchange } from '../transport/http';
import type { Principal } from '../auth/principals';
import type { BatchMember, Step } from './stream';

export interface Observation {
  step: Step;
  /** Every page of a list; one exchange otherwise; none when the request failed without an answer. */
  exchanges: Exchange[];
  /** A request that got no HTTP answer, or only "try later" past the budget. */
  error?: string;
}

/** An id no side holds (a record that was never created on this side is addressed by one like it). */
const unknownId = (k: number) => `00000000-0000-4000-8000-${String(k < 0 ? 0xc0de : k).padStart(12, '0')}`;
const MAX_PAGES = 50;

/** The same key in other casing (a surface row's `{own-swapcase}`). */
const swapCase = (id: string) => [...id].map((ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase())).join('');

export class Side {
  /** handle → this side's id. */
  readonly ids = new Map<number, string>();
  /** this side's id (lower case) → the first handle it was given. */
  private readonly handles = new Map<string, number>();

  constructor(readonly label: string, readonly base: string, readonly principals: ReadonlyMap<string, Principal>,
    readonly transport: Transport, readonly marker: string) {}

  /** The handle of one of this side's ids ('record #k'), if this run created it. */
  handleOf(id: string): number | undefined {
    return this.handles.get(id.toLowerCase());
  }

  private token(as: string): string | undefined {
    const tampered = as.startsWith('tampered:');
    const p = this.principals.get(tampered ? as.slice('tampered:'.length) : as);
    if (!p) return undefined;
    // A signature that no longer matches: its last characters changed.
    return tampered ? `${p.token.slice(0, -6)}${p.token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA'}` : p.token;
  }

  private url(step: Step): string {
    if (step.target === 'metadata') return `${this.base}/$metadata`;
    if (step.target === 'collection' && step.path === undefined) return `${this.base}${COLLECTION}${step.query ? `?${step.query}` : ''}`;
    const k = step.record ?? -1;
    const id = this.ids.get(k) ?? unknownId(k);
    if (step.path !== undefined) {
      const path = step.path.replace('{own-swapcase}', encodeURIComponent(swapCase(id))).replace('{own}', encodeURIComponent(id));
      return `${this.base}${COLLECTION}${path}${step.query ? `?${step.query}` : ''}`;
    }
    return `${this.base}${COLLECTION}/${encodeURIComponent(id)}`;
  }

  private body(step: Step): string | undefined {
    if (step.raw !== undefined) return step.raw;
    if (step.json === undefined) return undefined;
    let json = step.json;
    if (step.idOf !== undefined && typeof json === 'object' && json !== null) json = { ...json, id: this.ids.get(step.idOf) ?? unknownId(step.idOf) };
    // Whatever a create sends is marked, also a body meant to be refused: a target that accepts it can be cleaned.
    if (step.method === 'POST' && typeof json === 'object' && json !== null && !Array.isArray(json)) {
      const name = (json as Record<string, unknown>).deviceDisplayName;
      json = { ...json, deviceDisplayName: `${this.marker}${typeof name === 'string' ? name : ''}` };
    }
    return JSON.stringify(json);
  }

  private headers(step: Step): Record<string, string> {
    const h: Record<string, string> = { Accept: 'application/json', 'client-request-id': `compare-step-${step.index}` };
    if (step.as !== null) {
      const token = this.token(step.as);
      if (token) h.Authorization = `Bearer ${token}`;
    }
    if (step.json !== undefined || step.raw !== undefined) h['Content-Type'] = step.contentType ?? 'application/json';
    for (const [k, v] of Object.entries(step.headers ?? {})) {
      // A header the step sets replaces the default whatever its case; null sends none.
      for (const d of Object.keys(h)) if (d.toLowerCase() === k.toLowerCase()) delete h[d];
      if (v !== null) h[k] = v;
    }
    return h;
  }

  /**
   * A batch: its members sent at once (after a read of the step's record when `readFirst`); the exchanges are the
   * read, then the members' answers in the batch's order.
   */
  private async sendBatch(step: Step, batch: BatchMember[]): Promise<Observation> {
    const exchanges: Exchange[] = [];
    const as = (m: BatchMember): Step => ({ index: step.index, kind: step.kind, as: step.as, ...m });
    const one = (s: Step) => {
      const body = this.body(s);
      return this.transport.send({ method: s.method, url: this.url(s), headers: this.headers(s), ...(body !== undefined ? { body } : {}) });
    };
    try {
      if (step.readFirst) exchanges.push(await one(as({ method: 'GET', target: 'item', record: step.record ?? -1 })));
      const answers = await Promise.all(batch.map((m) => one(as(m))));
      exchanges.push(...answers);
      batch.forEach((m, i) => this.learn(as(m), answers[i]));
    } catch (e) {
      if (!(e instanceof TransportError || e instanceof Inconclusive)) throw e;
      return { step, exchanges, error: e.message };
    }
    return { step, exchanges };
  }

  /** Sends one step (a list: every page, following @odata.nextLink within the side's origin; a batch: at once). */
  async send(step: Step): Promise<Observation> {
    if (step.batch) return this.sendBatch(step, step.batch);
    const exchanges: Exchange[] = [];
    try {
      let url: string | undefined = this.url(step);
      const headers = this.headers(step);
      const body = this.body(step);
      for (let page = 0; url && page < MAX_PAGES; page++) {
        const ex = await this.transport.send({ method: step.method, url, headers, ...(body !== undefined && page === 0 ? { body } : {}) });
        exchanges.push(ex);
        const next = step.method === 'GET' && step.target === 'collection' && !step.onePage && ex.status === 200 ? (ex.json as Record<string, unknown> | undefined)?.['@odata.nextLink'] : undefined;
        url = next !== undefined && !linkProblem(next, this.base) ? (next as string) : undefined;
      }
    } catch (e) {
      if (!(e instanceof TransportError || e instanceof Inconclusive)) throw e;
      return { step, exchanges, error: e.message };
    }
    this.learn(step, exchanges[0]);
    return { step, exchanges };
  }

  /** A create's answer gives its handle this side's id. */
  private learn(step: Step, ex: Exchange | undefined): void {
    if (step.creates === undefined || !ex || ex.status < 200 || ex.status > 299) return;
    const id = entityId(ex.json);
    if (id === undefined) return;
    this.ids.set(step.creates, id);
    if (!this.handles.has(id.toLowerCase())) this.handles.set(id.toLowerCase(), step.creates);
  }
}
