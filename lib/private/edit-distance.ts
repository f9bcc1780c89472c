/**
 * Levenshtein distance (insertions, deletions and substitutions, each costing 1), to suggest the name closest to a
 * mistyped one. A dozen lines with no dependency: the libraries that do this (fastest-levenshtein, leven) are not
 * among this package's dependencies, and suggestions over a few hundred short names need no speed.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
