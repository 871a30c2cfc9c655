// `raa-conformance bench`: the suite's speed as ratios (tools/bench/bench.ts); a clone only.
import { COMPILED } from '../contract';
import { needsClone } from './errors';


export async function main(argv: string[]): Promise<number> {
  if (COMPILED) return needsClone('bench');
  const { runBench } = await import('../../tools/bench/bench');
  return runBench(argv);
}
