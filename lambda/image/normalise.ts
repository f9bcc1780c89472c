/**
 * Image bytes in, the picture to store in the dataset out: EXIF orientation applied, 8-bit RGB, JPEG, the aspect
 * ratio kept and the longest edge capped at `maxEdge`. The command line uploads this instead of the original, so
 * that the training job (which ignores EXIF orientation) sees photos upright, as the inference function shows them to
 * the model, and the bucket holds a fraction of the bytes. Re-encoding also drops the original's metadata (EXIF
 * location, camera serial number) from the dataset.
 *
 * The same decoders and filter as the model input (preprocess.ts): JPEG decoded at a reduced scale in the DCT domain,
 * PNG area-averaged while decoding, then whole-factor area averaging down to within 2× of the target, then one
 * bilinear step (TensorFlow's half-pixel-centre semantics) to the exact size. Pure: no I/O. Bad input throws
 * ImageError with the function's codes.
 */
import type { ExifOrientation } from './exif';
import { ImageHeader } from './image-format';
import { decodeJpeg } from './jpeg-decode';
import { encodeJpeg } from './jpeg-encode';
import { decodePng } from './png-decode';
import { DEFAULT_JPEG_QUALITY, DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, blameTheBytes, readAcceptedHeader } from './preprocess';
import { boxShrink } from './resize';
import { RgbImage } from './rgb-image';
import { resizeBilinear } from './tensor-engine';

export interface NormaliseOptions {
  /** the longest edge of the result in pixels; smaller pictures keep their size (never enlarged) */
  readonly maxEdge: number;
  /** JPEG quality of the output, 1-100. default 90 */
  readonly jpegQuality?: number;
  /** refuse images whose header declares more pixels than this. default 50_000_000, as the inference function */
  readonly maxPixels?: number;
  /** refuse inputs larger than this many bytes. default 20 MiB, as the inference function */
  readonly maxBytes?: number;
}

export interface NormalisedImage {
  /** JPEG bytes, upright, 8-bit RGB */
  readonly jpeg: Uint8Array;
  /** size of `jpeg`, upright: max(width, height) ≤ maxEdge */
  readonly width: number;
  readonly height: number;
  /** the original's header: size as stored, before the orientation */
  readonly source: ImageHeader;
}

/** The upright size of a picture stored as width×height with `orientation` (5–8 swap the edges). */
export function uprightSize(width: number, height: number, orientation: ExifOrientation): { readonly width: number; readonly height: number } {
  return orientation >= 5 ? { width: height, height: width } : { width, height };
}

/**
 * The stored size to resize to so that the longest edge is at most maxEdge, aspect ratio kept (each edge at least 1
 * pixel); the size itself when it already fits.
 */
export function cappedSize(width: number, height: number, maxEdge: number): { readonly width: number; readonly height: number } {
  const longest = Math.max(width, height);
  if (longest <= maxEdge) return { width, height };
  const scale = maxEdge / longest;
  return {
    width: width >= height ? maxEdge : Math.max(1, Math.round(width * scale)),
    height: height > width ? maxEdge : Math.max(1, Math.round(height * scale)),
  };
}

export function normaliseImage(bytes: Uint8Array, options: NormaliseOptions): NormalisedImage {
  const quality = options.jpegQuality ?? DEFAULT_JPEG_QUALITY;
  checkOptions(options.maxEdge, quality);
  const header = readAcceptedHeader(bytes, options.maxBytes ?? DEFAULT_MAX_BYTES, options.maxPixels ?? DEFAULT_MAX_PIXELS);
  const target = cappedSize(header.width, header.height, options.maxEdge);
  const decoded = blameTheBytes(() => decodeForTarget(bytes, header, target.width, target.height));
  const reduced = boxShrink(decoded, Math.max(1, Math.floor(decoded.width / target.width)), Math.max(1, Math.floor(decoded.height / target.height)));
  const resized = reduced.width === target.width && reduced.height === target.height
    ? reduced
    : { ...target, data: new Uint8Array(Uint8ClampedArray.from(resizeBilinear(reduced, target.width, target.height)).buffer) };
  const upright = orientPixels(resized, header.orientation);
  return { jpeg: encodeJpeg(upright.data, upright.width, upright.height, quality), width: upright.width, height: upright.height, source: header };
}

/**
 * Decodes every byte of the image (at 1/8 scale for JPEG, area-averaged by 8 for PNG, which is cheap), so that
 * truncated or corrupt data is found as it would be when normalising, and returns its header. ImageError otherwise.
 */
export function verifyImage(bytes: Uint8Array, limits: Pick<NormaliseOptions, 'maxBytes' | 'maxPixels'> = {}): ImageHeader {
  const header = readAcceptedHeader(bytes, limits.maxBytes ?? DEFAULT_MAX_BYTES, limits.maxPixels ?? DEFAULT_MAX_PIXELS);
  blameTheBytes(() => header.format === 'png'
    ? decodePng(bytes, { x: Math.min(8, header.width), y: Math.min(8, header.height) })
    : decodeJpeg(bytes, 8));
  return header;
}

/** JPEG at the largest DCT scale that keeps both edges ≥ the target; PNG area-averaged by whole factors while decoding. */
function decodeForTarget(bytes: Uint8Array, header: ImageHeader, width: number, height: number): RgbImage {
  if (header.format === 'png') {
    return decodePng(bytes, { x: Math.max(1, Math.floor(header.width / width)), y: Math.max(1, Math.floor(header.height / height)) });
  }
  for (const scale of [8, 4, 2] as const) {
    if (Math.ceil(header.width / scale) >= width && Math.ceil(header.height / scale) >= height) return decodeJpeg(bytes, scale);
  }
  return decodeJpeg(bytes, 1);
}

/**
 * The picture as a viewer shows it: the pixel permutation the EXIF orientation asks for (1 as stored, 2 mirrored
 * left-right, 3 turned 180°, 4 mirrored top-bottom, 5 transposed, 6 turned 90° clockwise, 7 anti-transposed,
 * 8 turned 90° counter-clockwise), for any width and height.
 */
export function orientPixels(image: RgbImage, orientation: ExifOrientation): RgbImage {
  if (orientation === 1) return image;
  const { width, height, data } = image;
  const out = uprightSize(width, height, orientation);
  const result = new Uint8Array(data.length);
  const w = width - 1;
  const h = height - 1;
  for (let y = 0, to = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++, to += 3) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: sx = w - x; sy = y; break;
        case 3: sx = w - x; sy = h - y; break;
        case 4: sx = x; sy = h - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = h - x; break;
        case 7: sx = w - y; sy = h - x; break;
        default: sx = w - y; sy = x; break; // 8
      }
      const from = (sy * width + sx) * 3;
      result[to] = data[from];
      result[to + 1] = data[from + 1];
      result[to + 2] = data[from + 2];
    }
  }
  return { ...out, data: result };
}

function checkOptions(maxEdge: number, quality: number): void {
  const problems: string[] = [];
  if (!Number.isInteger(maxEdge) || maxEdge < 1 || maxEdge > 16384) problems.push(`maxEdge must be an integer in [1, 16384], got ${maxEdge}`);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) problems.push(`jpegQuality must be an integer in [1, 100], got ${quality}`);
  if (problems.length > 0) throw new RangeError(`Invalid normalisation options: ${problems.join('; ')}`);
}
