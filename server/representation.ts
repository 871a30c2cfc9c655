// How a stored record is shown to a client: evolvable-enum masking (GRAPH-FACTS §4), `@odata.context`,
// and the mapping from storage to the wire, where echo bugs would live.
import { ENUM_PROPERTIES, SENTINEL, isAfterSentinel } from '../schemas/enums';
import type { RequestContext } from './context';
import type { Defects } from './defects';
import type { StoredRecord } from './store';

export function represent(r: StoredRecord, ctx: RequestContext, defects: Defects): Record<string, unknown> {
  const out: Record<string, unknown> = { ...r };
  if (!ctx.includeUnknownEnumMembers && !defects.has('enum-tail-leaked')) {
    for (const [prop, e] of Object.entries(ENUM_PROPERTIES)) {
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
  return out;
}

export function contextUrl(base: string, entity: boolean): string {
  return `${base}/$metadata#deviceManagement/remoteActionAudits${entity ? '/$entity' : ''}`;
}
