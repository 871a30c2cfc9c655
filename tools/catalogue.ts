// `npm run catalogue`: what is generated from the defect catalogue (fixtures/defects.json) and the requirement
// catalogue: the type of defect names the server's code is checked against (server/defect-names.ts) and the fault
// model's tables (docs/FAULT-MODEL.md, between their markers). Nothing reads them back: tests/self/catalogue.spec.ts
// compares each with what this renders and names this command when one is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, loadDefectsFile, requirementsById } from '../schemas/contract';
import { FAULT_LAYERS, type DefectsFile, type Fault } from '../schemas/defects';

export const DEFECT_NAMES_FILE = join(ROOT, 'server', 'defect-names.ts');
export const FAULT_MODEL_FILE = join(ROOT, 'docs', 'FAULT-MODEL.md');
export const REGENERATE = 'npm run catalogue';

/** server/defect-names.ts: the catalogue's names as a literal tuple, so `defects.has('…')` is checked by the compiler. */
export function renderDefectNames(file: DefectsFile = loadDefectsFile()): string {
  const names = file.defects.map((d) => `  '${d.name}',`).join('\n');
  return `// Generated from fixtures/defects.json by \`${REGENERATE}\` (tools/catalogue.ts): do not edit.\nexport const DEFECT_NAMES = [\n${names}\n] as const;\n`;
}

const cell = (t: string) => t.replace(/\|/g, '\\|');

/** One row: the requirements' level and WFC code come from the requirement catalogue, never typed twice. */
function row(f: Fault): string {
  const reqs = f.requirements.map((id) => requirementsById.get(id)).filter((r) => r !== undefined);
  const levels = [...new Set(reqs.map((r) => `${r.level}${r.tentative ? ' (tentative)' : ''}`))].join(', ') || '–';
  const wfc = [...new Set(reqs.flatMap((r) => (r.wfc !== undefined ? [String(r.wfc)] : [])))].join(', ') || '–';
  const requirement = f.requirementText ?? f.requirements.join(', ');
  const defects = f.defectText ?? f.defects.map((d) => `\`${d}\``).join(', ');
  return `| ${cell(f.fault)} | ${cell(requirement)} | ${levels} | ${wfc} | ${cell(f.exercisedBy)} | ${cell(defects)} |`;
}

export const tableStart = (layer: string) => `<!-- fault table ${layer}: generated from fixtures/defects.json (${REGENERATE}) -->`;
export const tableEnd = (layer: string) => `<!-- end of fault table ${layer} -->`;

/** Each layer's table, as it stands between its markers in docs/FAULT-MODEL.md. */
export function renderFaultTables(file: DefectsFile = loadDefectsFile()): Map<string, string> {
  return new Map(FAULT_LAYERS.map(([layer]) => [layer, ['| Fault | Requirement | Level | WFC | Exercised by | Defect mode |', '|---|---|---|---|---|---|',
    ...(file.faults ?? []).filter((f) => f.layer === layer).map(row)].join('\n')]));
}

/** docs/FAULT-MODEL.md with every table replaced by what the catalogue renders; prose stays as written. */
export function faultModelWithTables(text: string, tables = renderFaultTables()): string {
  let out = text;
  for (const [layer, table] of tables) {
    const a = out.indexOf(tableStart(layer));
    const b = out.indexOf(tableEnd(layer));
    if (a < 0 || b < a) throw new Error(`docs/FAULT-MODEL.md has no markers for the ${layer} table`);
    out = `${out.slice(0, a + tableStart(layer).length)}\n${table}\n${out.slice(b)}`;
  }
  return out;
}

export function writeCatalogueArtifacts(): void {
  writeFileSync(DEFECT_NAMES_FILE, renderDefectNames());
  writeFileSync(FAULT_MODEL_FILE, faultModelWithTables(readFileSync(FAULT_MODEL_FILE, 'utf8')));
}

if (process.argv[1] && /catalogue\.ts$/.test(process.argv[1])) writeCatalogueArtifacts();
