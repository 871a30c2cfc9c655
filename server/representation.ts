// How a stored record is shown to a client: evolvable-enum masking (GRAPH-FACTS §4), `@odata.context`,
// and the mapping from storage to the wire, where echo bugs would live.
import { ENUM_PROPERTIES, SENTINEL, isAfterSentinel } from '../schemas/enums';
import { NEWER_PROPERTIES } from '../schemas/entity';
import type { RequestContext } from './context';
import type { Defects } from './defects';
import type { StoredRecord } from './store';

/** ENUM_PROPERTIES as entries, made once rather than per response. */
const ENUM_ENTRIES = Object.entries(ENUM_PROPERTIES);

/** `write`: the entity a create or update answers with; `read`: what get and list show. */
export type View = 'write' | 'read';

export function represent(r: StoredRecord, ctx: RequestContext, defects: Defects, view: View): Record<string, unknown> {
  const out: Record<string, unknown> = { ...r };
  // get-leaks-tail: the masking was written into the write path's serializer; the read path has its own without it.
  const masks = !defects.has('enum-tail-leaked') && !(view === 'read' && defects.has('get-leaks-tail'));
  if (!ctx.includeUnknownEnumMembers && masks) {
    for (const [prop, e] of ENUM_ENTRIES) {
      if (typeof out[prop] === 'string' && isAfterSentinel(e, out[prop] as string)) out[prop] = SENTINEL;
    }
  }
  if (defects.has('device-imei-dropped')) delete out.deviceIMEI;
  if (defects.has('user-name-from-initiator')) out.userName = out.initiatedByUserPrincipalName;
  if (defects.has('action-state-as-number')) out.actionState = ENUM_PROPERTIES.actionState.members.indexOf(out.actionState as string);
  if (defects.has('astral-characters-replaced')) {
    for (const [k, v] of Object.entries(out)) {
      if (typeof v === 'string') out[k] = v.replace(/[\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
    }
  }
  if (defects.has('id-missing')) delete out.id;
  // The read path's mapping was written from the seed's property list: today's additions vanish on get and list.
  if (view === 'read' && defects.has('read-drops-newer-properties')) for (const p of NEWER_PROPERTIES) delete out[p];
  // A server built from the seed never shows properties it does not know.
  if (defects.has('newer-properties-refused')) for (const p of NEWER_PROPERTIES) delete out[p];
  // A JSON serializer configured to ignore nulls: properties without a value disappear instead of reading null.
  if (defects.has('nulls-omitted')) for (const [k, v] of Object.entries(out)) if (v === null) delete out[k];
  return out;
}

/** `@odata.context` in front of an entity (`entity`) or a collection's properties. */
export function withContext(base: string, entity: boolean, body: Record<string, unknown>, defects: Defects): Record<string, unknown> {
  // A hand-rolled serializer that never learned OData annotations.
  if (defects.has('odata-context-missing')) return body;
  return { '@odata.context': contextUrl(base, entity), ...body };
}

export function contextUrl(base: string, entity: boolean): string {
  return `${base}/$metadata#deviceManagement/remoteActionAudits${entity ? '/$entity' : ''}`;
}
