// "Did you mean …?" for misspelt names (environment variables, permissions, options, commands): the
// known name at the smallest edit distance, when it is close enough to be the one meant.

/** Levenshtein distance: insertions, deletions and substitutions, each costing 1. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The candidate nearest to `name`, or undefined when even the nearest differs in more than a third of its
 * letters (a suggestion that far off would mislead). Ties go to the earlier candidate.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.max(name.length, best.length) / 3) ? best : undefined;
}

/** `: did you mean X?` when a close candidate exists, else nothing. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const c = closest(name, candidates);
  return c ? `: did you mean ${c}?` : '';
}
