// The reference server's description of itself at $metadata: the contract as CSDL, generated from schemas/
// (src/metadata/csdl.ts contractCsdl), so what it serves and what it says it serves come from one source. Its defect modes
// break the description, not the behaviour it describes.
import type { ServerResponse } from 'node:http';
import { NEWER_PROPERTIES } from '../schemas/entity';
import { ENUMS, REMOTE_ACTION_NEWER, SENTINEL } from '../schemas/enums';
import { contractCsdl, type ContractDescription } from '../schemas/csdl';
import type { RequestContext } from './context';
import type { Defects } from './defects';

export const METADATA_PATH = '/$metadata';
const XML = 'application/xml;charset=utf-8';

/** Swaps two members of an enum's list in place. */
function swap(members: string[], a: string, b: string): void {
  const i = members.indexOf(a);
  const j = members.indexOf(b);
  if (i < 0 || j < 0) throw new Error(`cannot swap ${a} and ${b}: not both members`);
  [members[i], members[j]] = [members[j]!, members[i]!];
}

/** What the server describes: today's contract, less what a seed-built server refuses, with the defects' mistakes. */
function describe(d: ContractDescription, defects: Defects): void {
  const remoteAction = () => d.enums.find((e) => e.name === ENUMS.remoteAction.name)!.members;
  // A server built on the seed's contract (REFERENCE_CONTRACT=seed sets both) describes the seed's.
  if (defects.has('newer-properties-refused')) {
    d.properties = d.properties.filter((p) => !(NEWER_PROPERTIES as readonly string[]).includes(p.name));
    d.enums = d.enums.filter((e) => d.properties.some((p) => p.type.endsWith(`.${e.name}`)));
  }
  if (defects.has('newer-members-refused')) {
    const ra = d.enums.find((e) => e.name === ENUMS.remoteAction.name)!;
    ra.members = ra.members.filter((m) => !(REMOTE_ACTION_NEWER as readonly string[]).includes(m));
  }
  if (defects.has('metadata-property-missing')) d.properties = d.properties.filter((p) => p.name !== 'managedDeviceId');
  if (defects.has('metadata-wrong-type')) d.properties.find((p) => p.name === 'requestDateTime')!.type = 'Edm.String';
  if (defects.has('metadata-enum-reordered')) swap(remoteAction(), 'quickScan', 'fullScan');
  if (defects.has('metadata-navigation-uncontained')) d.navigation.containsTarget = false;
  if (defects.has('metadata-sentinel-misplaced')) {
    const members = remoteAction();
    members.splice(members.indexOf(SENTINEL), 1);
    members.push(SENTINEL);
  }
}

/** The document the server serves, with its defects. */
export function metadataDocument(defects: Defects): string {
  return contractCsdl({ edit: (d) => describe(d, defects) });
}

/** Writes the document: CSDL XML, with the ids every answer carries. Graph serves it without a token. */
export function sendMetadata(ctx: RequestContext, res: ServerResponse, xml: string): void {
  res.writeHead(200, {
    // The defect: the document goes out as a plain string, labelled with the framework's default.
    'Content-Type': ctx.defects.has('metadata-text-plain') ? 'text/plain; charset=utf-8' : XML, 'OData-Version': '4.0', 'Content-Length': Buffer.byteLength(xml),
    'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId,
  });
  res.end(xml);
}
