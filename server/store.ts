// In-memory records, bounded: the oldest are evicted past `capacity`, so a long run cannot exhaust memory.
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { formatUtc, parseInstant, toUtc } from '../schemas/datetime';
import { SEED_PROPERTIES, NEWER_PROPERTIES, STRING_PROPERTIES } from '../schemas/entity';
import type { Defects } from './defects';
import { badRequest } from './errors';
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

const TICKS_PER_SECOND = 10_000_000n;
/** 1753-01-01T00:00:00Z, the first instant a SQL Server `datetime` column holds, as ticks since 1970. */
const SQL_DATETIME_MIN_TICKS = -6847804800n * TICKS_PER_SECOND;

/**
 * A round trip to the database between a read and the write that depends on it: a few milliseconds, as a real one
 * takes. Only the race defects take one, so that each shows only when requests overlap, as the real bug does; a
 * window of one event-loop turn (setImmediate) was missed under load, when overlapping requests arrived apart.
 */
const ROUND_TRIP_MS = 15;
const roundTrip = () => new Promise<void>((resolve) => setTimeout(resolve, ROUND_TRIP_MS));

/** The n-th id of a sequence, shaped as a GUID as Graph's ids are. */
const sequentialId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export class Store {
  private readonly records = new Map<string, StoredRecord>();
  /** Ids deleted softly (only with the delete-soft defect; otherwise a delete removes the record). */
  private readonly deleted = new Set<string>();
  /** A read cache in front of the records, as a real service has; only the stale-cache defect needs one. */
  private readonly cache?: Map<string, StoredRecord>;
  /**
   * Each record's position in creation order, the key a skip token names: a page starts after a position, so
   * records created or deleted by others between two pages never shift the rest of a list (as an offset would).
   */
  private readonly position = new Map<string, number>();
  private lastPosition = 0;
  /**
   * The records' keys in insertion order, kept across evictions: everything before it has been evicted, so its next
   * key is the oldest record. `records.keys().next()` would be the same key, but a fresh iterator walks over every
   * deleted entry V8 still keeps at the front of the Map (about 20 µs per create at 50,000 records). Held only
   * while evicting: an idle iterator pins every backing table the Map outgrows, and with it every record that
   * ever passed through (about 100 MB over a 10,000-run suite, bench figure 4c). A delete lets it go.
   */
  private oldest?: Iterator<string>;
  /** A listing table the list is read from, apart from the records; only the deleted-still-listed defect has one. */
  private readonly listing?: Map<string, StoredRecord>;
  /** The next value of the id sequence (only concurrent-create-id-race draws ids from one); each table's starts apart. */
  private sequence = randomInt(2 ** 40);

  constructor(private readonly defects: Defects, private readonly capacity = 50_000) {
    if (defects.has('get-serves-stale-cache')) this.cache = new Map();
    if (defects.has('deleted-still-listed')) this.listing = new Map();
  }

  get size(): number {
    return this.records.size;
  }

  private newId(body: Body): string {
    // The defect: an id derived from the audit's natural key (device, action, time) to make retries idempotent,
    // so two audits of the same action on the same device at the same time share one id and one record.
    if (this.defects.has('id-reused')) {
      const h = createHash('sha256').update(JSON.stringify([body.managedDeviceId ?? null, body.action ?? null, body.requestDateTime ?? null])).digest('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
    }
    return randomUUID();
  }

  private normalise(body: Body): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) {
      if (k === '@odata.type' || k === 'id') continue;
      // The defect: the storage schema predates today's additions, so their values are never written.
      if (this.defects.has('newer-properties-ignored') && (NEWER_PROPERTIES as readonly string[]).includes(k)) continue;
      out[k] = v;
    }
    if (typeof out.requestDateTime === 'string') out.requestDateTime = this.instant(out.requestDateTime);
    if (this.defects.has('long-strings-truncated')) {
      for (const p of STRING_PROPERTIES) {
        const v = out[p];
        if (typeof v === 'string' && v.length > MAX_STRING) out[p] = v.slice(0, MAX_STRING);
      }
    }
    if (this.defects.has('empty-string-stored-as-null')) {
      for (const p of STRING_PROPERTIES) if (out[p] === '') out[p] = null;
    }
    if (this.defects.has('strings-nfc-normalised')) {
      for (const p of STRING_PROPERTIES) if (typeof out[p] === 'string') out[p] = (out[p] as string).normalize('NFC');
    }
    // An ORM convention that trims what it writes: leading and trailing white space is lost.
    if (this.defects.has('strings-trimmed')) {
      for (const p of STRING_PROPERTIES) if (typeof out[p] === 'string') out[p] = (out[p] as string).trim();
    }
    return out;
  }

  /** requestDateTime as stored: the same instant in UTC at 100 ns precision, unless a deviation says otherwise. */
  private instant(text: string): string | undefined {
    // Through a millisecond Date: the 4th to 7th fractional digits are lost.
    if (this.defects.has('datetime-millisecond-precision')) return new Date(text).toISOString();
    // Stored as the client wrote it, offset and all.
    if (this.defects.has('datetime-offset-preserved')) return text;
    // An offset parser that reads the hours and drops the minutes: +05:30 is taken as +05:00.
    if (this.defects.has('datetime-offset-minutes-ignored')) return toUtc(text.replace(/([+-]\d{2}):\d{2}$/, '$1:00'));
    const utc = parseInstant(text);
    // The validator lets through only instants in range; with datetime-offset-overflow-500 it checks the pattern
    // alone, and this conversion throws as .NET's DateTimeOffset.UtcDateTime does: an unhandled 500.
    if (!utc) throw new RangeError('The UTC time represented when the offset is applied must be between year 0 and 10,000.');
    // A SQL Server `datetime` column: the conversion from datetime2 fails before 1753, and the service answers 400.
    if (this.defects.has('datetime-sql-datetime-range') && utc.ticks < SQL_DATETIME_MIN_TICKS) {
      throw badRequest('The conversion of a datetime2 data type to a datetime data type resulted in an out-of-range value.');
    }
    // A 32-bit Unix time with the fraction kept apart: seconds outside 1901-12-13..2038-01-19 wrap around.
    // A PostgreSQL `timestamptz` column holds microseconds: the 7th fractional digit (the last 100 ns tick) is lost.
    if (this.defects.has('datetime-microsecond-precision')) {
      const cut = utc.ticks - (((utc.ticks % 10n) + 10n) % 10n);
      return formatUtc({ ticks: cut, subTick: '' });
    }
    if (this.defects.has('datetime-unix-32bit')) {
      const fraction = ((utc.ticks % TICKS_PER_SECOND) + TICKS_PER_SECOND) % TICKS_PER_SECOND;
      const seconds = BigInt.asIntN(32, (utc.ticks - fraction) / TICKS_PER_SECOND);
      return formatUtc({ ticks: seconds * TICKS_PER_SECOND + fraction, subTick: utc.subTick });
    }
    return formatUtc(utc);
  }

  private ordered(r: Record<string, unknown>): StoredRecord {
    const o: Record<string, unknown> = {};
    for (const k of PROPERTY_ORDER) o[k] = k in r ? r[k] : DEFAULTS[k];
    return o as StoredRecord;
  }

  /** `create` as the server runs it, where a real store awaits its database. */
  async createAwaited(body: Body): Promise<StoredRecord> {
    if (!this.defects.has('concurrent-create-id-race')) return this.create(body);
    // The defect: ids come from a sequence kept as a counter row that is read, then written back one higher after
    // a round trip, so two creates that overlap read the same value and the second record overwrites the first.
    const n = this.sequence;
    await roundTrip();
    this.sequence = n + 1;
    return this.create(body, sequentialId(n));
  }

  create(body: Body, id?: string): StoredRecord {
    // The defect: the lookup of the target device, a filter built by concatenating its id and its owner's UPN
    // (O'Brien@contoso.com is a real UPN), breaks on an apostrophe: a 500.
    if (this.defects.has('apostrophe-in-device-id-crashes')) {
      const filter = `managedDeviceId eq '${String(body.managedDeviceId ?? '')}' and owner eq '${String(body.deviceOwnerUserPrincipalName ?? '')}'`;
      if ((filter.match(/'/g) ?? []).length !== 4) throw new Error(`syntax error in filter: ${filter.slice(0, 200)}`);
    }
    const record = this.ordered({ ...this.normalise(body), id: id ?? this.newId(body) });
    this.put(record);
    if (this.records.size > this.capacity) this.evict(this.nextOldest());
    return record;
  }

  get(id: string): StoredRecord | undefined {
    if (this.cache) {
      const hit = this.cache.get(id);
      if (hit) return hit;
    }
    // Deliberately not `live(id)`: with delete-soft, this by-id read is the one that forgets the tombstone.
    const record = this.records.get(id);
    // The defect: the lookup answers a default-constructed entity for an id it does not hold.
    if (!record) return this.defects.has('get-unknown-id-200') ? this.ordered({ id }) : undefined;
    this.cache?.set(id, record);
    return record;
  }

  /** `update` as the server runs it, where a real store awaits its database. */
  async updateAwaited(id: string, body: Body, key?: string): Promise<StoredRecord | undefined> {
    const loaded = this.defects.has('concurrent-patch-lost-update') ? this.live(id) : undefined;
    if (!loaded) return this.update(id, body, key);
    // The defect: the whole record is read, merged in memory and written back after a round trip, so a PATCH of
    // other properties that ran in between is overwritten with the values read before it (a lost update).
    const next = this.ordered({ ...loaded, ...this.normalise(body), id });
    await roundTrip();
    if (this.live(id)) this.write(id, next);
    return next;
  }

  /**
   * Merges `body` into the record; undefined when there is none. Returns the record as it is now. `key` is an id
   * the PATCH body carried: the key is immutable, so only a defect looks at it.
   */
  update(id: string, body: Body, key?: string): StoredRecord | undefined {
    // The defect: the record to write is looked up by the body's id when it has one, and by the URL's otherwise.
    if (key !== undefined && this.defects.has('update-id-overwrites')) id = key;
    const current = this.live(id);
    if (!current) {
      // The defect: PATCH implemented as an upsert, so an unknown id is created rather than answered 404.
      if (!this.defects.has('update-upserts')) return undefined;
      const made = this.ordered({ ...this.normalise(body), id });
      this.put(made);
      return made;
    }
    // The defect: PATCH treated as PUT, so every property not sent falls back to its default.
    const base = this.defects.has('update-replaces-record') ? {} : current;
    // The defect: the merge copies the body's id too, so the record moves to that key (over any record there).
    const to = key !== undefined && this.defects.has('update-id-applied') ? key : id;
    const next = this.ordered({ ...base, ...this.normalise(body), id: to });
    if (to === id) this.write(id, next);
    else { this.evict(id); this.put(next); }
    // The defect: the read cache is filled on create and on read, but an update forgets to evict it.
    if (!this.defects.has('get-serves-stale-cache')) this.cache?.delete(id);
    // The defect: the handler answers with the entity it loaded before the merge.
    return this.defects.has('update-returns-stale') ? current : next;
  }

  /** `delete` as the server runs it, where a real store awaits its database. */
  async deleteAwaited(id: string): Promise<boolean> {
    // The defect: the delete first resets the record's columns (a cascade over what hangs off it), and removes the
    // row only after a round trip, so a get in between answers a record with every property at its default.
    if (this.defects.has('concurrent-delete-blanks-first') && this.live(id)) {
      this.write(id, this.ordered({ id }));
      this.cache?.delete(id);
      await roundTrip();
    }
    return this.delete(id);
  }

  delete(id: string): boolean {
    const existed = this.live(id) !== undefined;
    this.cache?.delete(id);
    this.oldest = undefined;
    // The defect: a soft delete sets a tombstone that the by-id read never consults.
    if (this.defects.has('delete-soft')) {
      if (existed) this.deleted.add(id);
    } else {
      this.records.delete(id);
      // The defect: the listing table is written on create and update, but a delete forgets it.
      if (!this.listing) this.position.delete(id);
    }
    // The defect: the affected-row count is ignored, so deleting nothing also reports success.
    return existed || this.defects.has('delete-unknown-id-204');
  }

  /**
   * A page of at most `top` records in creation order, those after the position `after` (0: from the first), and
   * the skip token of the next page when more follow: the position of this page's last record.
   */
  page(after: number, top: number): { items: StoredRecord[]; next?: number } {
    const items: StoredRecord[] = [];
    // The defect: the next page's query reads the rows from the token on (>=) instead of after it, so each page
    // starts again with the last record of the one before.
    // own-pages-repeat-record: the same, in a handler that pages only at its own size (it never binds $top).
    const from = this.defects.has('nextlink-repeats-record') || this.defects.has('own-pages-repeat-record') ? after - 1 : after;
    for (const r of (this.listing ?? this.records).values()) {
      if (this.deleted.has(r.id) || this.position.get(r.id)! <= from) continue;
      if (items.length === top) {
        // The defect: the query fetches exactly `top` rows, so it can never tell that more follow.
        if (this.defects.has('list-first-page-only')) return { items };
        // The defect: the query reads one row more than `top` to tell that more follow, and the token is taken
        // from that extra row (the next page's first) instead of this page's last: an off-by-one that loses it.
        // own-pages-skip-record: the same, in a handler that pages only at its own size (it never binds $top).
        const last = this.defects.has('nextlink-skips-record') || this.defects.has('own-pages-skip-record') ? r : items[items.length - 1]!;
        return { items, next: this.position.get(last.id)! };
      }
      items.push(r);
    }
    return { items };
  }

  /** The record unless it is absent or deleted. */
  private live(id: string): StoredRecord | undefined {
    return this.deleted.has(id) ? undefined : this.records.get(id);
  }

  /** Replaces the record under `id` where it stands (and in the listing, which has no order of its own to keep). */
  private write(id: string, record: StoredRecord): void {
    this.records.set(id, record);
    this.listing?.set(id, record);
  }

  private put(record: StoredRecord): void {
    this.deleted.delete(record.id);
    this.records.delete(record.id);
    this.records.set(record.id, record);
    this.listing?.delete(record.id);
    this.listing?.set(record.id, record);
    // Appended last, so positions rise in the records' iteration order.
    this.position.set(record.id, ++this.lastPosition);
    this.cache?.set(record.id, record);
  }

  private nextOldest(): string {
    let next = (this.oldest ??= this.records.keys()).next();
    // An iterator that has run out sees no later keys: start again from the first.
    if (next.done) next = (this.oldest = this.records.keys()).next();
    return next.value as string;
  }

  private evict(id: string): void {
    this.records.delete(id);
    this.listing?.delete(id);
    this.position.delete(id);
    this.deleted.delete(id);
    this.cache?.delete(id);
  }
}

/**
 * The records of every tenant, a table each (GRAPH-FACTS §11): a request reaches only its token's tenant, so a
 * record of another tenant is simply not found and never listed.
 */
export class TenantStores {
  private readonly tables = new Map<string, Store>();

  constructor(private readonly defects: Defects, private readonly capacity?: number) {}

  /** The table of `tenant`, made on its first request. */
  of(tenant: string): Store {
    // The defect: the tenant is never part of the key, so every tenant reads and writes one shared table.
    const key = this.defects.has('tenant-isolation-dropped') ? '' : tenant;
    let table = this.tables.get(key);
    if (!table) this.tables.set(key, (table = new Store(this.defects, this.capacity)));
    return table;
  }
}
