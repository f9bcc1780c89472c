/**
 * The geometry of the preprocessing, and its anti-aliasing prefilter.
 *
 * Geometry: the whole picture is squashed to size×size, aspect ratio not kept, no crop. That is what the algorithm
 * does at training time (`image_dataset_from_directory(image_size=…, crop_to_aspect_ratio=False)`, then
 * `tf.image.resize` with the `image_resize_interpolation` hyperparameter, bilinear by default), so a model trained
 * on squashed pictures is served squashed pictures. Cropping would also hide the edges of the object.
 *
 * Filter: `tf.image.resize` bilinear without antialiasing aliases badly when it shrinks by more than 2 (it samples
 * 4 pixels out of, e.g., 18×18). So the picture is first reduced by whole factors with area averaging, down to
 * between 1× and 2× the target on each axis, and only that last step is bilinear. For JPEG most of the reduction
 * happens in the DCT domain (`chooseJpegScale`), which is also an area average, of 8×8, 4×4 or 2×2 pixels.
 * The same function must prepare the training images, so that the model sees the same filter at both ends.
 */
import { ScaleDenominator } from './jpeg-idct';
import { RgbImage } from './rgb-image';

/** The largest DCT-domain reduction (8, 4, 2, else 1) that keeps both edges at least `size` pixels. */
export function chooseJpegScale(width: number, height: number, size: number): ScaleDenominator {
  for (const scale of [8, 4, 2] as const) {
    if (Math.ceil(width / scale) >= size && Math.ceil(height / scale) >= size) return scale;
  }
  return 1;
}

/** Whole reduction factors per axis that leave each edge in [size, 2·size), or 1 where the edge is already below. */
export function boxFactors(width: number, height: number, size: number): { readonly x: number; readonly y: number } {
  return { x: Math.max(1, Math.floor(width / size)), y: Math.max(1, Math.floor(height / size)) };
}

/**
 * Averages `fx`×`fy` blocks of pixels (an area-average, or box, downscale). The few pixels left over when an edge is
 * not a multiple of its factor (fewer than the factor, so under 1/size of the picture) are cropped evenly from both
 * sides. Returns the input itself when both factors are 1.
 */
export function boxShrink(image: RgbImage, fx: number, fy: number): RgbImage {
  if (fx === 1 && fy === 1) return image;
  const width = Math.floor(image.width / fx);
  const height = Math.floor(image.height / fy);
  const left = Math.floor((image.width - width * fx) / 2);
  const top = Math.floor((image.height - height * fy) / 2);
  const start = (top * image.width + left) * 3;
  return { width, height, data: averageBlocks(image.data, image.width * 3, start, width, height, fx, fy) };
}

/**
 * boxShrink's arithmetic (integer sums per block, then sum / area rounded by the clamped array) as one loop nest
 * with nothing after it: it runs once per request, so on a new process's first one V8 optimises it while it runs
 * (on-stack replacement), where a call per row (BoxShrinker.addRow, made for the PNG decoder's streaming) waited
 * for the function-level optimisation. The same sums, so the same bytes as BoxShrinker.
 */
function averageBlocks(data: Uint8Array, stride: number, start: number, width: number, height: number, fx: number,
  fy: number): Uint8Array {
  const out = new Uint8ClampedArray(width * height * 3);
  // The result view made before the loop: after an optimised loop, code that never ran would deoptimise it.
  const bytes = new Uint8Array(out.buffer);
  const area = fx * fy;
  for (let y = 0, o = 0; y < height; y++) {
    const row = start + y * fy * stride;
    for (let x = 0; x < width; x++, o += 3) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0, from = row + x * fx * 3; dy < fy; dy++, from += stride) {
        for (let dx = 0, p = from; dx < fx; dx++, p += 3) {
          r += data[p];
          g += data[p + 1];
          b += data[p + 2];
        }
      }
      out[o] = r / area;
      out[o + 1] = g / area;
      out[o + 2] = b / area;
    }
  }
  return bytes;
}

/**
 * `boxShrink` fed one source row at a time, for a decoder that produces rows top to bottom (PNG): the full-size
 * picture then never exists, only one row of it and the small result.
 */
export class BoxShrinker {
  public readonly width: number;
  public readonly height: number;
  private readonly left: number;
  private readonly top: number;
  private readonly sums: Float64Array;
  private readonly out: Uint8ClampedArray;

  constructor(sourceWidth: number, sourceHeight: number, private readonly fx: number, private readonly fy: number) {
    this.width = Math.floor(sourceWidth / fx);
    this.height = Math.floor(sourceHeight / fy);
    this.left = Math.floor((sourceWidth - this.width * fx) / 2);
    this.top = Math.floor((sourceHeight - this.height * fy) / 2);
    this.sums = new Float64Array(this.width * 3);
    this.out = new Uint8ClampedArray(this.width * this.height * 3);
  }

  /** Adds source row `y`: `sourceWidth` RGB pixels of `row` from `offset`. Rows in the cropped margin are ignored. */
  public addRow(y: number, row: Uint8Array | Uint8ClampedArray, offset: number): void {
    const { fx, fy, sums, width } = this;
    const within = y - this.top;
    if (within < 0 || within >= this.height * fy) return;
    let p = offset + this.left * 3;
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dx = 0; dx < fx; dx++, p += 3) {
        r += row[p];
        g += row[p + 1];
        b += row[p + 2];
      }
      sums[3 * x] += r;
      sums[3 * x + 1] += g;
      sums[3 * x + 2] += b;
    }
    if (within % fy === fy - 1) {
      const at = ((within - fy + 1) / fy) * width * 3;
      const area = fx * fy;
      for (let i = 0; i < width * 3; i++) this.out[at + i] = sums[i] / area;
      sums.fill(0);
    }
  }

  public result(): RgbImage {
    return { width: this.width, height: this.height, data: new Uint8Array(this.out.buffer) };
  }
}
