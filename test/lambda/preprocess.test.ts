import { deflateSync } from 'zlib';
import * as fc from 'fast-check';
import sharp, { type Sharp } from 'sharp';
import { ImageError, ImageErrorCode } from '../../lambda/image/image-error';
import * as jpegDecode from '../../lambda/image/jpeg-decode';
import { PreprocessedImage, preprocessImage } from '../../lambda/image/preprocess';
import * as tensorEngine from '../../lambda/image/tensor-engine';
import { meanAbsDiff, nativeTfjsLoads, orientationFixture, pngChunk, rawRgb, scene, seededRandom, toBytes } from './image-fixtures';

const SIZE = 224;
const expectedEngine = nativeTfjsLoads() ? 'tfjs-node' : 'js';

async function expectImageError(bytes: Uint8Array, code: ImageErrorCode, options = {}): Promise<ImageError> {
  const error = await preprocessImage(bytes, { size: SIZE, ...options }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ImageError);
  expect((error as ImageError).code).toBe(code);
  return error as ImageError;
}

/** Decodes the output back (with sharp, an independent decoder) and checks it is an RGB JPEG of size×size. */
async function expectModelInput(result: PreprocessedImage): Promise<Uint8Array> {
  const meta = await sharp(result.jpeg).metadata();
  expect(meta).toMatchObject({ format: 'jpeg', width: SIZE, height: SIZE, channels: 3, space: 'srgb' });
  expect(result.size).toBe(SIZE);
  return (await rawRgb(result.jpeg)).data;
}

describe('preprocessImage: EXIF orientation', () => {
  /*
   * Threshold: the eight files hold the same photo rotated/mirrored and re-encoded, so even a correct pipeline does
   * not reproduce `*_1` exactly (block grid and chroma siting move with the rotation, JPEG re-quantizes). Measured
   * 0.3–1.7 for correct outputs; a wrongly oriented output of these scenes differs by 39 to 85 (the test below
   * applies each of the 7 wrong transforms to the upright output and requires > 16), so 4 separates the two with a
   * wide margin on both sides.
   */
  const THRESHOLD = 4;

  for (const scenery of ['Landscape', 'Portrait']) {
    describe(scenery, () => {
      let upright: Uint8Array;
      const outputs: Uint8Array[] = [];

      beforeAll(async () => {
        upright = await expectModelInput(await preprocessImage(orientationFixture(`${scenery}_1.jpg`), { size: SIZE }));
      });

      for (let orientation = 1; orientation <= 8; orientation++) {
        it(`${scenery}_${orientation}.jpg comes out upright`, async () => {
          const result = await preprocessImage(orientationFixture(`${scenery}_${orientation}.jpg`), { size: SIZE });
          expect(result.source.orientation).toBe(orientation);
          const pixels = await expectModelInput(result);
          outputs[orientation] = pixels;
          expect(meanAbsDiff(pixels, upright)).toBeLessThan(THRESHOLD);
        });
      }

      it('a wrongly oriented output would fail the threshold (the test can fail)', async () => {
        // Apply each of the 7 other orientations to the upright output: all are far from it.
        for (const wrong of [2, 3, 4, 5, 6, 7, 8] as const) {
          const { data } = await rawRgb(await toBytes(orientWith(sharp(upright, { raw: { width: SIZE, height: SIZE, channels: 3 } }), wrong).jpeg()));
          expect(meanAbsDiff(data, upright)).toBeGreaterThan(THRESHOLD * 4);
        }
      });
    });
  }

  function orientWith(image: Sharp, orientation: 2 | 3 | 4 | 5 | 6 | 7 | 8): Sharp {
    switch (orientation) {
      case 2: return image.flop();
      case 3: return image.rotate(180);
      case 4: return image.flip();
      case 5: return image.rotate(90).flop();
      case 6: return image.rotate(90);
      case 7: return image.rotate(270).flop();
      case 8: return image.rotate(270);
    }
  }
});

describe('preprocessImage: every supported kind of input gives a size×size RGB JPEG', () => {
  const WIDTH = 640;
  const HEIGHT = 480;
  let reference: Uint8Array;

  beforeAll(async () => {
    // What the output should look like: the same scene squashed to 224×224 by libvips.
    reference = (await rawRgb(await toBytes(scene(SIZE, SIZE).jpeg({ quality: 95 })))).data;
  });

  const cases: Array<[string, () => Sharp, number]> = [
    // [name, input, largest mean abs difference from the reference]: 10 for a faithful picture (measured 2–5),
    // 25 for the lossy/naive ones (gray, palette quantization, CMYK without colour management).
    ['baseline JPEG 4:2:0', () => scene(WIDTH, HEIGHT).jpeg({ quality: 90 }), 10],
    ['baseline JPEG 4:4:4', () => scene(WIDTH, HEIGHT).jpeg({ quality: 90, chromaSubsampling: '4:4:4' }), 10],
    ['progressive JPEG', () => scene(WIDTH, HEIGHT).jpeg({ quality: 90, progressive: true }), 10],
    ['large progressive JPEG (decoded at 1/8)', () => scene(2000, 1800).jpeg({ quality: 85, progressive: true }), 10],
    ['grayscale JPEG', () => scene(WIDTH, HEIGHT).grayscale().jpeg(), 25],
    ['CMYK JPEG', () => scene(WIDTH, HEIGHT).toColourspace('cmyk').jpeg(), 25],
    ['PNG RGB', () => scene(WIDTH, HEIGHT).png(), 10],
    ['PNG RGBA (opaque)', () => scene(WIDTH, HEIGHT).ensureAlpha().png(), 10],
    ['PNG grayscale', () => scene(WIDTH, HEIGHT).grayscale().png(), 25],
    ['PNG palette', () => scene(WIDTH, HEIGHT).png({ palette: true, colours: 64 }), 25],
    ['PNG 16-bit', () => scene(WIDTH, HEIGHT).toColourspace('rgb16').png(), 10],
    ['PNG interlaced', () => scene(WIDTH, HEIGHT).png({ progressive: true }), 10],
  ];
  for (const [name, make, tolerance] of cases) {
    it(name, async () => {
      const input = await toBytes(make());
      const result = await preprocessImage(input, { size: SIZE });
      const pixels = await expectModelInput(result);
      expect(meanAbsDiff(pixels, reference)).toBeLessThan(tolerance);
      expect(result.engine).toBe(expectedEngine);
    });
  }

  it('reports the source format, stored size and orientation', async () => {
    const result = await preprocessImage(orientationFixture('Portrait_6.jpg'), { size: SIZE });
    expect(result.source).toEqual({ format: 'jpeg', width: 1800, height: 1200, orientation: 6 });
    const png = await preprocessImage(await toBytes(scene(300, 200).png()), { size: 96 });
    expect(png.source).toEqual({ format: 'png', width: 300, height: 200, orientation: 1 });
    expect((await sharp(png.jpeg).metadata()).width).toBe(96);
  });

  it('composites transparent PNG pixels onto white', async () => {
    const transparentBlack = await toBytes(sharp({ create: { width: 300, height: 300, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png());
    const pixels = await expectModelInput(await preprocessImage(transparentBlack, { size: SIZE }));
    expect(pixels.reduce((low, v) => Math.min(low, v), 255)).toBeGreaterThanOrEqual(250);
  });

  it('accepts a Buffer that is a view into a larger pooled ArrayBuffer', async () => {
    const jpeg = await toBytes(scene(320, 240).jpeg());
    const pool = Buffer.alloc(jpeg.length + 1000);
    pool.set(jpeg, 333);
    const view = pool.subarray(333, 333 + jpeg.length);
    const fromView = await preprocessImage(view, { size: SIZE });
    const fromCopy = await preprocessImage(jpeg, { size: SIZE });
    expect(Buffer.from(fromView.jpeg).equals(Buffer.from(fromCopy.jpeg))).toBe(true);
  });

  it('upscales a picture smaller than the model input', async () => {
    await expectModelInput(await preprocessImage(await toBytes(scene(50, 30).jpeg()), { size: SIZE }));
  });

  it('does not alias when shrinking fine detail by a large factor', async () => {
    // One-pixel black/white stripes, 4000 wide: a plain bilinear 18× shrink samples them into bold false stripes;
    // an area-averaged shrink gives an even gray.
    const width = 4000;
    const height = 2000;
    const stripes = Buffer.alloc(width * height * 3);
    for (let i = 0; i < width * height; i++) stripes.fill((i % width) % 2 === 0 ? 0 : 255, 3 * i, 3 * i + 3);
    for (const input of [
      await toBytes(sharp(stripes, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 })),
      await toBytes(sharp(stripes, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 })),
    ]) {
      const pixels = await expectModelInput(await preprocessImage(input, { size: SIZE }));
      const mean = pixels.reduce((s, v) => s + v, 0) / pixels.length;
      const spread = Math.sqrt(pixels.reduce((s, v) => s + (v - mean) ** 2, 0) / pixels.length);
      expect(Math.abs(mean - 127.5)).toBeLessThan(10);
      expect(spread).toBeLessThan(8);
    }
  });

  it('honours the JPEG quality option', async () => {
    const input = await toBytes(scene(WIDTH, HEIGHT).jpeg());
    const low = await preprocessImage(input, { size: SIZE, jpegQuality: 20 });
    const high = await preprocessImage(input, { size: SIZE, jpegQuality: 100 });
    expect(low.jpeg.length * 2).toBeLessThan(high.jpeg.length);
  });

  it('turns an unexpected error while reading the bytes into CORRUPT_IMAGE, but lets engine failures through', async () => {
    const input = await toBytes(scene(64, 64).jpeg());
    const decoder = jest.spyOn(jpegDecode, 'decodeJpeg').mockImplementation(() => {
      throw new RangeError('Offset is outside the bounds of the DataView');
    });
    try {
      await expectImageError(input, 'CORRUPT_IMAGE');
    } finally {
      decoder.mockRestore();
    }
    const engine = jest.spyOn(tensorEngine, 'loadTensorEngine').mockRejectedValue(new Error('engine down'));
    try {
      const error = await preprocessImage(input, { size: SIZE }).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(ImageError); // a 5xx for the handler, not the caller's fault
      expect((error as Error).message).toBe('engine down');
    } finally {
      engine.mockRestore();
    }
  });

  it('rejects invalid options with a RangeError naming them (a configuration error, not the caller\'s)', async () => {
    const input = await toBytes(scene(64, 64).jpeg());
    await expect(preprocessImage(input, { size: 0 })).rejects.toThrow(/size must be an integer in \[1, 4096\], got 0/);
    await expect(preprocessImage(input, { size: SIZE, jpegQuality: 101 })).rejects.toThrow(RangeError);
  });
});

describe('preprocessImage: bad inputs throw ImageError with the documented code', () => {
  let photo: Uint8Array;
  let progressive: Uint8Array;

  beforeAll(async () => {
    photo = orientationFixture('Landscape_1.jpg');
    progressive = await toBytes(scene(640, 480).jpeg({ progressive: true }));
  });

  it('zero bytes → EMPTY_IMAGE (400)', async () => {
    const error = await expectImageError(new Uint8Array(0), 'EMPTY_IMAGE');
    expect(error.status).toBe(400);
  });

  it('a text file named .jpg → UNSUPPORTED_IMAGE_TYPE', async () => {
    await expectImageError(new TextEncoder().encode('hello, this is not a picture.jpg\n'), 'UNSUPPORTED_IMAGE_TYPE');
  });

  it('more bytes than maxBytes → IMAGE_TOO_LARGE (413), before anything is decoded', async () => {
    const error = await expectImageError(photo, 'IMAGE_TOO_LARGE', { maxBytes: 1000 });
    expect(error.status).toBe(413);
    expect(error.message).toContain('at most 1000 bytes');
  });

  it('a truncated baseline JPEG → CORRUPT_IMAGE, wherever it is cut', async () => {
    for (const fraction of [0.5, 0.1, 0.3, 0.9, 0.999]) {
      await expectImageError(photo.subarray(0, Math.floor(photo.length * fraction)), 'CORRUPT_IMAGE');
    }
    await expectImageError(photo.subarray(0, 100), 'CORRUPT_IMAGE'); // inside the header
    await expectImageError(photo.subarray(0, sosEnd(photo)), 'CORRUPT_IMAGE'); // header complete, no image data
  });

  it('a truncated progressive JPEG → CORRUPT_IMAGE', async () => {
    for (const fraction of [0.5, 0.2, 0.95]) {
      await expectImageError(progressive.subarray(0, Math.floor(progressive.length * fraction)), 'CORRUPT_IMAGE');
    }
  });

  it('a baseline JPEG missing only its end-of-image marker is still complete and accepted', async () => {
    const result = await preprocessImage(photo.subarray(0, photo.length - 2), { size: SIZE });
    expect(result.size).toBe(SIZE);
  });

  it('a truncated PNG → CORRUPT_IMAGE', async () => {
    const png = await toBytes(scene(300, 200).png());
    for (const fraction of [0.5, 0.05, 0.99]) await expectImageError(png.subarray(0, Math.floor(png.length * fraction)), 'CORRUPT_IMAGE');
  });

  it('a PNG header claiming 100000×100000 → TOO_MANY_PIXELS (413), fast and without a large allocation', async () => {
    const bomb = pngWithHeader(100_000, 100_000);
    const before = process.memoryUsage().arrayBuffers;
    const started = process.hrtime.bigint();
    const error = await expectImageError(bomb, 'TOO_MANY_PIXELS');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(error.status).toBe(413);
    expect(error.message).toContain('100000×100000');
    expect(ms).toBeLessThan(50);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10 * 1024 * 1024);
  });

  it('a JPEG header claiming 65535×65535, or just over maxPixels, → TOO_MANY_PIXELS', async () => {
    await expectImageError(withJpegSize(photo, 65535, 65535), 'TOO_MANY_PIXELS');
    await expectImageError(withJpegSize(photo, 8000, 6251), 'TOO_MANY_PIXELS'); // 50_008_000 pixels
    await expectImageError(photo, 'TOO_MANY_PIXELS', { maxPixels: 1800 * 1200 - 1 });
  });

  it('random garbage after a valid magic → CORRUPT_IMAGE', async () => {
    const random = seededRandom(7);
    const garbage = (n: number): number[] => Array.from({ length: n }, () => Math.floor(random() * 256));
    await expectImageError(Uint8Array.from([0xff, 0xd8, 0xff, ...garbage(5000)]), 'CORRUPT_IMAGE');
    await expectImageError(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...garbage(5000)]), 'CORRUPT_IMAGE');
    // Valid headers, garbage entropy-coded data.
    const start = sosEnd(photo);
    await expectImageError(Uint8Array.from([...photo.subarray(0, start), ...garbage(20000), 0xff, 0xd9]), 'CORRUPT_IMAGE');
  });

  it('an arithmetic-coded or 12-bit JPEG → UNSUPPORTED_IMAGE_TYPE', async () => {
    const sof = findMarker(photo, 0xc0);
    const arithmetic = photo.slice();
    arithmetic[sof + 1] = 0xc9;
    await expectImageError(arithmetic, 'UNSUPPORTED_IMAGE_TYPE');
    const twelveBit = photo.slice();
    twelveBit[sof + 4] = 12;
    await expectImageError(twelveBit, 'UNSUPPORTED_IMAGE_TYPE');
  });

  describe('property: damaged real files give an image or an ImageError, never another error and never a hang', () => {
    let inputs: Uint8Array[];
    beforeAll(async () => {
      inputs = [
        await toBytes(scene(160, 120).jpeg({ quality: 80 })),
        await toBytes(scene(160, 120).jpeg({ quality: 80, progressive: true })),
        await toBytes(scene(160, 120).grayscale().jpeg({ quality: 80, progressive: true })),
        await toBytes(scene(64, 48).png()),
      ];
    });

    /** Runs one damaged input; returns 'image' or the ImageError code, rethrows anything else. */
    async function outcome(bytes: Uint8Array): Promise<string> {
      const started = Date.now();
      const result = await preprocessImage(bytes, { size: 64 }).then((r) => r, (e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(5000);
      if (result instanceof ImageError) return result.code;
      if (result instanceof Error) throw result;
      expect((await sharp((result as PreprocessedImage).jpeg).metadata()).width).toBe(64);
      return 'image';
    }

    it('truncated anywhere, with a few bytes overwritten', async () => {
      const seen = new Set<string>();
      await fc.assert(fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9_999 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        async (which, keep, flips) => {
          // Positions in ten-thousandths of the file, so that every part of it is hit (not only the ends).
          const bytes = inputs[which].slice(0, Math.round((inputs[which].length * keep) / 10_000));
          for (const [where, value] of flips) if (bytes.length > 0) bytes[Math.floor((where * bytes.length) / 10_000)] = value;
          seen.add(await outcome(bytes));
        },
      ), { numRuns: 400, seed: 20251128 });
      expect(seen).toContain('CORRUPT_IMAGE');
      expect(seen).toContain('EMPTY_IMAGE');
    });

    it('whole, with a few bytes of the image data overwritten (mostly still decodable)', async () => {
      const seen = new Set<string>();
      await fc.assert(fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 3_000, max: 9_999 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        async (which, flips) => {
          const bytes = inputs[which].slice();
          for (const [where, value] of flips) bytes[Math.floor((where * bytes.length) / 10_000)] = value;
          seen.add(await outcome(bytes));
        },
      ), { numRuns: 150, seed: 1128 });
      expect(seen).toContain('image'); // the property covered decoding damaged data, not only early refusals
      expect(seen).toContain('CORRUPT_IMAGE');
    });
  });
});

/** Offset just after the SOS header (where the entropy-coded data starts). */
function sosEnd(jpeg: Uint8Array): number {
  const at = findMarker(jpeg, 0xda);
  return at + 2 + ((jpeg[at + 2] << 8) | jpeg[at + 3]);
}

/** Offset of the 0xFF of the first segment with this marker, walking the segments. */
function findMarker(jpeg: Uint8Array, marker: number): number {
  let pos = 2;
  while (jpeg[pos + 1] !== marker) pos += 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
  return pos;
}

function withJpegSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const copy = jpeg.slice();
  const sof = findMarker(copy, 0xc0);
  copy.set([height >> 8, height & 255, width >> 8, width & 255], sof + 5);
  return copy;
}

/** A well-formed PNG (correct CRCs) whose IHDR declares width×height, with a tiny IDAT. */
function pngWithHeader(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(100))), pngChunk('IEND', new Uint8Array(0)),
  ]));
}
