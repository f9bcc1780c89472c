/**
 * TEMPORARY stand-in for lambda/inference/preprocess.ts (being written in parallel), following its contract
 * closely enough for the handler tests: magic-byte check, PNG header pixel limit, jpeg-js/pngjs decoding,
 * nearest-neighbour resize, JPEG output. Deleted when the real module lands.
 */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageError } from '../../lambda/inference/image-error';

export async function preprocessImage(bytes: Uint8Array, options: { size: number; maxBytes?: number; maxPixels?: number }) {
  const { size, maxBytes = 20 * 1024 * 1024, maxPixels = 50_000_000 } = options;
  const buffer = Buffer.from(bytes);
  if (buffer.length === 0) throw new ImageError('EMPTY_IMAGE', 'empty');
  if (buffer.length > maxBytes) throw new ImageError('IMAGE_TOO_LARGE', 'too many bytes');
  const format = buffer.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])) ? 'jpeg'
    : buffer.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ? 'png' : undefined;
  if (format === undefined) throw new ImageError('UNSUPPORTED_IMAGE_TYPE', 'not a JPEG or PNG');
  if (format === 'png' && buffer.length >= 24 && buffer.readUInt32BE(16) * buffer.readUInt32BE(20) > maxPixels) {
    throw new ImageError('TOO_MANY_PIXELS', 'too many pixels');
  }
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = format === 'jpeg' ? jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true }) : PNG.sync.read(buffer);
  } catch {
    throw new ImageError('CORRUPT_IMAGE', 'cannot decode');
  }
  const out = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (Math.floor((y * image.height) / size) * image.width + Math.floor((x * image.width) / size)) * 4;
      image.data.slice(from, from + 4).forEach((value, channel) => { out[(y * size + x) * 4 + channel] = value; });
    }
  }
  const encoded = jpeg.encode({ data: out, width: size, height: size }, 90).data;
  return { jpeg: new Uint8Array(encoded), size, source: { format, width: image.width, height: image.height, orientation: 1 }, engine: 'test-shim' };
}
