// Named deviations a real implementation could plausibly ship. Each is consulted in the layer where that
// behaviour lives, so a defect breaks the server the way a real bug would. The catalogue is data:
// fixtures/defects.json lists each with the requirements it must make fail.
export type Defects = ReadonlySet<string>;

export const NO_DEFECTS: Defects = new Set();

export function parseDefects(list: string | undefined): Set<string> {
  return new Set((list ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}
