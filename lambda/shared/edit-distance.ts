/**
 * Edit distance counting an inserted, deleted or replaced character, or two neighbours swapped, as one edit (the
 * optimal string alignment form of Damerau-Levenshtein), to find the name closest to a mistyped one: `modle` is one
 * edit from `model`. A dozen lines with no dependency: the libraries that do this (fastest-levenshtein, leven) count a
 * swap as two edits and are not among this package's dependencies, and a few hundred short names need no speed.
 */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const replace = rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, replace);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
