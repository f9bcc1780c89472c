/**
 * A small PNG decoder on node:zlib: every colour type and bit depth of the PNG spec, Adam7 interlacing, palette and
 * tRNS transparency, to 8-bit RGB.
 *
 * Written here rather than taken from pngjs for two reasons: pngjs inflates interlaced images with no output limit
 * (a few KB of IDAT can inflate to gigabytes), and it always builds an RGBA copy on top of the inflated data. This
 * one inflates with `maxOutputLength` set to the size the header implies, and writes RGB straight from the
 * unfiltered rows.
 *
 * Transparency is composited onto white. A transparent pixel's colour is whatever the encoder left there (often
 * black), so dropping alpha can turn a product shot on a transparent background into one on black; white is what a
 * viewer shows. (TensorFlow's `decode_image(channels=3)` drops alpha instead; that does not matter as long as the
 * training images go through this same function, which is why it is shared.)
 */
import { crc32, inflateSync } from 'node:zlib';
import { ExifOrientation, readExifOrientation } from './exif';
import { ImageError } from './image-error';
import { BoxShrinker, boxShrink } from './resize';
import { RgbImage } from './rgb-image';

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA */
  readonly colorType: number;
  readonly interlaced: boolean;
  /** from an eXIf chunk before the image data, else 1 */
  readonly orientation: ExifOrientation;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const VALID_DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

interface Chunk {
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

function corrupt(message: string): ImageError {
  return new ImageError('CORRUPT_IMAGE', `The PNG image is corrupt or truncated: ${message}.`);
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Reads IHDR (which must come first) and an eXIf chunk if one precedes the image data. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (!isPng(bytes)) throw corrupt('no PNG signature');
  const ihdr = readChunk(bytes, 8);
  if (ihdr.type !== 'IHDR' || ihdr.end - ihdr.start !== 13) throw corrupt('the first chunk is not a valid IHDR');
  checkCrc(bytes, ihdr);
  const at = ihdr.start;
  const width = readUint32(bytes, at);
  const height = readUint32(bytes, at + 4);
  const bitDepth = bytes[at + 8];
  const colorType = bytes[at + 9];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw corrupt('invalid width or height');
  if (!VALID_DEPTHS[colorType]?.includes(bitDepth)) throw corrupt(`invalid colour type ${colorType} with bit depth ${bitDepth}`);
  if (bytes[at + 10] !== 0 || bytes[at + 11] !== 0 || bytes[at + 12] > 1) throw corrupt('unknown compression, filter or interlace method');

  let orientation: ExifOrientation = 1;
  for (let pos = ihdr.end + 4; pos < bytes.length;) {
    const chunk = readChunk(bytes, pos);
    if (chunk.type === 'IDAT' || chunk.type === 'IEND') break;
    if (chunk.type === 'eXIf') orientation = readExifOrientation(bytes.subarray(chunk.start, chunk.end));
    pos = chunk.end + 4;
  }
  return { width, height, bitDepth, colorType, interlaced: bytes[at + 12] === 1, orientation };
}

/**
 * Decodes to RGB, transparency composited onto white, area-averaged by whole factors `reduceBy` (see resize.ts;
 * default none) while decoding, so that a large PNG never exists at full size in RGB.
 */
export function decodePng(bytes: Uint8Array, reduceBy: { readonly x: number; readonly y: number } = { x: 1, y: 1 }): RgbImage {
  const header = readPngHeader(bytes);
  const { width, height, colorType } = header;
  const palette = new Uint8Array(256 * 4); // RGBA; entries past PLTE stay black, as libpng shows them
  let transparentKey: number[] | undefined;
  const idat: Uint8Array[] = [];
  let pos = 8;
  for (;;) {
    if (pos >= bytes.length) break; // no IEND: accepted if the image data is complete
    const chunk = readChunk(bytes, pos);
    pos = chunk.end + 4;
    const data = bytes.subarray(chunk.start, chunk.end);
    if (chunk.type === 'IEND') break;
    if (chunk.type === 'IDAT') {
      checkCrc(bytes, chunk);
      idat.push(data);
    } else if (chunk.type === 'PLTE') {
      checkCrc(bytes, chunk);
      if (data.length % 3 !== 0 || data.length > 768) throw corrupt('invalid palette');
      for (let i = 0; i < data.length / 3; i++) palette.set([data[3 * i], data[3 * i + 1], data[3 * i + 2], 255], 4 * i);
    } else if (chunk.type === 'tRNS') {
      if (colorType === 3) {
        for (let i = 0; i < Math.min(data.length, 256); i++) palette[4 * i + 3] = data[i];
      } else if ((colorType === 0 && data.length >= 2) || (colorType === 2 && data.length >= 6)) {
        transparentKey = [0, 2, 4].slice(0, colorType === 0 ? 1 : 3).map((i) => (data[i] << 8) | data[i + 1]);
      }
    }
  }
  if (idat.length === 0) throw corrupt('no image data');

  const bitsPerPixel = CHANNELS[colorType] * header.bitDepth;
  const passes = header.interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const layout = passes.map(([x0, y0, dx, dy]) => {
    const passWidth = Math.ceil((width - x0) / dx);
    const passHeight = Math.ceil((height - y0) / dy);
    const rowBytes = Math.ceil((passWidth * bitsPerPixel) / 8);
    return { x0, y0, dx, dy, passWidth, passHeight, rowBytes, size: passWidth > 0 && passHeight > 0 ? (rowBytes + 1) * passHeight : 0 };
  });
  const expected = layout.reduce((sum, p) => sum + p.size, 0);
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch {
    throw corrupt('the compressed image data is damaged, truncated or larger than the header says');
  }
  if (inflated.length !== expected) throw corrupt('the image data is shorter than the header says');

  const converter = new RowConverter(header, palette, transparentKey);
  if (!header.interlaced) {
    // Rows arrive top to bottom: average them into the reduced picture one by one.
    const pass = layout[0];
    unfilter(inflated, 0, pass.rowBytes, height, Math.max(1, bitsPerPixel >> 3));
    const shrinker = new BoxShrinker(width, height, reduceBy.x, reduceBy.y);
    const row = new Uint8ClampedArray(width * 3);
    for (let y = 0; y < height; y++) {
      converter.convert(inflated, y * (pass.rowBytes + 1) + 1, width, row, 0, 3);
      shrinker.addRow(y, row, 0);
    }
    return shrinker.result();
  }
  // Adam7 scatters each pass over the whole picture: decode it at full size first.
  const out = new Uint8ClampedArray(width * height * 3);
  let offset = 0;
  for (const pass of layout) {
    if (pass.size === 0) continue;
    unfilter(inflated, offset, pass.rowBytes, pass.passHeight, Math.max(1, bitsPerPixel >> 3));
    for (let y = 0; y < pass.passHeight; y++) {
      const rowStart = offset + y * (pass.rowBytes + 1) + 1;
      const outStart = ((pass.y0 + y * pass.dy) * width + pass.x0) * 3;
      converter.convert(inflated, rowStart, pass.passWidth, out, outStart, pass.dx * 3);
    }
    offset += pass.size;
  }
  return boxShrink({ width, height, data: new Uint8Array(out.buffer) }, reduceBy.x, reduceBy.y);
}

/** Reverses the per-row filters (PNG spec section 9) in place; `bpp` is bytes per complete pixel, at least 1. */
function unfilter(data: Uint8Array, offset: number, rowBytes: number, rows: number, bpp: number): void {
  for (let y = 0; y < rows; y++) {
    const filterAt = offset + y * (rowBytes + 1);
    const row = filterAt + 1;
    const prior = row - (rowBytes + 1); // only read when y > 0
    const filter = data[filterAt];
    if (filter === 0) continue;
    if (filter > 4) throw corrupt(`unknown row filter ${filter}`);
    for (let i = 0; i < rowBytes; i++) {
      const left = i >= bpp ? data[row + i - bpp] : 0;
      const up = y > 0 ? data[prior + i] : 0;
      let predictor: number;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else {
        const upLeft = y > 0 && i >= bpp ? data[prior + i - bpp] : 0;
        const p = left + up - upLeft;
        const pa = p > left ? p - left : left - p;
        const pb = p > up ? p - up : up - p;
        const pc = p > upLeft ? p - upLeft : upLeft - p;
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      data[row + i] = data[row + i] + predictor;
    }
  }
}

/** Turns one unfiltered row of any colour type and depth into RGB composited onto white. */
class RowConverter {
  private readonly maxSample: number;

  constructor(private readonly header: PngHeader, private readonly palette: Uint8Array,
    private readonly transparentKey: number[] | undefined) {
    this.maxSample = (1 << Math.min(header.bitDepth, 8)) - 1;
  }

  public convert(row: Uint8Array, start: number, count: number, out: Uint8ClampedArray, at: number, step: number): void {
    const { colorType, bitDepth } = this.header;
    const wide = bitDepth === 16;
    const key = this.transparentKey;
    const channels = CHANNELS[colorType];
    for (let i = 0; i < count; i++, at += step) {
      let r: number;
      let g: number;
      let b: number;
      let a = 255;
      if (bitDepth < 8) {
        const bit = i * bitDepth;
        const sample = (row[start + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & this.maxSample;
        if (colorType === 3) {
          r = this.palette[4 * sample];
          g = this.palette[4 * sample + 1];
          b = this.palette[4 * sample + 2];
          a = this.palette[4 * sample + 3];
        } else {
          r = g = b = (sample * 255) / this.maxSample;
          if (key && sample === key[0]) a = 0;
        }
      } else {
        // 8- or 16-bit samples; a 16-bit sample contributes its high byte.
        const m = wide ? 2 : 1;
        const p = start + i * channels * m;
        if (colorType === 3) {
          const index = row[p];
          r = this.palette[4 * index];
          g = this.palette[4 * index + 1];
          b = this.palette[4 * index + 2];
          a = this.palette[4 * index + 3];
        } else if (colorType === 0 || colorType === 4) {
          r = g = b = row[p];
          if (colorType === 4) a = row[p + m];
          else if (key && sampleAt(row, p, wide) === key[0]) a = 0;
        } else {
          r = row[p];
          g = row[p + m];
          b = row[p + 2 * m];
          if (colorType === 6) a = row[p + 3 * m];
          else if (key && sampleAt(row, p, wide) === key[0] && sampleAt(row, p + m, wide) === key[1]
            && sampleAt(row, p + 2 * m, wide) === key[2]) a = 0;
        }
      }
      if (a === 255) {
        out[at] = r;
        out[at + 1] = g;
        out[at + 2] = b;
      } else {
        const white = 255 - a;
        out[at] = (r * a) / 255 + white;
        out[at + 1] = (g * a) / 255 + white;
        out[at + 2] = (b * a) / 255 + white;
      }
    }
  }
}

/** A whole sample (8 or 16 bits) for comparing with a tRNS colour key. */
function sampleAt(row: Uint8Array, p: number, wide: boolean): number {
  return wide ? (row[p] << 8) | row[p + 1] : row[p];
}

function readChunk(bytes: Uint8Array, pos: number): Chunk {
  if (pos + 8 > bytes.length) throw corrupt('the data ends inside a chunk header');
  const length = readUint32(bytes, pos);
  const start = pos + 8;
  if (length > 0x7fffffff || start + length + 4 > bytes.length) throw corrupt('a chunk runs past the end of the data');
  const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
  return { type, start, end: start + length };
}

/** Critical chunks must have a correct CRC (as libpng requires); ancillary ones are not checked. */
function checkCrc(bytes: Uint8Array, chunk: Chunk): void {
  if (crc32(bytes.subarray(chunk.start - 4, chunk.end)) !== readUint32(bytes, chunk.end)) throw corrupt(`${chunk.type} checksum mismatch`);
}

function readUint32(bytes: Uint8Array, at: number): number {
  return bytes[at] * 0x1000000 + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]);
}
