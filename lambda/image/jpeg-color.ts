/**
 * From decoded JPEG component planes to interleaved 8-bit RGB.
 *
 * Chroma planes subsampled in the file (4:2:0, 4:2:2, …) are upsampled by replication (each chroma sample covers
 * its h×v luma samples). libjpeg's default "fancy" upsampling interpolates instead; the difference is at most a
 * chroma edge half a pixel wide, and it disappears in the downscale to the model size that always follows.
 */

/** How the components map to colour (T.81 does not say; JFIF, Adobe APP14 and component ids do). */
export type JpegColorModel = 'gray' | 'rgb' | 'ycbcr' | 'cmyk' | 'ycck';

/** A decoded component at its own (scaled, subsampled) resolution. */
export interface ComponentPlane {
  readonly data: Uint8ClampedArray;
  /** row stride of `data` */
  readonly stride: number;
  /** sampling factors from the frame header */
  readonly h: number;
  readonly v: number;
}

/**
 * Colour model following libjpeg's rules: 1 component is gray; 3 are YCbCr unless an Adobe segment says transform 0
 * or the component ids spell "RGB"; 4 are YCCK when the Adobe transform is 2, CMYK otherwise.
 */
export function jpegColorModel(componentIds: readonly number[], adobeTransform: number | undefined): JpegColorModel {
  if (componentIds.length === 1) return 'gray';
  if (componentIds.length === 3) {
    const namedRgb = componentIds[0] === 0x52 && componentIds[1] === 0x47 && componentIds[2] === 0x42;
    return adobeTransform === 0 || namedRgb ? 'rgb' : 'ycbcr';
  }
  return adobeTransform === 2 ? 'ycck' : 'cmyk';
}

/**
 * The chroma terms of the YCbCr (JFIF / T.871) → RGB conversion, by chroma value: CR_TO_RED[c] = 1.402 · (c - 128)
 * and so on. The same doubles as computing them per pixel (so the same output), with four multiplications and four
 * subtractions fewer per pixel; that matters most on a new process's first image, which runs this loop in V8's
 * interpreter (where every intermediate double is a heap allocation) until the loop is optimised.
 */
const CR_TO_RED = channelProducts(1.402, 128);
const CB_TO_GREEN = channelProducts(0.344136, 128);
const CR_TO_GREEN = channelProducts(0.714136, 128);
const CB_TO_BLUE = channelProducts(1.772, 128);

/** products[value] = factor · (value - offset) for the 256 values of an 8-bit channel. */
export function channelProducts(factor: number, offset = 0): Float64Array {
  const products = new Float64Array(256);
  for (let value = 0; value < 256; value++) products[value] = factor * (value - offset);
  return products;
}

/**
 * Interleaves the planes into RGB of `width`×`height` pixels.
 *
 * CMYK: Adobe applications write CMYK JPEGs inverted (255 = no ink) and mark them with an APP14 segment; libjpeg
 * passes the values through unchanged. So with an Adobe segment the values are taken as inverted, without one as
 * plain ink amounts. This is the common convention (ImageMagick, browsers) but not a standard, and there is no
 * colour management here: CMYK→RGB is the naive R = (1 - C)(1 - K) formula, so colours are approximate.
 */
export function planesToRgb(planes: readonly ComponentPlane[], width: number, height: number, hMax: number, vMax: number,
  model: JpegColorModel, adobeInverted: boolean): Uint8Array {
  const out = new Uint8ClampedArray(width * height * 3);
  // The result view made before the loop: after an optimised loop, code that never ran would deoptimise it.
  const bytes = new Uint8Array(out.buffer);
  const columns = planes.map((p) => sampleIndexes(width, p.h, hMax));
  const [c0, c1, c2, c3] = [0, 1, 2, 3].map((i) => planes[i % planes.length]);
  const [x0, x1, x2, x3] = [0, 1, 2, 3].map((i) => columns[i % planes.length]);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const r0 = Math.floor((y * c0.v) / vMax) * c0.stride;
    const r1 = Math.floor((y * c1.v) / vMax) * c1.stride;
    const r2 = Math.floor((y * c2.v) / vMax) * c2.stride;
    const r3 = Math.floor((y * c3.v) / vMax) * c3.stride;
    for (let x = 0; x < width; x++, o += 3) {
      const a = c0.data[r0 + x0[x]];
      if (model === 'gray') {
        out[o] = a;
        out[o + 1] = a;
        out[o + 2] = a;
        continue;
      }
      const b = c1.data[r1 + x1[x]];
      const c = c2.data[r2 + x2[x]];
      if (model === 'rgb') {
        out[o] = a;
        out[o + 1] = b;
        out[o + 2] = c;
        continue;
      }
      let red = a;
      let green = b;
      let blue = c;
      if (model !== 'cmyk') {
        // YCbCr (JFIF / T.871) → RGB; for YCCK the result is the inverted C, M, Y.
        red = a + CR_TO_RED[c];
        green = a - CB_TO_GREEN[b] - CR_TO_GREEN[c];
        blue = a + CB_TO_BLUE[b];
        red = red < 0 ? 0 : red > 255 ? 255 : red;
        green = green < 0 ? 0 : green > 255 ? 255 : green;
        blue = blue < 0 ? 0 : blue > 255 ? 255 : blue;
      }
      if (model === 'ycbcr') {
        out[o] = red;
        out[o + 1] = green;
        out[o + 2] = blue;
        continue;
      }
      // CMYK or YCCK. `k` and the colour values become "amount of light" (255 = no ink).
      let k = c3.data[r3 + x3[x]];
      if (model === 'ycck') {
        // YCCK encodes 255 - C, 255 - M, 255 - Y as RGB; libjpeg turns it back into C, M, Y (inverted when Adobe).
        red = 255 - red;
        green = 255 - green;
        blue = 255 - blue;
      }
      if (!adobeInverted) {
        red = 255 - red;
        green = 255 - green;
        blue = 255 - blue;
        k = 255 - k;
      }
      out[o] = (red * k) / 255;
      out[o + 1] = (green * k) / 255;
      out[o + 2] = (blue * k) / 255;
    }
  }
  return bytes;
}

/** For each output column, the column in a plane sampled at h of hMax. */
function sampleIndexes(width: number, h: number, hMax: number): Int32Array {
  const indexes = new Int32Array(width);
  for (let x = 0; x < width; x++) indexes[x] = Math.floor((x * h) / hMax);
  return indexes;
}
