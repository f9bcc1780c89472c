/**
 * Benchmark inputs, made deterministically from the committed fixture photo: upscaled with Lanczos and given seeded
 * noise, so that the JPEG carries photo-like detail (a plain upscale compresses far better than a camera photo and
 * would flatter every decoder). 12 MP at quality 90 comes out near 2.8 MB, like the 2.6 MB photo of the tooling notes.
 */
import { writeFileSync } from 'fs';
import * as path from 'path';
import sharp, { type OutputInfo } from 'sharp';

const SOURCE = path.join(__dirname, '..', 'test', 'fixtures', 'exif-orientation', 'Landscape_1.jpg');

export interface BenchInput {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly width: number;
  readonly height: number;
  /** timed runs (after warm-up) */
  readonly runs: number;
}

/** Raw RGB of the fixture squashed to width×height, plus noise of ±amplitude from a seeded generator. */
async function photoLike(width: number, height: number, amplitude: number): Promise<{ data: Buffer; info: OutputInfo }> {
  const { data, info } = await sharp(SOURCE).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw()
    .toBuffer({ resolveWithObject: true });
  let state = 0x12345678;
  for (let i = 0; i < data.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const noise = (((state & 255) + ((state >>> 8) & 255) - 255) / 255) * amplitude; // triangular, ±amplitude
    const value = data[i] + noise;
    data[i] = value < 0 ? 0 : value > 255 ? 255 : value;
  }
  return { data, info };
}

export async function makeInputs(dir: string): Promise<BenchInput[]> {
  const specs = [
    { name: 'jpeg-12mp', width: 4000, height: 3000, format: 'jpeg', runs: 15 },
    { name: 'jpeg-12mp-progressive', width: 4000, height: 3000, format: 'progressive', runs: 9 },
    { name: 'jpeg-24mp', width: 6000, height: 4000, format: 'jpeg', runs: 9 },
    { name: 'png-6mp', width: 3000, height: 2000, format: 'png', runs: 7 },
  ] as const;
  const inputs: BenchInput[] = [];
  for (const spec of specs) {
    const { data, info } = await photoLike(spec.width, spec.height, spec.format === 'png' ? 4 : 12);
    const image = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    const encoded = spec.format === 'png' ? await image.png().toBuffer()
      : await image.jpeg({ quality: 90, progressive: spec.format === 'progressive' }).toBuffer();
    const file = path.join(dir, `${spec.name}.${spec.format === 'png' ? 'png' : 'jpg'}`);
    writeFileSync(file, encoded);
    inputs.push({ name: spec.name, file, bytes: encoded.length, width: spec.width, height: spec.height, runs: spec.runs });
  }
  return inputs;
}

/**
 * The first-request benchmark's input: a 12 MP photo-like JPEG (quality 90) as a phone stores it, landscape pixels
 * with EXIF orientation 6 (rotate 90° to view), so both handlers do the orientation work.
 */
export async function makeFirstRequestInput(dir: string): Promise<BenchInput> {
  const { data, info } = await photoLike(4000, 3000, 12);
  const encoded = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer();
  const file = path.join(dir, 'jpeg-12mp-orientation-6.jpg');
  writeFileSync(file, encoded);
  return { name: 'jpeg-12mp-orientation-6', file, bytes: encoded.length, width: 4000, height: 3000, runs: 10 };
}
