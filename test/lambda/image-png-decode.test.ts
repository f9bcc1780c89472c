import { deflateSync } from 'zlib';
import sharp from 'sharp';
import { ImageError } from '../../lambda/image/image-error';
import { decodePng, readPngHeader } from '../../lambda/image/png-decode';
import { boxShrink } from '../../lambda/image/resize';
import { meanAbsDiff, pngChunk, rawRgb, scene, seededRandom, toBytes } from './image-fixtures';

interface PngSpec {
  readonly width: number;
  readonly height: number;
  readonly colorType: number;
  readonly bitDepth: number;
  /** unfiltered row bytes, one per row */
  readonly rows: Uint8Array[];
  /** filter type per row (cycled) */
  readonly filters?: number[];
  readonly chunksBeforeData?: Array<[string, Uint8Array]>;
}

/** A minimal PNG writer for the test: applies the requested row filters (PNG spec section 9) itself. */
function makePng(spec: PngSpec): Uint8Array {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[spec.colorType] as number;
  const bpp = Math.max(1, (channels * spec.bitDepth) >> 3);
  const filters = spec.filters ?? [0];
  const filtered = spec.rows.map((row, y) => {
    const filter = filters[y % filters.length];
    const prior = y > 0 ? spec.rows[y - 1] : new Uint8Array(row.length);
    const out = new Uint8Array(row.length + 1);
    out[0] = filter;
    for (let i = 0; i < row.length; i++) {
      const left = i >= bpp ? row[i - bpp] : 0;
      const up = prior[i];
      const upLeft = i >= bpp ? prior[i - bpp] : 0;
      const p = left + up - upLeft;
      const paeth = Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - upLeft) ? left
        : Math.abs(p - up) <= Math.abs(p - upLeft) ? up : upLeft;
      const predictor = [0, left, up, (left + up) >> 1, paeth][filter];
      out[i + 1] = (row[i] - predictor) & 255;
    }
    return out;
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(spec.width, 0);
  ihdr.writeUInt32BE(spec.height, 4);
  ihdr.set([spec.bitDepth, spec.colorType, 0, 0, 0], 8);
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...(spec.chunksBeforeData ?? []).map(([type, data]) => pngChunk(type, data)),
    pngChunk('IDAT', deflateSync(Buffer.concat(filtered))),
    pngChunk('IEND', new Uint8Array(0)),
  ]));
}

/** Random rows of packed samples for the given layout. */
function randomRows(width: number, height: number, channels: number, bitDepth: number, seed: number): Uint8Array[] {
  const random = seededRandom(seed);
  const rowBytes = Math.ceil((width * channels * bitDepth) / 8);
  return Array.from({ length: height }, () => Uint8Array.from({ length: rowBytes }, () => Math.floor(random() * 256)));
}

function expectCorrupt(bytes: Uint8Array, message: RegExp): void {
  let error: unknown;
  try {
    decodePng(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ImageError);
  expect((error as ImageError).code).toBe('CORRUPT_IMAGE');
  expect((error as ImageError).message).toMatch(message);
}

describe('decodePng matches libpng (via sharp), alpha composited onto white', () => {
  const layouts: Array<[string, number, number]> = [
    ['gray 1-bit', 0, 1], ['gray 2-bit', 0, 2], ['gray 4-bit', 0, 4], ['gray 8-bit', 0, 8], ['gray 16-bit', 0, 16],
    ['RGB 8-bit', 2, 8], ['RGB 16-bit', 2, 16], ['gray+alpha 8-bit', 4, 8], ['gray+alpha 16-bit', 4, 16],
    ['RGBA 8-bit', 6, 8], ['RGBA 16-bit', 6, 16],
  ];
  for (const [name, colorType, bitDepth] of layouts) {
    it(`${name}, every row filter`, async () => {
      const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType] as number;
      const png = makePng({ width: 37, height: 23, colorType, bitDepth, rows: randomRows(37, 23, channels, bitDepth, colorType * 100 + bitDepth), filters: [0, 1, 2, 3, 4] });
      const decoded = decodePng(png);
      const expected = await rawRgb(png);
      expect([decoded.width, decoded.height]).toEqual([37, 23]);
      // 16-bit: this decoder keeps the high byte, libvips rounds; compositing rounds differently. ≤ 1 per value.
      expect(meanAbsDiff(decoded.data, expected.data)).toBeLessThan(bitDepth === 16 || channels % 2 === 0 ? 1 : 0.001);
    });
  }

  it.each([1, 2, 4, 8])('palette %d-bit with tRNS alpha', async (bitDepth) => {
    const random = seededRandom(bitDepth);
    const entries = 1 << bitDepth;
    const palette = Uint8Array.from({ length: entries * 3 }, () => Math.floor(random() * 256));
    const alpha = Uint8Array.from({ length: entries }, (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? 255 : 128));
    const png = makePng({ width: 29, height: 11, colorType: 3, bitDepth, rows: randomRows(29, 11, 1, bitDepth, 7), filters: [4, 1],
      chunksBeforeData: [['PLTE', palette], ['tRNS', alpha]] });
    expect(meanAbsDiff(decodePng(png).data, (await rawRgb(png)).data)).toBeLessThan(1);
  });

  it('a tRNS colour key makes matching gray and RGB pixels transparent (white)', () => {
    const gray = makePng({ width: 2, height: 1, colorType: 0, bitDepth: 8, rows: [Uint8Array.from([7, 9])],
      chunksBeforeData: [['tRNS', Uint8Array.from([0, 7])]] });
    expect(Array.from(decodePng(gray).data)).toEqual([255, 255, 255, 9, 9, 9]);
    const rgb = makePng({ width: 2, height: 1, colorType: 2, bitDepth: 8, rows: [Uint8Array.from([1, 2, 3, 1, 2, 4])],
      chunksBeforeData: [['tRNS', Uint8Array.from([0, 1, 0, 2, 0, 3])]] });
    expect(Array.from(decodePng(rgb).data)).toEqual([255, 255, 255, 1, 2, 4]);
  });

  it('Adam7-interlaced RGB and palette images', async () => {
    for (const png of [await toBytes(scene(101, 67).png({ progressive: true })), await toBytes(scene(101, 67).png({ progressive: true, palette: true }))]) {
      expect(readPngHeader(png).interlaced).toBe(true);
      expect(meanAbsDiff(decodePng(png).data, (await rawRgb(png)).data)).toBeLessThan(0.001);
    }
  });

  it('area-averages while decoding exactly as boxShrink does after a full decode (plain and interlaced)', async () => {
    for (const png of [await toBytes(scene(203, 150).png()), await toBytes(scene(203, 150).png({ progressive: true }))]) {
      const reduced = decodePng(png, { x: 3, y: 2 });
      const expected = boxShrink(decodePng(png), 3, 2);
      expect([reduced.width, reduced.height]).toEqual([67, 75]);
      expect(Buffer.from(reduced.data).equals(Buffer.from(expected.data))).toBe(true);
    }
  });

  it('reads the orientation from an eXIf chunk', () => {
    const exif = Uint8Array.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    const png = makePng({ width: 1, height: 1, colorType: 0, bitDepth: 8, rows: [Uint8Array.from([0])], chunksBeforeData: [['eXIf', exif]] });
    expect(readPngHeader(png).orientation).toBe(6);
  });
});

describe('decodePng refuses broken files with CORRUPT_IMAGE', () => {
  const valid = (): Uint8Array => makePng({ width: 8, height: 8, colorType: 2, bitDepth: 8, rows: randomRows(8, 8, 3, 8, 1) });

  it('a damaged IDAT checksum', () => {
    const png = valid();
    const idat = Buffer.from(png).indexOf('IDAT');
    png[idat + 6] ^= 0xff;
    expectCorrupt(png, /IDAT checksum mismatch/);
  });

  it('image data that inflates to more than the header says (a decompression bomb)', () => {
    const rows = Array.from({ length: 8 }, () => new Uint8Array(24));
    const png = makePng({ width: 8, height: 8, colorType: 2, bitDepth: 8, rows: [...rows, ...Array.from({ length: 10_000 }, () => new Uint8Array(24))] });
    expectCorrupt(png, /larger than the header says/);
  });

  it('image data shorter than the header says', () => {
    const png = makePng({ width: 8, height: 8, colorType: 2, bitDepth: 8, rows: randomRows(8, 4, 3, 8, 2) });
    expectCorrupt(png, /shorter than the header says/);
  });

  it('an unknown row filter', () => {
    const png = makePng({ width: 8, height: 2, colorType: 2, bitDepth: 8, rows: randomRows(8, 2, 3, 8, 3), filters: [5] });
    expectCorrupt(png, /unknown row filter 5/);
  });

  it('an invalid colour type and bit depth pair, or a zero size', () => {
    expectCorrupt(makePng({ width: 1, height: 1, colorType: 2, bitDepth: 4, rows: [new Uint8Array(2)] }), /colour type 2 with bit depth 4/);
    expectCorrupt(makePng({ width: 0, height: 1, colorType: 0, bitDepth: 8, rows: [new Uint8Array(0)] }), /invalid width or height/);
  });

  it('a file cut inside a chunk', () => {
    const png = valid();
    expectCorrupt(png.subarray(0, png.length - 20), /runs past the end|damaged|no image data/);
  });

  it('large real PNGs still decode like libpng', async () => {
    const png = await toBytes(sharp({ create: { width: 1200, height: 900, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } }).png());
    expect(meanAbsDiff(decodePng(png).data, (await rawRgb(png)).data)).toBeLessThan(1);
  });
});
