// `raa-conformance bench`: the suite's speed as ratios (src/bench.ts); a clone only.
import { COMPILED } from '../contract';
import { needsClone } from './errors';


export async function main(argv: string[]): Promise<number> {
  if (COMPILED) return needsClone('bench');
  const { runBench } = await import('../bench');
  return runBench(argv);
}
