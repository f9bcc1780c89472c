import type * as TfCore from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { ExifOrientation } from '../../lambda/image/exif';
import { loadTensorEngine, orientationTransform, orientImage, resizeAndOrient, resizeAndOrientInJs, Tf } from '../../lambda/image/tensor-engine';
import { nativeTfjsLoads, orientationFixture } from './image-fixtures';

describe('loadTensorEngine', () => {
  it('uses tfjs-node when it loads and falls back to the JavaScript port otherwise', async () => {
    const engine = await loadTensorEngine();
    expect(engine.name).toBe(nativeTfjsLoads() ? 'tfjs-node' : 'js');
    expect(await loadTensorEngine()).toBe(engine); // loaded once
  });

  it('loads the CPU engine on request, and fails loudly when tfjs-node is requested but missing', async () => {
    const cpu = await loadTensorEngine('tfjs-cpu');
    expect(cpu.name).toBe('tfjs-cpu');
    expect(cpu.tf.getBackend()).toBe('cpu');
    if (nativeTfjsLoads()) expect((await loadTensorEngine('tfjs-node')).name).toBe('tfjs-node');
    else await expect(loadTensorEngine('tfjs-node')).rejects.toThrow(/Cannot find module '@tensorflow\/tfjs-node'/);
  });
});

describe('orientImage', () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await loadTensorEngine('tfjs-cpu')).tf;
  });

  /** 3×3 picture with one channel-triplet per pixel: value = 10·row + column. */
  const picture = (): TfCore.Tensor3D => tf.tensor3d(Array.from({ length: 27 }, (_, i) => 10 * Math.floor(i / 9) + Math.floor(i / 3) % 3), [3, 3, 3]);
  const plane = (t: TfCore.Tensor3D): number[][] => (t.arraySync() as number[][][]).map((row) => row.map((px) => px[0]));

  it('turns each stored orientation upright as the EXIF tag describes', () => {
    const expected: Record<ExifOrientation, number[][]> = {
      1: [[0, 1, 2], [10, 11, 12], [20, 21, 22]],
      2: [[2, 1, 0], [12, 11, 10], [22, 21, 20]], // mirrored left-right
      3: [[22, 21, 20], [12, 11, 10], [2, 1, 0]], // rotated 180°
      4: [[20, 21, 22], [10, 11, 12], [0, 1, 2]], // mirrored top-bottom
      5: [[0, 10, 20], [1, 11, 21], [2, 12, 22]], // transposed
      6: [[20, 10, 0], [21, 11, 1], [22, 12, 2]], // rotated 90° clockwise: the stored left column becomes the top row
      7: [[22, 12, 2], [21, 11, 1], [20, 10, 0]], // transverse
      8: [[2, 12, 22], [1, 11, 21], [0, 10, 20]], // rotated 90° counter-clockwise
    };
    for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8] as const) {
      expect(plane(orientImage(tf, picture(), orientation, 'transform'))).toEqual(expected[orientation]);
      expect(plane(orientImage(tf, picture(), orientation, 'reverse'))).toEqual(expected[orientation]);
    }
  });

  it('gives the same result both ways on a larger picture', () => {
    const big = tf.randomUniform([16, 16, 3], 0, 255, 'float32', 3) as TfCore.Tensor3D;
    for (const orientation of [2, 3, 4, 5, 6, 7, 8] as const) {
      expect(orientImage(tf, big, orientation, 'transform').arraySync()).toEqual(orientImage(tf, big, orientation, 'reverse').arraySync());
    }
  });

  it('maps the corners as the transform matrices say', () => {
    expect(orientationTransform(6, 224)).toEqual([0, 1, 0, -1, 0, 223, 0, 0]);
    expect(orientationTransform(1, 224)).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  });
});

describe('resizeAndOrient', () => {
  it('resizes with TensorFlow 2 semantics (half-pixel centres), like tf.image.resize at training time', async () => {
    const engine = await loadTensorEngine('tfjs-cpu');
    // 2×1 black|white stretched to 4 wide: sample x maps to (x + 0.5) / 2 - 0.5 → -0.25, 0.25, 0.75, 1.25.
    const out = resizeAndOrient(engine, { width: 2, height: 1, data: Uint8Array.from([0, 0, 0, 255, 255, 255]) }, 4, 1);
    expect(Array.from(out.filter((_, i) => i % 3 === 0 && i < 12))).toEqual([0, 64, 191, 255]);
    expect(out).toHaveLength(4 * 4 * 3);
  });
});

describe('the JavaScript port', () => {
  const ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

  it('gives the same bytes as TensorFlow.js on its CPU backend, for generated pictures, sizes and orientations', async () => {
    const tfjs = await loadTensorEngine('tfjs-cpu');
    const picture = fc.record({ width: fc.integer({ min: 1, max: 48 }), height: fc.integer({ min: 1, max: 48 }) })
      .chain(({ width, height }) => fc.record({
        width: fc.constant(width),
        height: fc.constant(height),
        data: fc.uint8Array({ minLength: width * height * 3, maxLength: width * height * 3 }),
      }));
    fc.assert(fc.property(picture, fc.integer({ min: 1, max: 40 }), fc.constantFrom(...ORIENTATIONS), (image, size, orientation) => {
      expect(resizeAndOrientInJs(image, size, orientation)).toEqual(resizeAndOrient(tfjs, image, size, orientation));
    }), { numRuns: 300 });
  });

  it('gives the same bytes as TensorFlow.js on a photo-sized reduction to 224, every orientation', async () => {
    const tfjs = await loadTensorEngine('tfjs-cpu');
    const js = await loadTensorEngine('js');
    let state = 7;
    const data = Uint8Array.from({ length: 500 * 375 * 3 }, () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24);
    const image = { width: 500, height: 375, data };
    for (const orientation of ORIENTATIONS) {
      expect(resizeAndOrient(js, image, 224, orientation)).toEqual(resizeAndOrient(tfjs, image, 224, orientation));
    }
  });
});

describe('when @tensorflow/tfjs-node loads (simulated: a virtual module standing in for it)', () => {
  it('is chosen by default, reported as the engine, and does the work', async () => {
    let load: typeof import('../../lambda/image/tensor-engine').loadTensorEngine | undefined;
    let preprocess: typeof import('../../lambda/image/preprocess').preprocessImage | undefined;
    jest.isolateModules(() => {
      // The stand-in is tfjs-core on the CPU backend: the same `tf` API that tfjs-node exports.
      jest.doMock('@tensorflow/tfjs-node', () => {
        require('@tensorflow/tfjs-backend-cpu');
        return require('@tensorflow/tfjs-core');
      }, { virtual: true });
      load = require('../../lambda/image/tensor-engine').loadTensorEngine;
      preprocess = require('../../lambda/image/preprocess').preprocessImage;
    });
    expect((await load!()).name).toBe('tfjs-node');
    const result = await preprocess!(orientationFixture('Portrait_8.jpg'), { size: 64 });
    expect(result.engine).toBe('tfjs-node');
    expect(result.jpeg.length).toBeGreaterThan(500);
  });
});
