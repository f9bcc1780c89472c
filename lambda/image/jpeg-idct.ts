/**
 * Scaled inverse DCT: turns the low-frequency corner of an 8×8 block of dequantized coefficients into an n×n block of
 * pixels, n = 8, 4, 2 or 1 (decoding at 1/1, 1/2, 1/4 or 1/8 scale in the DCT domain, as libjpeg's scaled IDCT does).
 *
 * Output sample m of an n-point row is the 8-point inverse DCT evaluated at the centre of the 8/n pixels it stands
 * for, using only the first n frequencies: f(m) = Σ_{u<n} C(u)/2 · F(u) · cos((2m + 1)uπ / 2n), C(0) = 1/√2, else 1.
 * For n = 8 that is the standard IDCT; for n = 1 it is F(0)/8 in 2-D, the mean of the block. Dropping the higher
 * frequencies is the low-pass filter that keeps the reduced image free of aliasing.
 */

/** ZIGZAG[k] = natural (row * 8 + column) position of the k-th coefficient in zigzag order. */
export const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
  12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
  58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

/** Output edge n per block for a scale denominator: 1 → 8, 2 → 4, 4 → 2, 8 → 1. */
export type ScaleDenominator = 1 | 2 | 4 | 8;

/** Precomputed tables for one output size n. */
export interface ScaledIdct {
  readonly n: number;
  /** how many zigzag coefficients the n×n corner needs (the largest zigzag index in it, plus one) */
  readonly coefficientsNeeded: number;
  /** basis[m * n + u] = C(u)/2 · cos((2m + 1)uπ / 2n) */
  readonly basis: Float64Array;
  /** zigzagOf[v * n + u] = zigzag index of the coefficient at row v, column u */
  readonly zigzagOf: Uint8Array;
  /** scratch for the row pass */
  readonly rows: Float64Array;
}

export function createScaledIdct(scale: ScaleDenominator): ScaledIdct {
  const n = 8 / scale;
  const basis = new Float64Array(n * n);
  for (let m = 0; m < n; m++) {
    for (let u = 0; u < n; u++) {
      basis[m * n + u] = (u === 0 ? Math.SQRT1_2 : 1) / 2 * Math.cos(((2 * m + 1) * u * Math.PI) / (2 * n));
    }
  }
  const zigzagOf = new Uint8Array(n * n);
  let coefficientsNeeded = 0;
  for (let k = 0; k < 64; k++) {
    const row = ZIGZAG[k] >> 3;
    const column = ZIGZAG[k] & 7;
    if (row < n && column < n) {
      zigzagOf[row * n + column] = k;
      coefficientsNeeded = k + 1;
    }
  }
  return { n, coefficientsNeeded, basis, zigzagOf, rows: new Float64Array(n * n) };
}

/**
 * Writes the n×n pixels (level-shifted by +128; the clamped array rounds and clamps) of one block.
 * `coefficients` holds dequantized values in zigzag order from `offset`.
 */
export function inverseDctBlock(idct: ScaledIdct, coefficients: Int32Array | Int16Array, offset: number,
  out: Uint8ClampedArray, outOffset: number, outStride: number): void {
  const { n, basis, zigzagOf, rows } = idct;
  // Vertical pass: rows[y * n + u] = Σ_v basis(y, v) · F(v, u).
  for (let u = 0; u < n; u++) {
    for (let y = 0; y < n; y++) {
      let sum = 0;
      for (let v = 0; v < n; v++) sum += basis[y * n + v] * coefficients[offset + zigzagOf[v * n + u]];
      rows[y * n + u] = sum;
    }
  }
  // Horizontal pass.
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sum = 128;
      for (let u = 0; u < n; u++) sum += basis[x * n + u] * rows[y * n + u];
      out[outOffset + y * outStride + x] = sum;
    }
  }
}
