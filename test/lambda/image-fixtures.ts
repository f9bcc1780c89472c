/**
 * Test images for the preprocessing tests, made at test time with sharp (a devDependency; the Lambda code never
 * uses it) from the committed EXIF-orientation photo, plus helpers to compare pictures.
 */
import { readFileSync } from 'fs';
import { crc32 } from 'zlib';
import * as path from 'path';
import sharp, { type Sharp } from 'sharp';

export const ORIENTATION_DIR = path.join(__dirname, '..', 'fixtures', 'exif-orientation');

export function orientationFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(ORIENTATION_DIR, name)));
}

/** The upright landscape photo, resized to width×height (squashed), as a sharp pipeline. */
export function scene(width: number, height: number): Sharp {
  return sharp(orientationFixture('Landscape_1.jpg')).resize(width, height, { fit: 'fill' });
}

export async function toBytes(image: Sharp): Promise<Uint8Array> {
  return new Uint8Array(await image.toBuffer());
}

/** Decodes any image to raw RGB with sharp (alpha flattened onto white, orientation NOT applied). */
export async function rawRgb(bytes: Uint8Array): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(bytes).flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha()
    .raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Mean absolute difference per channel value, 0..255. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** A deterministic xorshift generator, for reproducible "random" bytes. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

/** One PNG chunk: length, type, data, CRC. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** Whether @tensorflow/tfjs-node loads here (its native library does not install on the build machines). */
export function nativeTfjsLoads(): boolean {
  try {
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}
