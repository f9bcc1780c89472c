import * as fc from 'fast-check';
import sharp from 'sharp';
import { ImageError } from '../../lambda/image/image-error';
import { encodeJpeg } from '../../lambda/image/jpeg-encode';
import { cappedSize, normaliseImage, orientPixels, uprightSize, verifyImage } from '../../lambda/image/normalise';
import { orientationTransform } from '../../lambda/image/tensor-engine';
import type { ExifOrientation } from '../../lambda/image/exif';
import { meanAbsDiff, orientationFixture, rawRgb, seededRandom } from './image-fixtures';

const ORIENTATIONS: readonly ExifOrientation[] = [1, 2, 3, 4, 5, 6, 7, 8];
const orientation = fc.constantFrom(...ORIENTATIONS);

function randomImage(width: number, height: number, seed: number): { width: number; height: number; data: Uint8Array } {
  const random = seededRandom(seed);
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256)) };
}

describe('normaliseImage on real photos with every EXIF orientation', () => {
  /*
   * The eight files of a scene hold the same photo stored rotated or mirrored: normalised, each must match the
   * orientation-1 file's result (measured 0.3–1.5, JPEG re-quantisation), while a wrong orientation of these scenes
   * differs by far more (checked below against the result left as stored, > 20).
   */
  const THRESHOLD = 4;
  // A mirror, a half turn and the three that swap the edges; the geometry of all eight on any rectangle is proven
  // on generated pictures below.
  const CASES: Record<string, readonly ExifOrientation[]> = { Landscape: [2, 3, 5, 6], Portrait: [7, 8] };
  for (const scenery of ['Landscape', 'Portrait']) {
    test(`${scenery}: upright, longest edge 448, same picture as the orientation-1 file`, async () => {
      const reference = normaliseImage(orientationFixture(`${scenery}_1.jpg`), { maxEdge: 448 });
      const expected = scenery === 'Landscape' ? { width: 448, height: 299 } : { width: 299, height: 448 };
      expect({ width: reference.width, height: reference.height }).toEqual(expected);
      const upright = await rawRgb(reference.jpeg);
      for (const n of CASES[scenery]) {
        const result = normaliseImage(orientationFixture(`${scenery}_${n}.jpg`), { maxEdge: 448 });
        expect({ n, width: result.width, height: result.height, orientation: result.source.orientation }).toEqual({ n, ...expected, orientation: n });
        const meta = await sharp(result.jpeg).metadata();
        expect({ n, format: meta.format, channels: meta.channels, exif: meta.exif === undefined, width: meta.width }).toEqual({ n, format: 'jpeg', channels: 3, exif: true, width: expected.width });
        expect({ n, diff: meanAbsDiff((await rawRgb(result.jpeg)).data, upright.data) < THRESHOLD }).toEqual({ n, diff: true });
      }
    });
  }

  test('the stored pixels, not turned upright, differ from the reference by far more than the threshold', async () => {
    const stored = normaliseImage(orientationFixture('Landscape_3.jpg'), { maxEdge: 448 });
    const asStored = orientPixels(await rawRgb(stored.jpeg), 3);
    const upright = await rawRgb(normaliseImage(orientationFixture('Landscape_1.jpg'), { maxEdge: 448 }).jpeg);
    expect(meanAbsDiff(asStored.data, upright.data)).toBeGreaterThan(20);
  });

  test('a picture within the cap keeps its size and is only re-encoded', () => {
    const picture = randomImage(120, 80, 7);
    const stored = encodeJpeg(picture.data, 120, 80, 95);
    const result = normaliseImage(stored, { maxEdge: 120 });
    expect({ width: result.width, height: result.height }).toEqual({ width: 120, height: 80 });
  });
});

describe('normaliseImage on generated pictures', () => {
  test('the result is the capped upright size of any input, as a decodable JPEG', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 160 }), fc.integer({ min: 1, max: 160 }), fc.integer({ min: 8, max: 200 }), fc.nat(),
      (width, height, maxEdge, seed) => {
        const picture = randomImage(width, height, seed);
        const result = normaliseImage(encodeJpeg(picture.data, width, height, 90), { maxEdge });
        const capped = cappedSize(width, height, maxEdge);
        expect({ width: result.width, height: result.height }).toEqual(capped);
        expect(verifyImage(result.jpeg)).toMatchObject({ format: 'jpeg', width: capped.width, height: capped.height, orientation: 1 });
      }), { numRuns: 25 });
  });

  test('cappedSize never enlarges, caps the longest edge and keeps the aspect ratio within rounding', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20000 }), fc.integer({ min: 1, max: 20000 }), fc.integer({ min: 1, max: 5000 }), (width, height, maxEdge) => {
      const capped = cappedSize(width, height, maxEdge);
      expect(Math.max(capped.width, capped.height)).toBe(Math.min(Math.max(width, height), maxEdge));
      expect(capped.width).toBeLessThanOrEqual(width);
      expect(capped.height).toBeLessThanOrEqual(height);
      expect(Math.min(capped.width, capped.height)).toBeGreaterThanOrEqual(1);
      const scale = Math.max(capped.width, capped.height) / Math.max(width, height);
      expect(Math.abs(Math.min(capped.width, capped.height) - Math.max(1, Math.min(width, height) * scale))).toBeLessThanOrEqual(0.5 + 1e-9);
    }));
  });

  test('bad bytes are the inference function\'s ImageErrors', () => {
    const jpeg = orientationFixture('Landscape_1.jpg');
    const cases: Array<[Uint8Array, string]> = [
      [new Uint8Array(0), 'EMPTY_IMAGE'],
      [new TextEncoder().encode('not an image at all'), 'UNSUPPORTED_IMAGE_TYPE'],
      [jpeg.subarray(0, Math.floor(jpeg.length * 0.7)), 'CORRUPT_IMAGE'],
    ];
    for (const [bytes, code] of cases) {
      for (const run of [() => normaliseImage(bytes, { maxEdge: 448 }), () => verifyImage(bytes)]) {
        const error = (() => { try { run(); return undefined; } catch (e) { return e; } })();
        expect(error).toBeInstanceOf(ImageError);
        expect((error as ImageError).code).toBe(code);
      }
    }
  });

  test('rejects options out of range, naming them', () => {
    expect(() => normaliseImage(orientationFixture('Landscape_1.jpg'), { maxEdge: 0, jpegQuality: 101 }))
      .toThrow(/maxEdge must be an integer in \[1, 16384\], got 0; jpegQuality must be an integer in \[1, 100\], got 101/);
  });
});

describe('orientPixels', () => {
  test('on squares, moves each pixel where the function\'s orientation matrix (orientationTransform) says', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), orientation, fc.nat(), (size, o, seed) => {
      const image = randomImage(size, size, seed);
      const [a0, a1, a2, b0, b1, b2] = orientationTransform(o, size);
      const expected = new Uint8Array(image.data.length);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const from = ((b0 * x + b1 * y + b2) * size + (a0 * x + a1 * y + a2)) * 3;
          expected.set(image.data.subarray(from, from + 3), (y * size + x) * 3);
        }
      }
      expect(Buffer.from(orientPixels(image, o).data).equals(Buffer.from(expected))).toBe(true);
    }));
  });

  test('on any rectangle, is a permutation of the pixels with the upright size, undone by its inverse', () => {
    const inverse: Record<ExifOrientation, ExifOrientation> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6 };
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), orientation, fc.nat(), (width, height, o, seed) => {
      const image = randomImage(width, height, seed);
      const turned = orientPixels(image, o);
      expect({ width: turned.width, height: turned.height }).toEqual(uprightSize(width, height, o));
      const back = orientPixels(turned, inverse[o]);
      expect({ width: back.width, height: back.height }).toEqual({ width, height });
      expect(Buffer.from(back.data).equals(Buffer.from(image.data))).toBe(true);
    }));
  });
});
