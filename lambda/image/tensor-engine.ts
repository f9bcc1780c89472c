/**
 * The engine that does the final resize and the EXIF orientation, with TensorFlow 2's bilinear semantics.
 *
 * - `tfjs-node` (native libtensorflow) when it can be required: only the container image (lambda/Dockerfile)
 *   installs it, since its install downloads libtensorflow, too big for a zip Lambda; it is no dependency of this
 *   package, and absent from the zip function and the tests.
 * - Otherwise `js`: a port of the two kernels of TensorFlow.js's CPU backend that this needs (ResizeBilinear with
 *   half-pixel centres, and the nearest-neighbour Transform of an exact orientation matrix), written here because
 *   the library costs far more than the work: `@tensorflow/tfjs-core` with `@tensorflow/tfjs-backend-cpu` is 760 KB
 *   of the function's bundle and 3.4 MB of its source map, and loading them took ~65 ms of CPU at every cold start
 *   (`npm run bench`, first-request figures in bench/README.md) for a resize of a picture of at most 2 × 2 × size².
 *   The port does the same arithmetic in the same order, so its output is identical to `tfjs-cpu`'s, byte for byte;
 *   test/lambda/image-tensor-engine.test.ts checks that against TensorFlow.js on generated pictures.
 * - `tfjs-cpu` (TensorFlow.js on its CPU backend) only on request: the reference the port is checked against. The
 *   zip package leaves TensorFlow.js out of its bundle, so there it cannot load.
 *
 * tfjs keeps its backend in global state: use one tfjs engine per process.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { ExifOrientation } from './exif';
import { RgbImage } from './rgb-image';

export type TensorEngineName = 'tfjs-node' | 'tfjs-cpu' | 'js';
export type Tf = typeof TfCore;

export interface TfjsEngine {
  readonly name: 'tfjs-node' | 'tfjs-cpu';
  readonly tf: Tf;
}

export interface JsEngine {
  readonly name: 'js';
}

export type TensorEngine = TfjsEngine | JsEngine;

const JS_ENGINE: JsEngine = { name: 'js' };

/** A variable, so that bundlers leave this native package to a runtime require (it cannot be bundled). */
const TFJS_NODE = '@tensorflow/tfjs-node';

/** The only module state: the engines, loaded on first use. */
const engines = new Map<TensorEngineName | 'auto', Promise<TensorEngine>>();

/** Loads (once) the requested engine, or by default tfjs-node when it loads and the JavaScript port otherwise. */
export function loadTensorEngine(preferred: TfjsEngine['name']): Promise<TfjsEngine>;
export function loadTensorEngine(preferred?: TensorEngineName): Promise<TensorEngine>;
export function loadTensorEngine(preferred?: TensorEngineName): Promise<TensorEngine> {
  const key = preferred ?? 'auto';
  let engine = engines.get(key);
  if (!engine) {
    engine = createEngine(preferred);
    engines.set(key, engine);
    engine.catch(() => engines.delete(key));
  }
  return engine;
}

async function createEngine(preferred?: TensorEngineName): Promise<TensorEngine> {
  if (preferred === 'js') return JS_ENGINE;
  if (preferred !== 'tfjs-cpu') {
    try {
      const tf = require(TFJS_NODE) as Tf;
      return { name: 'tfjs-node', tf };
    } catch (error) {
      if (preferred === 'tfjs-node') throw error;
      return JS_ENGINE;
    }
  }
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  // Production mode also silences the "install the node backend" banner the CPU backend prints in Node.
  tf.enableProdMode();
  await tf.setBackend('cpu');
  return { name: 'tfjs-cpu', tf };
}

/**
 * Bilinear resize to size×size (TensorFlow 2 semantics: half-pixel centres, as `tf.image.resize` at training time),
 * then the EXIF orientation, then rounding to 8-bit. Returns RGB, size×size×3.
 *
 * Orienting after the resize is exact because the output is square: squashing W×H to S×S and then rotating gives
 * the same pixels as rotating first and then squashing H×W to S×S, and it moves S² pixels instead of millions.
 */
export function resizeAndOrient(engine: TensorEngine, image: RgbImage, size: number, orientation: ExifOrientation): Uint8Array {
  if (engine.name === 'js') return resizeAndOrientInJs(image, size, orientation);
  const { tf } = engine;
  const method = tf.getKernel('Transform', tf.getBackend()) ? 'transform' : 'reverse';
  // tidy() returns the tensor, not its values: it walks whatever it returns, element by element for a typed array.
  const upright = tf.tidy(() => {
    const pixels = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, 3], 'float32');
    const resized = tf.image.resizeBilinear(pixels, [size, size], false, true);
    return orientImage(tf, resized, orientation, method);
  });
  try {
    // Uint8ClampedArray rounds to nearest (ties to even) and clamps to [0, 255].
    return new Uint8Array(Uint8ClampedArray.from(upright.dataSync()).buffer);
  } finally {
    upright.dispose();
  }
}

/**
 * Turns a square picture stored with EXIF orientation `orientation` upright (what the tag asks a viewer to do):
 * 1 as is, 2 mirror left-right, 3 rotate 180°, 4 mirror top-bottom, 5 mirror along the main diagonal (transpose),
 * 6 rotate 90° clockwise, 7 mirror along the anti-diagonal, 8 rotate 90° counter-clockwise.
 *
 * Two equivalent ways: one `tf.image.transform` with an exact integer matrix and nearest sampling (3 ms for 224² on
 * the CPU backend, whose generic `reverse` takes ~100 ms and `transpose` ~15 ms), or reverse/transpose where a
 * backend has no Transform kernel (it is not certain that tfjs-node registers one; its native reverse is fast).
 */
export function orientImage(tf: Tf, image: TfCore.Tensor3D, orientation: ExifOrientation,
  method: 'transform' | 'reverse'): TfCore.Tensor3D {
  if (orientation === 1) return image;
  const [height, width] = image.shape;
  if (height !== width) throw new RangeError(`orientImage expects a square image, got ${width}×${height}`);
  if (method === 'transform') {
    const matrix = tf.tensor2d([orientationTransform(orientation, width)]);
    return tf.squeeze<TfCore.Tensor3D>(tf.image.transform(tf.expandDims<TfCore.Tensor4D>(image, 0), matrix, 'nearest'), [0]);
  }
  const transpose = (t: TfCore.Tensor3D): TfCore.Tensor3D => tf.transpose(t, [1, 0, 2]);
  switch (orientation) {
    case 2: return tf.reverse(image, 1);
    case 3: return tf.reverse(image, [0, 1]);
    case 4: return tf.reverse(image, 0);
    case 5: return transpose(image);
    case 6: return tf.reverse(transpose(image), 1);
    case 7: return tf.reverse(transpose(image), [0, 1]);
    case 8: return tf.reverse(transpose(image), 0);
  }
}

/**
 * The `tf.image.transform` row [a0, a1, a2, b0, b1, b2, c0, c1] that maps each output pixel (x, y) of the upright
 * size×size picture to the stored pixel (a0·x + a1·y + a2, b0·x + b1·y + b2) it comes from.
 */
export function orientationTransform(orientation: ExifOrientation, size: number): number[] {
  const n = size - 1;
  switch (orientation) {
    case 1: return [1, 0, 0, 0, 1, 0, 0, 0];
    case 2: return [-1, 0, n, 0, 1, 0, 0, 0];
    case 3: return [-1, 0, n, 0, -1, n, 0, 0];
    case 4: return [1, 0, 0, 0, -1, n, 0, 0];
    case 5: return [0, 1, 0, 1, 0, 0, 0, 0];
    case 6: return [0, 1, 0, -1, 0, n, 0, 0];
    case 7: return [0, -1, n, -1, 0, n, 0, 0];
    case 8: return [0, -1, n, 1, 0, 0, 0, 0];
  }
}

/**
 * resizeAndOrient without TensorFlow.js: the arithmetic of tfjs-backend-cpu's ResizeBilinear kernel (half-pixel
 * centres, no corner alignment; doubles, stored as float32), with the orientation as the exact pixel permutation
 * that its Transform kernel makes of orientationTransform's matrix, then the same rounding to 8 bits.
 *
 * One loop nest over the upright output, with everything else before it: each output pixel takes the bilinear value
 * of the stored pixel the orientation maps it to (rounded to float32 with Math.fround, as storing it in the kernel's
 * Float32Array output did), so there is no intermediate picture and one loop for V8 to optimise while it runs on a
 * new process's first request (on-stack replacement). Code after an optimised loop that has never run has no type
 * feedback, and reaching it would throw the optimised code away.
 */
export function resizeAndOrientInJs(image: RgbImage, size: number, orientation: ExifOrientation): Uint8Array {
  const { width, height, data } = image;
  const [a0, a1, a2, b0, b1, b2] = orientationTransform(orientation, size);
  // The bilinear terms of each stored column and row (the same for every row and column respectively).
  const columns = bilinearTerms(width / size, size, width, 3);
  const rows = bilinearTerms(height / size, size, height, width * 3);
  // Uint8ClampedArray rounds to nearest (ties to even) and clamps to [0, 255], as in resizeAndOrient.
  const upright = new Uint8ClampedArray(size * size * 3);
  const bytes = new Uint8Array(upright.buffer);
  bilinearOriented(data, columns, rows, [a0, a1, a2, b0, b1, b2], size, upright);
  return bytes;
}

/** Per output index of one axis: the first and second source offsets (index × `step`) and the fraction between them. */
interface BilinearTerms {
  readonly first: Int32Array;
  readonly second: Int32Array;
  readonly fraction: Float64Array;
}

function bilinearTerms(ratio: number, size: number, sourceSize: number, step: number): BilinearTerms {
  const first = new Int32Array(size);
  const second = new Int32Array(size);
  const fraction = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const source = ratio * (i + 0.5) - 0.5;
    const floor = Math.max(0, Math.floor(source));
    fraction[i] = source - floor;
    first[i] = floor * step;
    second[i] = Math.min(sourceSize - 1, Math.ceil(source)) * step;
  }
  return { first, second, fraction };
}

function bilinearOriented(data: Uint8Array, columns: BilinearTerms, rows: BilinearTerms, matrix: readonly number[], size: number,
  upright: Uint8ClampedArray): void {
  const [a0, a1, a2, b0, b1, b2] = matrix;
  const { first: lefts, second: rights, fraction: columnFractions } = columns;
  const { first: tops, second: bottoms, fraction: rowFractions } = rows;
  for (let y = 0, to = 0; y < size; y++) {
    for (let x = 0; x < size; x++, to += 3) {
      // The stored pixel (column, row) this upright one comes from.
      const column = a0 * x + a1 * y + a2;
      const row = b0 * x + b1 * y + b2;
      const columnFraction = columnFractions[column];
      const rowFraction = rowFractions[row];
      const topLeft = tops[row] + lefts[column];
      const topRight = tops[row] + rights[column];
      const bottomLeft = bottoms[row] + lefts[column];
      const bottomRight = bottoms[row] + rights[column];
      for (let channel = 0; channel < 3; channel++) {
        const upper = data[topLeft + channel] + (data[topRight + channel] - data[topLeft + channel]) * columnFraction;
        const lower = data[bottomLeft + channel] + (data[bottomRight + channel] - data[bottomLeft + channel]) * columnFraction;
        upright[to + channel] = Math.fround(upper + (lower - upper) * rowFraction);
      }
    }
  }
}

/**
 * TensorFlow.js's ResizeBilinear (half-pixel centres, no corner alignment) to outWidth×outHeight, as float32 RGB.
 * The square model input uses it with both edges equal; the upload normalisation (normalise.ts) keeps the aspect.
 */
export function resizeBilinear(image: RgbImage, outWidth: number, outHeight: number): Float32Array {
  const { width, height, data } = image;
  const resized = new Float32Array(outWidth * outHeight * 3);
  const rowRatio = height / outHeight;
  const columnRatio = width / outWidth;
  const stride = width * 3;
  // The column terms are the same for every row: computed once (same doubles), not outHeight times.
  const lefts = new Int32Array(outWidth);
  const rights = new Int32Array(outWidth);
  const columnFractions = new Float64Array(outWidth);
  for (let column = 0; column < outWidth; column++) {
    const sourceColumn = columnRatio * (column + 0.5) - 0.5;
    const columnFloor = Math.max(0, Math.floor(sourceColumn));
    columnFractions[column] = sourceColumn - columnFloor;
    lefts[column] = columnFloor * 3;
    rights[column] = Math.min(width - 1, Math.ceil(sourceColumn)) * 3;
  }
  let at = 0;
  for (let row = 0; row < outHeight; row++) {
    const sourceRow = rowRatio * (row + 0.5) - 0.5;
    const rowFloor = Math.max(0, Math.floor(sourceRow));
    const rowFraction = sourceRow - rowFloor;
    const top = rowFloor * stride;
    const bottom = Math.min(height - 1, Math.ceil(sourceRow)) * stride;
    for (let column = 0; column < outWidth; column++) {
      const columnFraction = columnFractions[column];
      const left = lefts[column];
      const right = rights[column];
      for (let channel = 0; channel < 3; channel++) {
        const topLeft = data[top + left + channel];
        const topRight = data[top + right + channel];
        const bottomLeft = data[bottom + left + channel];
        const bottomRight = data[bottom + right + channel];
        const upper = topLeft + (topRight - topLeft) * columnFraction;
        const lower = bottomLeft + (bottomRight - bottomLeft) * columnFraction;
        resized[at++] = upper + (lower - upper) * rowFraction;
      }
    }
  }
  return resized;
}
