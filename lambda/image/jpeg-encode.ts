/**
 * A baseline JPEG encoder for the small model-size output: JFIF, YCbCr with 4:2:0 chroma subsampling by default
 * (4:4:4 on request), the example tables of T.81 Annex K, IJG quality scaling.
 *
 * Why 4:2:0: it is what cameras, phones and libjpeg (so sharp) write by default, so the training photos the model
 * learned from carry colour at half resolution already; and it halves the blocks to transform (6 per 16×16 pixels
 * instead of 12), which matters most on a new process's first request, when this code still runs in V8's interpreter.
 *
 * Why not jpeg-js's encoder (a dependency): it rebuilds large tables on every call and took ~38 ms for 224×224 on
 * the build machine, more than the whole rest of the preprocessing of a 12 MP photo. This one takes a few ms.
 */
import { ZIGZAG } from './jpeg-idct';

/** T.81 Table K.1 and K.2, natural (row-major) order. */
const LUMA_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_QUANT = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99, ...new Array<number>(32).fill(99),
];

/** T.81 Table K.3 to K.6: code counts per length 1..16, then the symbols. */
const DC_LUMA = { counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const DC_CHROMA = { counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const AC_LUMA = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71,
    0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72,
    0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37,
    0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
    0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83,
    0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3,
    0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};
const AC_CHROMA = {
  counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  symbols: [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22,
    0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1,
    0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36,
    0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
    0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
    0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a,
    0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba,
    0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
    0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};
export const STANDARD_HUFFMAN_TABLES = { DC_LUMA, DC_CHROMA, AC_LUMA, AC_CHROMA };

interface HuffmanCodes {
  readonly code: Uint16Array;
  readonly length: Uint8Array;
}

/** ZIGZAG_OF_NATURAL[row * 8 + column] = zigzag index. */
const ZIGZAG_OF_NATURAL = new Uint8Array(64);
for (let k = 0; k < 64; k++) ZIGZAG_OF_NATURAL[ZIGZAG[k]] = k;

/** IJG quality scaling (libjpeg `jpeg_quality_scaling`) of a base table, returned in zigzag order. */
export function scaledQuantTable(base: readonly number[], quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - q * 2;
  const table = new Uint8Array(64);
  for (let k = 0; k < 64; k++) table[k] = Math.min(255, Math.max(1, Math.floor((base[ZIGZAG[k]] * scale + 50) / 100)));
  return table;
}

/** How the encoder samples colour: Cb and Cr at full resolution, or averaged over 2×2 pixels. */
export type ChromaSubsampling = '4:4:4' | '4:2:0';

export interface JpegEncodeOptions {
  /** @default '4:2:0' */
  readonly chroma?: ChromaSubsampling;
  /**
   * > 0 puts a restart marker after every that many MCUs (8×8 pixels in 4:4:4, 16×16 in 4:2:0), as many cameras do;
   * the preprocessing does not need them.
   * @default 0
   */
  readonly restartInterval?: number;
}

/** Encodes RGB (`width * height * 3` bytes) as a baseline JFIF JPEG. */
export function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality: number, options: JpegEncodeOptions = {}): Uint8Array {
  const restartInterval = options.restartInterval ?? 0;
  const lumaSampling = (options.chroma ?? '4:2:0') === '4:2:0' ? 0x22 : 0x11;
  const quant = [scaledQuantTable(LUMA_QUANT, quality), scaledQuantTable(CHROMA_QUANT, quality)];
  const dc = [huffmanCodes(DC_LUMA), huffmanCodes(DC_CHROMA)];
  const ac = [huffmanCodes(AC_LUMA), huffmanCodes(AC_CHROMA)];
  const out = new ByteWriter(width * height + 1024);

  out.bytes([0xff, 0xd8]);
  out.segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // JFIF 1.01, aspect 1:1, no thumbnail
  out.segment(0xdb, [0x00, ...quant[0], 0x01, ...quant[1]]);
  out.segment(0xc0, [8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, lumaSampling, 0, 2, 0x11, 1, 3, 0x11, 1]);
  out.segment(0xc4, [
    0x00, ...DC_LUMA.counts, ...DC_LUMA.symbols, 0x10, ...AC_LUMA.counts, ...AC_LUMA.symbols,
    0x01, ...DC_CHROMA.counts, ...DC_CHROMA.symbols, 0x11, ...AC_CHROMA.counts, ...AC_CHROMA.symbols,
  ]);
  if (restartInterval > 0) out.segment(0xdd, [restartInterval >> 8, restartInterval & 255]);
  out.segment(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);

  // Three passes over the whole picture, each one loop in a function of its own (see the note below): the samples
  // of every block in coding order, then each block transformed and quantized, then all of them Huffman-coded.
  const layout = lumaSampling === 0x22 ? SUBSAMPLED_LAYOUT : FULL_CHROMA_LAYOUT;
  const mcuEdge = lumaSampling === 0x22 ? 16 : 8;
  const blocks = Math.ceil(width / mcuEdge) * Math.ceil(height / mcuEdge) * layout.length;
  const samples = new Int32Array(blocks * 64);
  if (lumaSampling === 0x22) subsampledSamples(rgb, width, height, samples);
  else fullChromaSamples(rgb, width, height, samples);
  const coefficients = new Int16Array(blocks * 64);
  transformBlocks(samples, layout, quant.map(quantDivisors), coefficients);
  codeBlocks(out, coefficients, layout, restartInterval, dc, ac);
  out.flushBits();
  out.bytes([0xff, 0xd9]);
  return out.result();
}

/** The component (0 = Y, 1 = Cb, 2 = Cr) of each block of an MCU, in coding order. */
const SUBSAMPLED_LAYOUT = Uint8Array.of(0, 0, 0, 0, 1, 2);
const FULL_CHROMA_LAYOUT = Uint8Array.of(0, 1, 2);

/*
 * Integer arithmetic throughout, as libjpeg's default path (jccolor.c, jcsample.c, jfdctint.c, jcdctmgr.c), and
 * one loop per function with no calls inside: this encoder runs once per request on a 224² picture, so on a new
 * process's first request it runs mostly in V8's interpreter and baseline tier, and the optimising compiler's work
 * on it (in a background thread, whose CPU time counts as much as the main thread's) is wasted when it arrives
 * after the loop. Small call-free loops are cheap to run before they are optimised and cheap to optimise (no
 * inlining); integers are never boxed, where every double intermediate was a heap allocation there. Nothing
 * follows a loop in its function: code after an optimised loop that never ran would deoptimise it.
 * Pixels of blocks that stick out of the picture repeat its edge.
 */

/** 4:4:4: one MCU = one 8×8 block of each of Y, Cb and Cr; level-shifted samples, 64 per block, in coding order. */
function fullChromaSamples(rgb: Uint8Array, width: number, height: number, samples: Int32Array): void {
  let at = 0;
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8, at += 192) {
      for (let y = 0; y < 8; y++) {
        const row = (by + y < height ? by + y : height - 1) * width;
        for (let x = 0; x < 8; x++) {
          const p = (row + (bx + x < width ? bx + x : width - 1)) * 3;
          const r = rgb[p];
          const g = rgb[p + 1];
          const b = rgb[p + 2];
          const i = at + y * 8 + x;
          samples[i] = ((Y_R[r] + Y_G[g] + Y_B[b]) >> SCALE_BITS) - 128;
          samples[i + 64] = ((CB_R[r] + CB_G[g] + CB_B_CR_R[b]) >> SCALE_BITS) - 128;
          samples[i + 128] = ((CB_B_CR_R[r] + CR_G[g] + CR_B[b]) >> SCALE_BITS) - 128;
        }
      }
    }
  }
}

/**
 * 4:2:0: one MCU = 16×16 pixels, as its four 8×8 luma blocks (left to right, top to bottom), then one Cb and one Cr
 * block, each chroma sample the mean of 2×2 pixels' (T.81 A.2.3 and A.1.1), rounded as libjpeg's h2v2_downsample
 * does (a bias of 1 and 2 in turn, so that the rounding errors do not all go one way).
 */
function subsampledSamples(rgb: Uint8Array, width: number, height: number, samples: Int32Array): void {
  let at = 0;
  for (let my = 0; my < height; my += 16) {
    for (let mx = 0; mx < width; mx += 16, at += 384) {
      // The chroma sums start at the bias minus 4 × 128 (the level shift of four samples), and end shifted by 2.
      for (let i = at + 256; i < at + 384; i++) samples[i] = (i & 1) + 1 - 512;
      for (let y = 0; y < 16; y++) {
        const row = (my + y < height ? my + y : height - 1) * width;
        const luma = at + (y >> 3) * 128 + (y & 7) * 8;
        const chroma = at + 256 + (y >> 1) * 8;
        for (let x = 0; x < 16; x++) {
          const p = (row + (mx + x < width ? mx + x : width - 1)) * 3;
          const r = rgb[p];
          const g = rgb[p + 1];
          const b = rgb[p + 2];
          samples[luma + (x >> 3) * 64 + (x & 7)] = ((Y_R[r] + Y_G[g] + Y_B[b]) >> SCALE_BITS) - 128;
          samples[chroma + (x >> 1)] += (CB_R[r] + CB_G[g] + CB_B_CR_R[b]) >> SCALE_BITS;
          samples[chroma + 64 + (x >> 1)] += (CB_B_CR_R[r] + CR_G[g] + CR_B[b]) >> SCALE_BITS;
        }
      }
      for (let i = at + 256; i < at + 384; i++) samples[i] >>= 2;
    }
  }
}

/**
 * The JFIF RGB → YCbCr conversion in 16-bit fixed point, by channel value, as libjpeg's jccolor.c tabulates it:
 * Y = 0.299 r + 0.587 g + 0.114 b, Cb = -0.16874 r - 0.33126 g + 0.5 b + 128, Cr = 0.5 r - 0.41869 g - 0.08131 b + 128,
 * each the sum of three table entries shifted right by SCALE_BITS (the rounding is in Y_B and CB_B_CR_R).
 */
const SCALE_BITS = 16;
const ONE_HALF = 1 << (SCALE_BITS - 1);
const CHROMA_OFFSET = 128 << SCALE_BITS;

/** table[value] = factor · 2^16 (rounded half away from zero) · value + offset for the 256 values of a channel. */
function fixedPointProducts(factor: number, offset = 0): Int32Array {
  const fixed = Math.sign(factor) * Math.floor(Math.abs(factor) * (1 << SCALE_BITS) + 0.5);
  const table = new Int32Array(256);
  for (let value = 0; value < 256; value++) table[value] = fixed * value + offset;
  return table;
}

const Y_R = fixedPointProducts(0.299);
const Y_G = fixedPointProducts(0.587);
const Y_B = fixedPointProducts(0.114, ONE_HALF);
const CB_R = fixedPointProducts(-0.16874);
const CB_G = fixedPointProducts(-0.33126);
/** 0.5 · b for Cb and 0.5 · r for Cr, with the chroma offset and the rounding (libjpeg shares the table too) */
const CB_B_CR_R = fixedPointProducts(0.5, CHROMA_OFFSET + ONE_HALF - 1);
const CR_G = fixedPointProducts(-0.41869);
const CR_B = fixedPointProducts(-0.08131);

/**
 * Integer division by each quantizer (× 8, the scale the DCT leaves in its outputs) as a multiplication and a shift:
 * for d ≤ 2^l and numerators below 2^15, ⌊n / d⌋ = ⌊n · m / 2^(15 + l)⌋ with m = ⌈2^(15 + l) / d⌉ (Granlund and
 * Montgomery, 1994, theorem 4.2), and n · m stays below 2^32. Numerators here stay below 2^14 (8 × 1024 for a DCT
 * output of 8-bit samples, plus half a divisor); the test checks every numerator below 2^15 for every divisor.
 */
export interface QuantDivisors {
  /** the divisor of each natural (row-major) position: quantizer · 8 */
  readonly divisors: Int32Array;
  readonly multipliers: Int32Array;
  readonly shifts: Int32Array;
}

/** The divisors of a quantization table given in zigzag order, by natural position. */
export function quantDivisors(table: Uint8Array): QuantDivisors {
  const divisors = new Int32Array(64);
  const multipliers = new Int32Array(64);
  const shifts = new Int32Array(64);
  for (let k = 0; k < 64; k++) {
    const natural = ZIGZAG[k];
    const divisor = table[k] * 8;
    const l = Math.ceil(Math.log2(divisor));
    divisors[natural] = divisor;
    shifts[natural] = 15 + l;
    multipliers[natural] = Math.ceil(2 ** (15 + l) / divisor);
  }
  return { divisors, multipliers, shifts };
}

/** The constants of libjpeg's jfdctint.c: round(c · 2^13). */
const CONST_BITS = 13;
const PASS1_BITS = 2;
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

/**
 * Each block of `samples` (level-shifted, natural order, overwritten) through the 8×8 forward DCT in integers (the
 * Loeffler-Ligtenberg-Moschytz factorisation, 12 multiplies per 8 points, as libjpeg's jfdctint.c, libjpeg's and so
 * sharp's default), whose outputs are the coefficients × 8 (the row pass keeps PASS1_BITS more bits, which the
 * column pass removes); then quantized into `coefficients` (zigzag order): divided by quantizer · 8 and rounded half
 * away from zero, as libjpeg's forward_DCT does.
 */
function transformBlocks(samples: Int32Array, layout: Uint8Array, quant: QuantDivisors[], coefficients: Int16Array): void {
  const blocks = samples.length >> 6;
  for (let block = 0, inMcu = 0; block < blocks; block++) {
    const base = block << 6;
    for (let pass = 0; pass < 2; pass++) {
      // Pass 0 transforms rows (stride 1 within, 8 between), pass 1 columns (stride 8 within, 1 between).
      const step = pass === 0 ? 1 : 8;
      const next = pass === 0 ? 8 : 1;
      const evenShift = pass === 0 ? 0 : PASS1_BITS;
      const evenScale = pass === 0 ? PASS1_BITS : 0;
      const shift = pass === 0 ? CONST_BITS - PASS1_BITS : CONST_BITS + PASS1_BITS;
      const evenRound = evenShift === 0 ? 0 : 1 << (evenShift - 1);
      const round = 1 << (shift - 1);
      for (let line = 0, p = base; line < 8; line++, p += next) {
        const d0 = samples[p];
        const d1 = samples[p + step];
        const d2 = samples[p + 2 * step];
        const d3 = samples[p + 3 * step];
        const d4 = samples[p + 4 * step];
        const d5 = samples[p + 5 * step];
        const d6 = samples[p + 6 * step];
        const d7 = samples[p + 7 * step];
        const tmp0 = d0 + d7;
        const tmp7 = d0 - d7;
        const tmp1 = d1 + d6;
        const tmp6 = d1 - d6;
        const tmp2 = d2 + d5;
        const tmp5 = d2 - d5;
        const tmp3 = d3 + d4;
        const tmp4 = d3 - d4;
        // Even part.
        const tmp10 = tmp0 + tmp3;
        const tmp13 = tmp0 - tmp3;
        const tmp11 = tmp1 + tmp2;
        const tmp12 = tmp1 - tmp2;
        samples[p] = ((tmp10 + tmp11 + evenRound) >> evenShift) << evenScale;
        samples[p + 4 * step] = ((tmp10 - tmp11 + evenRound) >> evenShift) << evenScale;
        const z1 = (tmp12 + tmp13) * FIX_0_541196100;
        samples[p + 2 * step] = (z1 + tmp13 * FIX_0_765366865 + round) >> shift;
        samples[p + 6 * step] = (z1 - tmp12 * FIX_1_847759065 + round) >> shift;
        // Odd part.
        const z5 = (tmp4 + tmp5 + tmp6 + tmp7) * FIX_1_175875602;
        const o1 = (tmp4 + tmp7) * -FIX_0_899976223;
        const o2 = (tmp5 + tmp6) * -FIX_2_562915447;
        const o3 = (tmp4 + tmp6) * -FIX_1_961570560 + z5;
        const o4 = (tmp5 + tmp7) * -FIX_0_390180644 + z5;
        samples[p + 7 * step] = (tmp4 * FIX_0_298631336 + o1 + o3 + round) >> shift;
        samples[p + 5 * step] = (tmp5 * FIX_2_053119869 + o2 + o4 + round) >> shift;
        samples[p + 3 * step] = (tmp6 * FIX_3_072711026 + o2 + o3 + round) >> shift;
        samples[p + step] = (tmp7 * FIX_1_501321110 + o1 + o4 + round) >> shift;
      }
    }
    const { divisors, multipliers, shifts } = quant[layout[inMcu] === 0 ? 0 : 1];
    for (let i = 0; i < 64; i++) {
      const value = samples[base + i];
      const magnitude = (value < 0 ? -value : value) + (divisors[i] >> 1);
      const quotient = (magnitude * multipliers[i]) >>> shifts[i];
      coefficients[base + ZIGZAG_OF_NATURAL[i]] = value < 0 ? -quotient : quotient;
    }
    if (++inMcu === layout.length) inMcu = 0;
  }
}

/**
 * Huffman-codes every block (T.81 F.1.2) in order, each component with its own DC prediction, and a restart marker
 * every `restartInterval` MCUs (which resets the predictions). A block's bit strings are listed first, then written
 * in one call.
 */
function codeBlocks(out: ByteWriter, coefficients: Int16Array, layout: Uint8Array, restartInterval: number,
  dcTables: HuffmanCodes[], acTables: HuffmanCodes[]): void {
  const predictions = new Int32Array(3);
  // At most 2 strings per coefficient (code, magnitude) or per zero run of 16, plus an end of block.
  const values = new Int32Array(130);
  const lengths = new Int32Array(130);
  const blocks = coefficients.length >> 6;
  for (let block = 0, inMcu = 0, mcu = 0; block < blocks; block++) {
    if (inMcu === 0 && restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      out.flushBits();
      out.bytes([0xff, 0xd0 + ((mcu / restartInterval - 1) % 8)]);
      predictions.fill(0);
    }
    const component = layout[inMcu];
    const dc = dcTables[component === 0 ? 0 : 1];
    const ac = acTables[component === 0 ? 0 : 1];
    const base = block << 6;
    const diff = coefficients[base] - predictions[component];
    predictions[component] = coefficients[base];
    let n = 0;
    let size = diff === 0 ? 0 : 32 - Math.clz32(diff < 0 ? -diff : diff);
    values[n] = dc.code[size];
    lengths[n++] = dc.length[size];
    if (size > 0) {
      values[n] = diff < 0 ? diff + (1 << size) - 1 : diff;
      lengths[n++] = size;
    }
    let run = 0;
    for (let k = 1; k < 64; k++) {
      const value = coefficients[base + k];
      if (value === 0) {
        run++;
        continue;
      }
      for (; run >= 16; run -= 16) {
        values[n] = ac.code[0xf0];
        lengths[n++] = ac.length[0xf0];
      }
      size = 32 - Math.clz32(value < 0 ? -value : value);
      const symbol = (run << 4) | size;
      values[n] = ac.code[symbol];
      lengths[n++] = ac.length[symbol];
      values[n] = value < 0 ? value + (1 << size) - 1 : value;
      lengths[n++] = size;
      run = 0;
    }
    if (run > 0) {
      values[n] = ac.code[0];
      lengths[n++] = ac.length[0];
    }
    out.bitStrings(values, lengths, n);
    if (++inMcu === layout.length) {
      inMcu = 0;
      mcu++;
    }
  }
}

/** The canonical codes of T.81 Annex C, indexed by symbol. */
function huffmanCodes(table: { counts: readonly number[]; symbols: readonly number[] }): HuffmanCodes {
  const code = new Uint16Array(256);
  const length = new Uint8Array(256);
  let next = 0;
  let k = 0;
  for (let bits = 1; bits <= 16; bits++) {
    for (let i = 0; i < table.counts[bits - 1]; i++) {
      code[table.symbols[k]] = next++;
      length[table.symbols[k]] = bits;
      k++;
    }
    next <<= 1;
  }
  return { code, length };
}

/** A growing byte buffer with a bit writer that stuffs 0x00 after every 0xFF of entropy-coded data. */
class ByteWriter {
  private buffer: Uint8Array;
  private size = 0;
  private pending = 0;
  private pendingBits = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity);
  }

  public bytes(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.byte(values[i]);
  }

  /** A marker segment: 0xFF, marker, two length bytes, payload. */
  public segment(marker: number, payload: readonly number[]): void {
    this.bytes([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 255]);
    this.bytes(payload);
  }

  /** Appends the low `count` bits of `value` (count ≤ 16). */
  public bits(value: number, count: number): void {
    this.pending = ((this.pending << count) | (value & ((1 << count) - 1))) >>> 0;
    this.pendingBits += count;
    while (this.pendingBits >= 8) {
      this.pendingBits -= 8;
      const byte = (this.pending >>> this.pendingBits) & 255;
      this.byte(byte);
      if (byte === 0xff) this.byte(0);
    }
    this.pending &= (1 << this.pendingBits) - 1;
  }

  /** Appends `count` bit strings: the low lengths[i] bits (≤ 16) of values[i], in order. */
  public bitStrings(values: Int32Array, lengths: Int32Array, count: number): void {
    // Each string makes at most 2 bytes, each of which may be stuffed.
    while (this.size + 4 * count > this.buffer.length) this.grow();
    const buffer = this.buffer;
    let { size, pending, pendingBits } = this;
    for (let i = 0; i < count; i++) {
      const length = lengths[i];
      pending = (pending << length) | (values[i] & ((1 << length) - 1));
      pendingBits += length;
      while (pendingBits >= 8) {
        pendingBits -= 8;
        const byte = (pending >> pendingBits) & 255;
        buffer[size++] = byte;
        if (byte === 0xff) buffer[size++] = 0;
      }
      pending &= (1 << pendingBits) - 1;
    }
    this.size = size;
    this.pending = pending;
    this.pendingBits = pendingBits;
  }

  /** Pads the last byte with 1-bits, as T.81 F.1.2.3 asks. */
  public flushBits(): void {
    if (this.pendingBits > 0) this.bits(0x7f, 8 - this.pendingBits);
  }

  public result(): Uint8Array {
    return this.buffer.slice(0, this.size);
  }

  private byte(value: number): void {
    if (this.size === this.buffer.length) this.grow();
    this.buffer[this.size++] = value;
  }

  private grow(): void {
    const grown = new Uint8Array(this.buffer.length * 2);
    grown.set(this.buffer);
    this.buffer = grown;
  }
}
