/**
 * Which format the bytes are (by their magic bytes, never by a file name or content type) and what their header
 * says, read without decoding any pixel so that pixel bombs are refused before any large allocation.
 */
import type { ExifOrientation } from './exif';
import { ImageError } from './image-error';
import { readJpegHeader } from './jpeg-markers';
import { isPng, readPngHeader } from './png-decode';

export type ImageFormat = 'jpeg' | 'png';

export interface ImageHeader {
  readonly format: ImageFormat;
  /** as stored in the file, before the EXIF orientation is applied */
  readonly width: number;
  readonly height: number;
  readonly orientation: ExifOrientation;
}

/** JPEG starts with SOI and the 0xFF of a next marker; PNG with its 8-byte signature. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  // Stryker disable next-line ConditionalExpression: the length test is for the reader; past the end a Uint8Array reads undefined, never 0xFF
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (isPng(bytes)) return 'png';
  return undefined;
}

/** Format, size and orientation from the header; ImageError UNSUPPORTED_IMAGE_TYPE or CORRUPT_IMAGE otherwise. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const format = detectImageFormat(bytes);
  if (format === 'jpeg') {
    const { frame, orientation } = readJpegHeader(bytes);
    return { format, width: frame.width, height: frame.height, orientation };
  }
  if (format === 'png') {
    const { width, height, orientation } = readPngHeader(bytes);
    return { format, width, height, orientation };
  }
  throw new ImageError('UNSUPPORTED_IMAGE_TYPE', 'The bytes are not a JPEG or PNG image.');
}
