/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours count one each). */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate a mistyped word most likely meant: the nearest by edit distance, if it is close
 * enough to be a typo (at most a third of the word, and at most 2 edits), or the one it abbreviates.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const word = input.toLowerCase();
  let best: { candidate: string; cost: number } | undefined;
  for (const candidate of candidates) {
    const cost = distance(word, candidate);
    if (!best || cost < best.cost) best = { candidate, cost };
  }
  const limit = Math.min(2, Math.max(1, Math.floor(word.length / 3)));
  if (best && best.cost <= limit) return best.candidate;
  const prefixed = candidates.filter((candidate) => word.length >= 2 && candidate.startsWith(word));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
