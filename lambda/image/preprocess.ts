/**
 * Image bytes in, the model's input out: validate → read the header → refuse pixel bombs → decode (JPEG at a
 * reduced scale in the DCT domain) → area-average down to within 2× of the model size → bilinear resize to
 * size×size (TensorFlow.js) → EXIF orientation → 8-bit RGB → JPEG.
 *
 * Pure: no AWS, no environment, no I/O. The same function is meant to prepare the training images, so that training
 * and serving see the same transform (see resize.ts for the geometry and the filter, png-decode.ts for alpha).
 * Every bad input throws `ImageError`; anything else thrown is a defect or an engine failure (a 5xx, not the
 * caller's fault).
 */
import { ImageError } from './image-error';
import { ImageHeader, readImageHeader } from './image-format';
import { decodeJpeg } from './jpeg-decode';
import { encodeJpeg } from './jpeg-encode';
import { decodePng } from './png-decode';
import { boxFactors, boxShrink, chooseJpegScale } from './resize';
import { RgbImage } from './rgb-image';
import { TensorEngineName, loadTensorEngine, resizeAndOrient } from './tensor-engine';

export interface PreprocessOptions {
  /** edge of the square model input in pixels (IMAGE_SIZE) */
  readonly size: number;
  /** refuse images whose header declares more pixels than this, before decoding. default 50_000_000 */
  readonly maxPixels?: number;
  /** refuse inputs larger than this many bytes. default 20 * 1024 * 1024 */
  readonly maxBytes?: number;
  /** JPEG quality of the output, 1-100. default 90 */
  readonly jpegQuality?: number;
}

export interface PreprocessedImage {
  /** JPEG bytes of exactly size x size pixels, upright, 8-bit RGB */
  readonly jpeg: Uint8Array;
  readonly size: number;
  /** width and height as stored in the file, before the orientation is applied (swap them for 5–8) */
  readonly source: { readonly format: 'jpeg' | 'png'; readonly width: number; readonly height: number; readonly orientation: number };
  /** which decoder/tensor engine did the work, e.g. 'tfjs-node' or 'tfjs-cpu' */
  readonly engine: string;
}

export const DEFAULT_MAX_PIXELS = 50_000_000;
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_JPEG_QUALITY = 90;
/** Larger model inputs do not exist in the catalog (the largest is 600); this only catches nonsense. */
const MAX_SIZE = 4096;

/**
 * Preprocesses one image for the model. `engine` picks the tensor engine (default: tfjs-node if it loads, else the
 * pure JavaScript CPU backend); the bench uses it to compare engines.
 */
export async function preprocessImage(bytes: Uint8Array, options: PreprocessOptions,
  engine?: TensorEngineName): Promise<PreprocessedImage> {
  const { size } = options;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const quality = options.jpegQuality ?? DEFAULT_JPEG_QUALITY;
  checkOptions(size, maxPixels, maxBytes, quality);

  const header = readAcceptedHeader(bytes, maxBytes, maxPixels);
  const decoded = blameTheBytes(() => decodeForSize(bytes, header, size));
  const factors = boxFactors(decoded.width, decoded.height, size);
  const reduced = boxShrink(decoded, factors.x, factors.y);
  const tensorEngine = await loadTensorEngine(engine);
  const rgb = resizeAndOrient(tensorEngine, reduced, size, header.orientation);
  return {
    jpeg: encodeJpeg(rgb, size, size, quality),
    size,
    source: { format: header.format, width: header.width, height: header.height, orientation: header.orientation },
    engine: tensorEngine.name,
  };
}

/**
 * The header of an image within the limits, read before any pixel is decoded: ImageError EMPTY_IMAGE,
 * IMAGE_TOO_LARGE, UNSUPPORTED_IMAGE_TYPE, CORRUPT_IMAGE or TOO_MANY_PIXELS otherwise.
 */
export function readAcceptedHeader(bytes: Uint8Array, maxBytes: number, maxPixels: number): ImageHeader {
  if (bytes.length === 0) throw new ImageError('EMPTY_IMAGE', 'The image is empty (0 bytes).');
  if (bytes.length > maxBytes) {
    throw new ImageError('IMAGE_TOO_LARGE', `The image is ${bytes.length} bytes; at most ${maxBytes} bytes are accepted.`);
  }
  const header = blameTheBytes(() => readImageHeader(bytes));
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new ImageError('TOO_MANY_PIXELS',
      `The image is ${header.width}×${header.height} (${pixels} pixels); at most ${maxPixels} pixels are accepted.`);
  }
  return header;
}

/**
 * Decodes no larger than needed: JPEG at the largest DCT scale that keeps both edges ≥ size, PNG area-averaged
 * row by row while decoding.
 */
function decodeForSize(bytes: Uint8Array, header: ImageHeader, size: number): RgbImage {
  if (header.format === 'png') return decodePng(bytes, boxFactors(header.width, header.height, size));
  return decodeJpeg(bytes, chooseJpegScale(header.width, header.height, size));
}

/**
 * Runs a step that reads the bytes. The decoders throw ImageError for everything they check; anything else thrown
 * there (a RangeError from a length nobody thought of, say) is still the bytes' fault, so it becomes CORRUPT_IMAGE
 * rather than a 500.
 */
export function blameTheBytes<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ImageError) throw error;
    throw new ImageError('CORRUPT_IMAGE', 'The image could not be decoded.');
  }
}

function checkOptions(size: number, maxPixels: number, maxBytes: number, quality: number): void {
  const problems: string[] = [];
  if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) problems.push(`size must be an integer in [1, ${MAX_SIZE}], got ${size}`);
  if (!(maxPixels > 0)) problems.push(`maxPixels must be positive, got ${maxPixels}`);
  if (!(maxBytes > 0)) problems.push(`maxBytes must be positive, got ${maxBytes}`);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) problems.push(`jpegQuality must be an integer in [1, 100], got ${quality}`);
  if (problems.length > 0) throw new RangeError(`Invalid preprocessing options: ${problems.join('; ')}`);
}
