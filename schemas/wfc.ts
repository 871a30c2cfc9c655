// The Web Fuzzing Commons report schema (WebFuzzing/Commons, checked in verbatim as schemas/wfc/report.yaml and
// converted to schemas/wfc-report.schema.json): what wfc-report.json is validated against when it is written.
// It is compiled by an Ajv of its own: the schema is not ours to fix, and it applies `uniqueItems` to strings
// (namedExamples.items), which the contract's strict instance (schemas/contract.ts) refuses. Only strictTypes is
// relaxed; everything the suite writes itself still goes through the one strict instance.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => Ajv2020;
const COMPILED = import.meta.url.endsWith('.js');
const file = (name: string) => fileURLToPath(new URL(`${COMPILED ? '../../schemas/' : './'}${name}`, import.meta.url));

/** Where the checked-in files come from (schemas/wfc/PROVENANCE.json). */
export const WFC_SCHEMA_FILE = file('wfc-report.schema.json');
/** The Commons version (pom.xml) at the checked-in commit, which a report names in `schemaVersion`. */
export const WFC_SCHEMA_VERSION = '0.6.1-SNAPSHOT';

let validate: ValidateFunction | undefined;

/** The WFC report schema's validator, compiled on first use. */
export function wfcReportValidator(): ValidateFunction {
  if (validate) return validate;
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  validate = ajv.compile(JSON.parse(readFileSync(WFC_SCHEMA_FILE, 'utf8')) as object);
  return validate;
}

/** The fault codes the schema accepts (FaultCategoryId.code's anyOf): fault_categories.json has codes it does not. */
export function acceptedFaultCodes(): (code: number) => boolean {
  const schema = JSON.parse(readFileSync(WFC_SCHEMA_FILE, 'utf8')) as { $defs: { FaultCategoryId: { properties: { code: { anyOf: { minimum: number; maximum: number }[] } } } } };
  const ranges = schema.$defs.FaultCategoryId.properties.code.anyOf;
  return (code) => ranges.some((r) => code >= r.minimum && code <= r.maximum);
}
