// In-memory records, bounded: the oldest are evicted past `capacity`, so a long run cannot exhaust memory.
import { randomUUID } from 'node:crypto';
import { toUtc } from '../src/datetime';
import { SEED_PROPERTIES, NEWER_PROPERTIES, STRING_PROPERTIES } from '../schemas/entity';
import type { Defects } from './defects';
import type { Body } from './validate';

export type StoredRecord = Record<string, unknown> & { id: string };

/** Property order in responses: id, the seed's properties, then today's additions. */
const PROPERTY_ORDER = ['id', ...SEED_PROPERTIES, ...NEWER_PROPERTIES] as const;

/** Graph's defaults for what a create leaves out: the first enum member, the zero instant, null strings. */
const DEFAULTS: Record<string, unknown> = {
  action: 'unknown', actionState: 'none', deviceActionCategory: 'single', requestDateTime: '0001-01-01T00:00:00Z',
  ...Object.fromEntries(STRING_PROPERTIES.map((p) => [p, null])),
};

const MAX_STRING = 1024;

export class Store {
  private readonly records = new Map<string, StoredRecord>();

  constructor(private readonly defects: Defects, private readonly capacity = 50_000) {}

  get size(): number {
    return this.records.size;
  }

  private newId(): string {
    // The defect: ids derived from the clock's second, so two creates in one second collide.
    if (this.defects.has('id-reused')) {
      const s = Math.floor(Date.now() / 1000).toString(16).padStart(12, '0');
      return `00000000-0000-4000-8000-${s}`;
    }
    return randomUUID();
  }

  private normalise(body: Body): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) {
      if (k === '@odata.type' || k === 'id') continue;
      out[k] = v;
    }
    if (typeof out.requestDateTime === 'string') {
      out.requestDateTime = this.defects.has('datetime-millisecond-precision')
        ? new Date(out.requestDateTime).toISOString()
        : toUtc(out.requestDateTime);
    }
    if (this.defects.has('long-strings-truncated')) {
      for (const p of STRING_PROPERTIES) {
        const v = out[p];
        if (typeof v === 'string' && v.length > MAX_STRING) out[p] = v.slice(0, MAX_STRING);
      }
    }
    if (this.defects.has('empty-string-stored-as-null')) {
      for (const p of STRING_PROPERTIES) if (out[p] === '') out[p] = null;
    }
    return out;
  }

  private ordered(r: Record<string, unknown>): StoredRecord {
    const o: Record<string, unknown> = {};
    for (const k of PROPERTY_ORDER) o[k] = k in r ? r[k] : DEFAULTS[k];
    return o as StoredRecord;
  }

  create(body: Body): StoredRecord {
    // The defect: a lookup of the target device built by string concatenation breaks on an apostrophe.
    if (this.defects.has('apostrophe-in-device-id-crashes') && typeof body.managedDeviceId === 'string' && body.managedDeviceId.includes("'")) {
      throw new Error(`syntax error near '${body.managedDeviceId}'`);
    }
    const record = this.ordered({ ...this.normalise(body), id: this.newId() });
    this.records.set(record.id, record);
    if (this.records.size > this.capacity) this.records.delete(this.records.keys().next().value!);
    return record;
  }

  get(id: string): StoredRecord | undefined {
    return this.records.get(id);
  }

  update(id: string, body: Body): StoredRecord | undefined {
    const current = this.records.get(id);
    if (!current) return undefined;
    const next = this.ordered({ ...current, ...this.normalise(body), id });
    this.records.set(id, next);
    return next;
  }

  delete(id: string): boolean {
    return this.records.delete(id);
  }

  /** A page of records in creation order, and whether more follow. */
  page(skip: number, top: number): { items: StoredRecord[]; more: boolean } {
    const items: StoredRecord[] = [];
    let i = 0;
    for (const r of this.records.values()) {
      if (i++ < skip) continue;
      if (items.length === top) return { items, more: true };
      items.push(r);
    }
    return { items, more: false };
  }
}
