import * as fc from 'fast-check';
import sharp from 'sharp';
import { ImageError } from '../../lambda/image/image-error';
import { planesToRgb, jpegColorModel } from '../../lambda/image/jpeg-color';
import { decodeJpeg } from '../../lambda/image/jpeg-decode';
import { encodeJpeg } from '../../lambda/image/jpeg-encode';
import { buildAcSkipLookup, buildHuffmanLookup, END_OF_BLOCK } from '../../lambda/image/jpeg-huffman';
import { createScaledIdct, inverseDctBlock, ZIGZAG } from '../../lambda/image/jpeg-idct';
import { readJpegHeader } from '../../lambda/image/jpeg-markers';
import { boxShrink } from '../../lambda/image/resize';
import { RgbImage } from '../../lambda/image/rgb-image';
import { meanAbsDiff, orientationFixture, rawRgb, scene, toBytes } from './image-fixtures';

/**
 * The reference for a 1/s decode: libjpeg's (sharp's) full-size decode, area-averaged over s×s blocks — what the
 * DCT-domain reduction approximates (exactly, for the DC-only 1/8 case, up to rounding and chroma upsampling).
 */
async function reference(jpeg: Uint8Array, scale: number): Promise<RgbImage> {
  const full = await rawRgb(jpeg);
  return boxShrink(full, scale, scale);
}

function expectCorrupt(run: () => unknown, message?: RegExp): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ImageError);
  expect((error as ImageError).code).toBe('CORRUPT_IMAGE');
  if (message) expect((error as ImageError).message).toMatch(message);
}

describe('decodeJpeg matches libjpeg (via sharp)', () => {
  // Dimensions multiple of 16 so that 1/s blocks line up with the reference's s×s averages.
  const variants: Array<[string, () => Promise<Uint8Array>]> = [
    ['baseline 4:2:0', () => toBytes(scene(640, 480).jpeg({ quality: 90 }))],
    ['baseline 4:4:4', () => toBytes(scene(640, 480).jpeg({ quality: 90, chromaSubsampling: '4:4:4' }))],
    ['progressive 4:2:0', () => toBytes(scene(640, 480).jpeg({ quality: 90, progressive: true }))],
    ['progressive 4:4:4, optimised scans', () => toBytes(scene(640, 480).jpeg({ progressive: true, chromaSubsampling: '4:4:4', optimiseScans: true }))],
    ['grayscale', () => toBytes(scene(640, 480).grayscale().jpeg())],
    ['grayscale progressive', () => toBytes(scene(640, 480).grayscale().jpeg({ progressive: true }))],
    ['restart markers every 7 MCUs (own encoder)', async () => encodeJpeg((await rawRgb(await toBytes(scene(640, 480).png()))).data, 640, 480, 90, { restartInterval: 7 })],
  ];
  for (const [name, make] of variants) {
    describe(name, () => {
      let jpeg: Uint8Array;
      beforeAll(async () => {
        jpeg = await make();
      });
      it.each([1, 2, 4, 8] as const)('at 1/%d scale', async (scale) => {
        const decoded = decodeJpeg(jpeg, scale);
        const expected = await reference(jpeg, scale);
        expect([decoded.width, decoded.height]).toEqual([640 / scale, 480 / scale]);
        // Measured: 0.3–0.6 at full size (libjpeg's chroma upsampling interpolates), 1–2 scaled.
        expect(meanAbsDiff(decoded.data, expected.data)).toBeLessThan(scale === 1 ? 1 : 2.5);
      });
    });
  }

  it('handles sizes that are not a multiple of the block or MCU size', async () => {
    for (const [width, height] of [[333, 217], [17, 9], [1, 1], [8, 300]]) {
      for (const progressive of [false, true]) {
        for (const chromaSubsampling of ['4:4:4', '4:2:0']) {
          const jpeg = await toBytes(scene(width, height).jpeg({ quality: 95, progressive, chromaSubsampling }));
          const full = decodeJpeg(jpeg, 1);
          expect([full.width, full.height]).toEqual([width, height]);
          // 4:4:4 has no chroma upsampling: nearly exact. 4:2:0 on tiny pictures: libjpeg interpolates the chroma,
          // this decoder replicates it; measured up to 2.3 on 17×9.
          expect(meanAbsDiff(full.data, (await rawRgb(jpeg)).data)).toBeLessThan(chromaSubsampling === '4:4:4' ? 0.6 : 3);
          const eighth = decodeJpeg(jpeg, 8);
          expect([eighth.width, eighth.height]).toEqual([Math.ceil(width / 8), Math.ceil(height / 8)]);
        }
      }
    }
  });

  it('decodes the 1800×1200 camera-style fixture at 1/4 like libjpeg', async () => {
    const jpeg = orientationFixture('Landscape_1.jpg');
    expect(meanAbsDiff(decodeJpeg(jpeg, 4).data, (await reference(jpeg, 4)).data)).toBeLessThan(2.5);
  });

  it('decodes CMYK (Adobe, inverted) close to the original colours', async () => {
    const rgb = await rawRgb(await toBytes(scene(320, 240).png()));
    const cmyk = await toBytes(sharp(rgb.data, { raw: { width: 320, height: 240, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 95 }));
    expect(readJpegHeader(cmyk).frame.components).toHaveLength(4);
    expect(readJpegHeader(cmyk).adobeTransform).toBeDefined();
    // Naive CMYK→RGB without colour management: close in a mean sense, not exact.
    expect(meanAbsDiff(decodeJpeg(cmyk, 1).data, rgb.data)).toBeLessThan(20);
  });
});

describe('decodeJpeg refuses broken streams with CORRUPT_IMAGE', () => {
  let jpeg: Uint8Array;
  beforeAll(async () => {
    jpeg = await toBytes(scene(256, 192).jpeg({ quality: 85 }));
  });

  const segments = (bytes: Uint8Array): Array<{ marker: number; at: number; end: number }> => {
    const found = [];
    let pos = 2;
    while (pos < bytes.length && bytes[pos + 1] !== 0xda) {
      const end = pos + 2 + ((bytes[pos + 2] << 8) | bytes[pos + 3]);
      found.push({ marker: bytes[pos + 1], at: pos, end });
      pos = end;
    }
    return found;
  };
  const without = (bytes: Uint8Array, marker: number): Uint8Array => {
    const cut = segments(bytes).filter((s) => s.marker === marker);
    let out = Array.from(bytes);
    for (const s of cut.reverse()) out = [...out.slice(0, s.at), ...out.slice(s.end)];
    return Uint8Array.from(out);
  };

  it('when a Huffman table is missing', () => {
    expectCorrupt(() => decodeJpeg(without(jpeg, 0xc4), 8), /Huffman table \d is not defined/);
  });

  it('when a quantization table is missing', () => {
    expectCorrupt(() => decodeJpeg(without(jpeg, 0xdb), 8), /quantization table \d is not defined/);
  });

  it('when there is no frame header', () => {
    expectCorrupt(() => decodeJpeg(without(jpeg, 0xc0), 8), /no frame header/);
  });

  it('when a restart marker is missing', () => {
    const withRestarts = encodeJpeg(new Uint8Array(64 * 64 * 3).fill(90), 64, 64, 90, { chroma: '4:4:4', restartInterval: 4 });
    const rst = withRestarts.findIndex((b, i) => b === 0xff && withRestarts[i + 1] === 0xd3);
    const broken = Uint8Array.from([...withRestarts.subarray(0, rst), ...withRestarts.subarray(rst + 2)]);
    expectCorrupt(() => decodeJpeg(broken, 8));
  });

  it('when a progressive file repeats scans past the limit (CPU exhaustion guard)', async () => {
    const progressive = await toBytes(scene(64, 64).jpeg({ progressive: true }));
    const starts = scanStarts(progressive);
    const lastScan = progressive.subarray(starts[starts.length - 1], progressive.length - 2);
    const repeated = [...progressive.subarray(0, starts[starts.length - 1])];
    for (let i = 0; i < 300; i++) repeated.push(...lastScan);
    repeated.push(0xff, 0xd9);
    expectCorrupt(() => decodeJpeg(Uint8Array.from(repeated), 8), /more than 256 scans/);
    expect(decodeJpeg(progressive, 8).width).toBe(8); // the file itself is fine
  });

  /** Offsets of every SOS marker, walking segments and skipping entropy-coded data. */
  function scanStarts(bytes: Uint8Array): number[] {
    const found: number[] = [];
    let pos = 2;
    while (pos < bytes.length - 1) {
      const marker = bytes[pos + 1];
      if (marker === 0xd9) break;
      const end = pos + 2 + ((bytes[pos + 2] << 8) | bytes[pos + 3]);
      if (marker !== 0xda) {
        pos = end;
        continue;
      }
      found.push(pos);
      pos = end;
      while (!(bytes[pos] === 0xff && bytes[pos + 1] !== 0 && (bytes[pos + 1] < 0xd0 || bytes[pos + 1] > 0xd7))) pos++;
    }
    return found;
  }
});

describe('Huffman lookup tables', () => {
  it('decode every code of a table with one 16-bit lookup', () => {
    // Codes: 0 → "0", 1 → "10", 2 → "110", 0xf0 → "1110" (ZRL), 0x00 → "1111" ... as an AC table.
    const spec = { counts: Uint8Array.from([1, 1, 1, 2, ...new Array(12).fill(0)]), symbols: Uint8Array.from([0x01, 0x12, 0x23, 0xf0, 0x00]) };
    const lookup = buildHuffmanLookup(spec);
    expect(lookup.full[0b0 << 15]).toBe((0x01 << 8) | 1);
    expect(lookup.full[0b10 << 14]).toBe((0x12 << 8) | 2);
    expect(lookup.full[(0b1111 << 12) | 0xfff]).toBe((0x00 << 8) | 4);
    const skip = buildAcSkipLookup(lookup);
    expect(skip.full[0b10 << 14]).toBe(((1 + 1) << 5) | (2 + 2)); // run 1, size 2: advance 2, skip 2 + 2 bits
    expect(skip.full[0b1110 << 12]).toBe((16 << 5) | 4); // ZRL
    expect(skip.full[0b1111 << 12] >> 5).toBe(END_OF_BLOCK); // EOB
    expect(skip.fast[0b10 << 8]).toBe(skip.full[0b10 << 14]);
    // Multi-symbol: "10 xx" twice then EOB "1111" = 12 bits, three symbols, the block ends.
    expect(skip.multi[0b1001_1011_1111]).toBe(((2 + 2 + END_OF_BLOCK) << 5) | 12);
    // "0 x" (run 0, size 1) five times = 10 bits, then "11" is only the start of a longer code: stop there.
    expect(skip.multi[0b0101_0101_0111]).toBe((5 << 5) | 10);
    // "110" (run 2, size 3) needs 6 bits where 4 are known: stop before it; the decoder reads it on its own.
    expect(skip.multi[0b1001_1011_1100]).toBe(((2 + 2) << 5) | 8);
    // ZRL "1110" advances 16.
    expect(skip.multi[0b1110_1110_1111]).toBe(((16 + 16 + END_OF_BLOCK) << 5) | 12);
  });

  it('skip every AC code entry by entry as its symbol says, for generated tables (complete or not)', () => {
    // counts per length that fit (Kraft), with random symbols: the skip table must equal the per-entry formula.
    const spec = fc.array(fc.nat(8), { minLength: 16, maxLength: 16 }).chain((wanted) => {
      let room = 1;
      const counts = wanted.map((n, i) => {
        room *= 2;
        const count = Math.max(0, Math.min(n, room - (i === 15 ? 1 : 0)));
        room -= count;
        return count;
      });
      const total = counts.reduce((sum, n) => sum + n, 0);
      return fc.record({ counts: fc.constant(Uint8Array.from(counts)), symbols: fc.uint8Array({ minLength: total, maxLength: total }) });
    }).filter((table) => table.symbols.length > 0);
    fc.assert(fc.property(spec, (table) => {
      const lookup = buildHuffmanLookup(table);
      const skip = buildAcSkipLookup(lookup);
      for (let i = 0; i < lookup.full.length; i++) {
        const entry = lookup.full[i];
        const symbol = entry >> 8;
        const size = symbol & 15;
        const advance = size !== 0 ? (symbol >> 4) + 1 : symbol >> 4 === 15 ? 16 : END_OF_BLOCK;
        if (skip.full[i] !== (entry === 0 ? 0 : (advance << 5) | ((entry & 0xff) + size))) throw new Error(`entry ${i} differs`);
      }
    }), { numRuns: 60 });
  });

  it('refuse a table with more codes than fit their lengths', () => {
    const spec = { counts: Uint8Array.from([3, ...new Array(15).fill(0)]), symbols: Uint8Array.from([1, 2, 3]) };
    expectCorrupt(() => buildHuffmanLookup(spec), /more codes than fit/);
  });
});

describe('scaled inverse DCT', () => {
  it('turns a DC-only block into its flat mean at every scale', () => {
    for (const scale of [1, 2, 4, 8] as const) {
      const idct = createScaledIdct(scale);
      const coefficients = new Int32Array(64);
      coefficients[0] = 80; // mean = 80 / 8 + 128 = 138
      const out = new Uint8ClampedArray(idct.n * idct.n);
      inverseDctBlock(idct, coefficients, 0, out, 0, idct.n);
      expect(new Set(out)).toEqual(new Set([138]));
    }
  });

  it('at full size equals the T.81 A.3.3 formula', () => {
    const coefficients = new Int32Array(64);
    coefficients[1] = 100; // zigzag 1 = row 0, column 1: a horizontal half cosine
    coefficients[2] = -60; // zigzag 2 = row 1, column 0
    const idct = createScaledIdct(1);
    const out = new Uint8ClampedArray(64);
    inverseDctBlock(idct, coefficients, 0, out, 0, 8);
    const c = (u: number): number => (u === 0 ? Math.SQRT1_2 : 1);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        let value = 128;
        for (let k = 0; k < 64; k++) {
          const v = ZIGZAG[k] >> 3;
          const u = ZIGZAG[k] & 7;
          value += (c(u) * c(v) / 4) * coefficients[k] * Math.cos(((2 * x + 1) * u * Math.PI) / 16) * Math.cos(((2 * y + 1) * v * Math.PI) / 16);
        }
        expect(Math.abs(out[y * 8 + x] - value)).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('needs only the zigzag coefficients of the n×n corner', () => {
    expect([1, 2, 4, 8].map((s) => createScaledIdct(s as 1 | 2 | 4 | 8).coefficientsNeeded)).toEqual([64, 25, 5, 1]);
  });
});

describe('JPEG colour models', () => {
  it('follow libjpeg: gray, YCbCr unless Adobe transform 0 or ids "RGB", YCCK for Adobe transform 2', () => {
    expect(jpegColorModel([1], undefined)).toBe('gray');
    expect(jpegColorModel([1, 2, 3], undefined)).toBe('ycbcr');
    expect(jpegColorModel([1, 2, 3], 1)).toBe('ycbcr');
    expect(jpegColorModel([1, 2, 3], 0)).toBe('rgb');
    expect(jpegColorModel([0x52, 0x47, 0x42], undefined)).toBe('rgb');
    expect(jpegColorModel([1, 2, 3, 4], 0)).toBe('cmyk');
    expect(jpegColorModel([1, 2, 3, 4], 2)).toBe('ycck');
  });

  const plane = (value: number) => ({ data: Uint8ClampedArray.from([value]), stride: 1, h: 1, v: 1 });
  const pixel = (values: number[], model: Parameters<typeof planesToRgb>[5], inverted: boolean): number[] =>
    Array.from(planesToRgb(values.map(plane), 1, 1, 1, 1, model, inverted));

  it('convert one pixel of each model to RGB', () => {
    expect(pixel([100], 'gray', false)).toEqual([100, 100, 100]);
    expect(pixel([10, 20, 30], 'rgb', false)).toEqual([10, 20, 30]);
    expect(pixel([128, 128, 128], 'ycbcr', false)).toEqual([128, 128, 128]);
    expect(pixel([76, 85, 255], 'ycbcr', false)).toEqual([254, 0, 0]); // JFIF red, within rounding
    // Adobe CMYK is stored inverted: 255 = no ink. No ink → white; full K → black.
    expect(pixel([255, 255, 255, 255], 'cmyk', true)).toEqual([255, 255, 255]);
    expect(pixel([255, 255, 255, 0], 'cmyk', true)).toEqual([0, 0, 0]);
    expect(pixel([0, 255, 255, 255], 'cmyk', true)).toEqual([0, 255, 255]); // full cyan
    expect(pixel([255, 0, 0, 0], 'cmyk', false)).toEqual([0, 255, 255]); // plain (not inverted): full cyan
    // YCCK: YCbCr of (255 - C, 255 - M, 255 - Y) as stored; Y=255 neutral → C=M=Y=0 stored → full ink when inverted.
    expect(pixel([0, 128, 128, 255], 'ycck', true)).toEqual([255, 255, 255]);
  });

  it('upsample subsampled chroma by replication', () => {
    const luma = { data: Uint8ClampedArray.from([128, 128, 128, 128]), stride: 2, h: 2, v: 2 };
    const cb = { data: Uint8ClampedArray.from([128]), stride: 1, h: 1, v: 1 };
    const cr = { data: Uint8ClampedArray.from([200]), stride: 1, h: 1, v: 1 };
    const rgb = planesToRgb([luma, cb, cr], 2, 2, 2, 2, 'ycbcr', false);
    expect(new Set([rgb[0], rgb[3], rgb[6], rgb[9]]).size).toBe(1);
    expect(rgb[0]).toBeGreaterThan(200);
  });
});
