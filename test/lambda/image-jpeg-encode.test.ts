import sharp from 'sharp';
import { decodeJpeg } from '../../lambda/image/jpeg-decode';
import { ChromaSubsampling, encodeJpeg, scaledQuantTable, STANDARD_HUFFMAN_TABLES } from '../../lambda/image/jpeg-encode';
import { meanAbsDiff, rawRgb, scene, toBytes } from './image-fixtures';

describe('encodeJpeg', () => {
  let picture: { width: number; height: number; data: Uint8Array };
  beforeAll(async () => {
    picture = await rawRgb(await toBytes(scene(224, 224).png()));
  });

  it.each<[ChromaSubsampling | undefined, ChromaSubsampling]>([
    [undefined, '4:2:0'],
    ['4:2:0', '4:2:0'],
    ['4:4:4', '4:4:4'],
  ])('writes a baseline JPEG (chroma %s → %s) as faithful and as small as libjpeg\'s at the same quality', async (chroma, expected) => {
    const jpeg = encodeJpeg(picture.data, 224, 224, 90, { chroma });
    const meta = await sharp(jpeg).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 224, height: 224, channels: 3, chromaSubsampling: expected, isProgressive: false });
    const libjpeg = await toBytes(sharp(picture.data, { raw: { width: 224, height: 224, channels: 3 } }).jpeg({ quality: 90, chromaSubsampling: expected }));
    const libjpegError = meanAbsDiff((await rawRgb(libjpeg)).data, picture.data); // 2.56 measured for 4:4:4
    expect(meanAbsDiff((await rawRgb(jpeg)).data, picture.data)).toBeLessThan(libjpegError * 1.05);
    expect(Math.abs(jpeg.length / libjpeg.length - 1)).toBeLessThan(0.1);
  });

  it('averages each 2×2 pixels\' colour in 4:2:0 and keeps full colour in 4:4:4', async () => {
    // A 1-pixel red/blue checkerboard on grey: 4:2:0 blurs its colour to the mean, 4:4:4 keeps it.
    const size = 32;
    const checker = new Uint8Array(size * size * 3);
    for (let i = 0; i < size * size; i++) checker.set((i % size + Math.floor(i / size)) % 2 === 0 ? [200, 40, 40] : [40, 40, 200], i * 3);
    const sharpness = (rgb: Uint8Array) => meanAbsDiff(rgb, checker);
    const full = await rawRgb(encodeJpeg(checker, size, size, 100, { chroma: '4:4:4' }));
    const halved = await rawRgb(encodeJpeg(checker, size, size, 100, { chroma: '4:2:0' }));
    expect(sharpness(full.data)).toBeLessThan(10);
    expect(sharpness(halved.data)).toBeGreaterThan(40);
  });

  it('trades size for fidelity with the quality', async () => {
    const sizes = [10, 50, 90, 100].map((q) => encodeJpeg(picture.data, 224, 224, q).length);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
    const low = await rawRgb(encodeJpeg(picture.data, 224, 224, 10));
    expect(meanAbsDiff(low.data, picture.data)).toBeGreaterThan(meanAbsDiff((await rawRgb(encodeJpeg(picture.data, 224, 224, 100))).data, picture.data));
  });

  it.each<ChromaSubsampling>(['4:2:0', '4:4:4'])('handles sizes that are not a multiple of the MCU, and restart markers (%s)', async (chroma) => {
    const small = await rawRgb(await toBytes(scene(13, 7).png()));
    const libjpeg = await rawRgb(await toBytes(sharp(small.data, { raw: { width: 13, height: 7, channels: 3 } }).jpeg({ quality: 95, chromaSubsampling: chroma })));
    const libjpegError = meanAbsDiff(libjpeg.data, small.data);
    for (const restartInterval of [0, 1, 3]) {
      const jpeg = encodeJpeg(small.data, 13, 7, 95, { chroma, restartInterval });
      const viaLibjpeg = await rawRgb(jpeg);
      expect([viaLibjpeg.width, viaLibjpeg.height]).toEqual([13, 7]);
      expect(meanAbsDiff(viaLibjpeg.data, small.data)).toBeLessThan(libjpegError * 1.1 + 0.2);
      // In 4:2:0 libjpeg interpolates the chroma it upsamples ("fancy upsampling") where our decoder repeats it; on a
      // 13×7 picture, where every pixel is near a colour edge, that alone is a mean difference of ~2.
      expect(meanAbsDiff(decodeJpeg(jpeg, 1).data, viaLibjpeg.data)).toBeLessThan(chroma === '4:4:4' ? 0.6 : 2.5);
    }
  });

  it('scales the quantization tables like libjpeg (quality 50 = the Annex K table)', () => {
    expect(scaledQuantTable([16, ...new Array(63).fill(99)], 50)[0]).toBe(16);
    expect(scaledQuantTable([16, ...new Array(63).fill(99)], 100)[0]).toBe(1);
    expect(scaledQuantTable([16, ...new Array(63).fill(99)], 1)[63]).toBe(255);
  });

  it('carries the complete standard Huffman tables (every run/size symbol is encodable)', () => {
    const all = new Set([0x00, 0xf0]);
    for (let run = 0; run < 16; run++) for (let size = 1; size <= 10; size++) all.add((run << 4) | size);
    for (const table of [STANDARD_HUFFMAN_TABLES.AC_LUMA, STANDARD_HUFFMAN_TABLES.AC_CHROMA]) {
      expect(new Set(table.symbols)).toEqual(all);
      expect(table.counts.reduce((a, b) => a + b, 0)).toBe(162);
    }
  });
});
