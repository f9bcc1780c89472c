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
import { channelProducts } from './jpeg-color';
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

  const coder = new BlockCoder(out, quant, dc, ac);
  if (lumaSampling === 0x22) encodeSubsampled(coder, rgb, width, height, restartInterval);
  else encodeFullChroma(coder, rgb, width, height, restartInterval);
  out.flushBits();
  out.bytes([0xff, 0xd9]);
  return out.result();
}

/** Transforms, quantises and Huffman-codes 8×8 blocks in scan order, keeping each component's DC prediction. */
class BlockCoder {
  private readonly reciprocals: Float64Array[];
  private readonly coefficients = new Int32Array(64);
  private readonly predictions = [0, 0, 0];

  constructor(private readonly out: ByteWriter, quant: Uint8Array[], private readonly dc: HuffmanCodes[], private readonly ac: HuffmanCodes[]) {
    this.reciprocals = quant.map(zigzagReciprocals);
  }

  /** Codes `block` (level-shifted samples, overwritten) of component 0 (Y), 1 (Cb) or 2 (Cr). */
  public code(component: number, block: Float64Array): void {
    const table = component === 0 ? 0 : 1;
    forwardDct(block, this.reciprocals[table], this.coefficients);
    this.predictions[component] = writeBlock(this.out, this.coefficients, this.predictions[component], this.dc[table], this.ac[table]);
  }

  /** Before MCU number `mcu`: a restart marker every `interval` MCUs, which resets the DC predictions. */
  public restartBefore(mcu: number, interval: number): void {
    if (interval <= 0 || mcu === 0 || mcu % interval !== 0) return;
    this.out.flushBits();
    this.out.bytes([0xff, 0xd0 + ((mcu / interval - 1) % 8)]);
    this.predictions.fill(0);
  }
}

/*
 * The two scan loops below are functions of their own so that nothing follows the loop: V8 optimises the loop while
 * it runs on a new process's first request, and code after it that never ran (the end of encodeJpeg) would throw
 * that optimised code away. For the same reason the pixel loops of one MCU are a function of their own
 * (subsampledMcu, fullChromaMcu): inside the MCU loop, V8 optimised them during the first MCU, before the coding of
 * its blocks had ever run, and reaching that code deoptimised the loop, which was then compiled a second time with
 * everything inlined (`--trace-opt --trace-deopt`); ~7 ms of CPU of a first request's ~27 for the encoder.
 * Pixels of blocks that stick out of the picture repeat its edge.
 */

/** 4:4:4: one MCU = one 8×8 block of each of Y, Cb and Cr. */
function encodeFullChroma(coder: BlockCoder, rgb: Uint8Array, width: number, height: number, restartInterval: number): void {
  const luma = new Float64Array(64);
  const blue = new Float64Array(64);
  const red = new Float64Array(64);
  let mcu = 0;
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8, mcu++) {
      coder.restartBefore(mcu, restartInterval);
      fullChromaMcu(rgb, width, height, bx, by, luma, blue, red);
      coder.code(0, luma);
      coder.code(1, blue);
      coder.code(2, red);
    }
  }
}

/** The samples of the 4:4:4 MCU at (bx, by). */
function fullChromaMcu(rgb: Uint8Array, width: number, height: number, bx: number, by: number, luma: Float64Array,
  blue: Float64Array, red: Float64Array): void {
  for (let y = 0; y < 8; y++) {
    const row = (by + y < height ? by + y : height - 1) * width;
    for (let x = 0; x < 8; x++) {
      const p = (row + (bx + x < width ? bx + x : width - 1)) * 3;
      const r = rgb[p];
      const g = rgb[p + 1];
      const b = rgb[p + 2];
      luma[y * 8 + x] = LUMA_R[r] + LUMA_G[g] + LUMA_B[b] - 128;
      blue[y * 8 + x] = BLUE_R[r] - BLUE_G[g] + BLUE_B[b];
      red[y * 8 + x] = RED_R[r] - RED_G[g] - RED_B[b];
    }
  }
}

/**
 * 4:2:0: one MCU = 16×16 pixels, coded as its four 8×8 luma blocks (left to right, top to bottom), then one Cb and
 * one Cr block, each chroma sample the mean of 2×2 pixels (T.81 A.2.3 and A.1.1).
 */
function encodeSubsampled(coder: BlockCoder, rgb: Uint8Array, width: number, height: number, restartInterval: number): void {
  const lumaBlocks = [new Float64Array(64), new Float64Array(64), new Float64Array(64), new Float64Array(64)];
  const blue = new Float64Array(64);
  const red = new Float64Array(64);
  let mcu = 0;
  for (let my = 0; my < height; my += 16) {
    for (let mx = 0; mx < width; mx += 16, mcu++) {
      coder.restartBefore(mcu, restartInterval);
      subsampledMcu(rgb, width, height, mx, my, lumaBlocks, blue, red);
      for (let block = 0; block < 4; block++) coder.code(0, lumaBlocks[block]);
      coder.code(1, blue);
      coder.code(2, red);
    }
  }
}

/** The samples of the 4:2:0 MCU at (mx, my): four luma blocks, and the Cb and Cr means of 2×2 pixels. */
function subsampledMcu(rgb: Uint8Array, width: number, height: number, mx: number, my: number, lumaBlocks: Float64Array[],
  blue: Float64Array, red: Float64Array): void {
  blue.fill(0);
  red.fill(0);
  for (let y = 0; y < 16; y++) {
    const row = (my + y < height ? my + y : height - 1) * width;
    const luma = lumaBlocks[(y >> 3) << 1];
    const lumaRight = lumaBlocks[((y >> 3) << 1) + 1];
    const chromaRow = (y >> 1) * 8;
    for (let x = 0; x < 16; x++) {
      const p = (row + (mx + x < width ? mx + x : width - 1)) * 3;
      const r = rgb[p];
      const g = rgb[p + 1];
      const b = rgb[p + 2];
      (x < 8 ? luma : lumaRight)[(y & 7) * 8 + (x & 7)] = LUMA_R[r] + LUMA_G[g] + LUMA_B[b] - 128;
      blue[chromaRow + (x >> 1)] += BLUE_R_4[r] - BLUE_G_4[g] + BLUE_B_4[b];
      red[chromaRow + (x >> 1)] += RED_R_4[r] - RED_G_4[g] - RED_B_4[b];
    }
  }
}

/**
 * The products of the JFIF RGB → YCbCr conversion by channel value (LUMA_R[r] = 0.299 · r, …), added in the order
 * the formulas add them: Y = 0.299 r + 0.587 g + 0.114 b - 128, Cb = -0.168736 r - 0.331264 g + 0.5 b,
 * Cr = 0.5 r - 0.418688 g - 0.081312 b. The same doubles as multiplying per pixel, nine multiplications fewer per
 * pixel; the encoder runs once per request, so on a new process's first request this loop runs in V8's interpreter.
 */
const LUMA_R = channelProducts(0.299);
const LUMA_G = channelProducts(0.587);
const LUMA_B = channelProducts(0.114);
const BLUE_R = channelProducts(-0.168736);
const BLUE_G = channelProducts(0.331264);
const BLUE_B = channelProducts(0.5);
const RED_R = channelProducts(0.5);
const RED_G = channelProducts(0.418688);
const RED_B = channelProducts(0.081312);
/**
 * The chroma products divided by 4, for the 4:2:0 means: dividing by a power of two is exact in binary floating
 * point, so the sum of four quarter values is the same double as a quarter of the sum (no loop after the pixels).
 */
const BLUE_R_4 = channelProducts(-0.168736 / 4);
const BLUE_G_4 = channelProducts(0.331264 / 4);
const BLUE_B_4 = channelProducts(0.5 / 4);
const RED_R_4 = channelProducts(0.5 / 4);
const RED_G_4 = channelProducts(0.418688 / 4);
const RED_B_4 = channelProducts(0.081312 / 4);

/** AAN scale factors: cos(kπ/16)·√2 for k > 0, 1 for k = 0 (the AAN DCT leaves them in its outputs). */
const AAN_SCALE = Array.from({ length: 8 }, (_, k) => (k === 0 ? 1 : Math.cos((k * Math.PI) / 16) * Math.SQRT2));

/** Per natural position: 1 / (quantizer · AAN scale of row and column · 8), so one multiply finishes the DCT. */
function zigzagReciprocals(table: Uint8Array): Float64Array {
  const reciprocals = new Float64Array(64);
  for (let k = 0; k < 64; k++) {
    const natural = ZIGZAG[k];
    reciprocals[natural] = 1 / (table[k] * AAN_SCALE[natural >> 3] * AAN_SCALE[natural & 7] * 8);
  }
  return reciprocals;
}

/**
 * 8×8 forward DCT (the Arai-Agui-Nakajima factorisation, as in IJG's jfdctflt.c: 5 multiplies per 8 points
 * instead of 64), quantized and rounded into zigzag order. Works in place on `block`.
 */
function forwardDct(block: Float64Array, reciprocals: Float64Array, out: Int32Array): void {
  for (let pass = 0; pass < 2; pass++) {
    // Pass 0 transforms rows (stride 1 within, 8 between), pass 1 columns (stride 8 within, 1 between).
    const step = pass === 0 ? 1 : 8;
    const next = pass === 0 ? 8 : 1;
    for (let line = 0, p = 0; line < 8; line++, p += next) {
      const d0 = block[p];
      const d1 = block[p + step];
      const d2 = block[p + 2 * step];
      const d3 = block[p + 3 * step];
      const d4 = block[p + 4 * step];
      const d5 = block[p + 5 * step];
      const d6 = block[p + 6 * step];
      const d7 = block[p + 7 * step];
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
      block[p] = tmp10 + tmp11;
      block[p + 4 * step] = tmp10 - tmp11;
      const z1 = (tmp12 + tmp13) * 0.707106781;
      block[p + 2 * step] = tmp13 + z1;
      block[p + 6 * step] = tmp13 - z1;
      // Odd part.
      const odd10 = tmp4 + tmp5;
      const odd11 = tmp5 + tmp6;
      const odd12 = tmp6 + tmp7;
      const z5 = (odd10 - odd12) * 0.382683433;
      const z2 = 0.5411961 * odd10 + z5;
      const z4 = 1.306562965 * odd12 + z5;
      const z3 = odd11 * 0.707106781;
      const z11 = tmp7 + z3;
      const z13 = tmp7 - z3;
      block[p + 5 * step] = z13 + z2;
      block[p + 3 * step] = z13 - z2;
      block[p + step] = z11 + z4;
      block[p + 7 * step] = z11 - z4;
    }
  }
  for (let i = 0; i < 64; i++) {
    const q = block[i] * reciprocals[i];
    out[ZIGZAG_OF_NATURAL[i]] = q >= 0 ? (q + 0.5) | 0 : -((0.5 - q) | 0); // round half away from zero, as libjpeg does
  }
}

/**
 * Huffman-codes one block (T.81 F.1.2); returns the DC value as the next prediction. The block's bit strings are
 * listed first and written by one call (ByteWriter.bitStrings): one copy of the bit writer's loop to optimise, where
 * six calls of `bits` were six inlined copies of it.
 */
function writeBlock(out: ByteWriter, coefficients: Int32Array, prediction: number, dc: HuffmanCodes, ac: HuffmanCodes): number {
  const values = out.values;
  const lengths = out.lengths;
  let n = 0;
  const diff = coefficients[0] - prediction;
  let size = magnitudeBits(diff);
  values[n] = dc.code[size];
  lengths[n++] = dc.length[size];
  if (size > 0) {
    values[n] = diff < 0 ? diff + (1 << size) - 1 : diff;
    lengths[n++] = size;
  }
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const value = coefficients[k];
    if (value === 0) {
      run++;
      continue;
    }
    for (; run >= 16; run -= 16) {
      values[n] = ac.code[0xf0];
      lengths[n++] = ac.length[0xf0];
    }
    size = magnitudeBits(value);
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
  out.bitStrings(n);
  return coefficients[0];
}

function magnitudeBits(value: number): number {
  return value === 0 ? 0 : 32 - Math.clz32(value < 0 ? -value : value);
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

  /**
   * The bit strings of one block, for bitStrings: at most two per coefficient (code and magnitude) or per run of 16
   * zeros, and an end of block.
   */
  public readonly values = new Int32Array(130);
  public readonly lengths = new Int32Array(130);

  /** Appends the first `count` bit strings of `values` and `lengths` (each the low lengths[i] ≤ 16 bits of values[i]). */
  public bitStrings(count: number): void {
    // Each string makes at most 2 bytes, each of which may be stuffed.
    while (this.size + 4 * count > this.buffer.length) this.grow();
    const { buffer, values, lengths } = this;
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
