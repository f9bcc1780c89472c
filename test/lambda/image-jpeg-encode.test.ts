import sharp from 'sharp';
import { decodeJpeg } from '../../lambda/image/jpeg-decode';
import { encodeJpeg, scaledQuantTable, STANDARD_HUFFMAN_TABLES } from '../../lambda/image/jpeg-encode';
import { meanAbsDiff, rawRgb, scene, toBytes } from './image-fixtures';

describe('encodeJpeg', () => {
  let picture: { width: number; height: number; data: Uint8Array };
  beforeAll(async () => {
    picture = await rawRgb(await toBytes(scene(224, 224).png()));
  });

  it('writes a baseline 4:4:4 JPEG as faithful and as small as libjpeg\'s at the same quality', async () => {
    const jpeg = encodeJpeg(picture.data, 224, 224, 90);
    const meta = await sharp(jpeg).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 224, height: 224, channels: 3, chromaSubsampling: '4:4:4', isProgressive: false });
    const libjpeg = await toBytes(sharp(picture.data, { raw: { width: 224, height: 224, channels: 3 } }).jpeg({ quality: 90, chromaSubsampling: '4:4:4' }));
    const libjpegError = meanAbsDiff((await rawRgb(libjpeg)).data, picture.data); // 2.56 measured
    expect(meanAbsDiff((await rawRgb(jpeg)).data, picture.data)).toBeLessThan(libjpegError * 1.05);
    expect(Math.abs(jpeg.length / libjpeg.length - 1)).toBeLessThan(0.1);
  });

  it('trades size for fidelity with the quality', async () => {
    const sizes = [10, 50, 90, 100].map((q) => encodeJpeg(picture.data, 224, 224, q).length);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
    const low = await rawRgb(encodeJpeg(picture.data, 224, 224, 10));
    expect(meanAbsDiff(low.data, picture.data)).toBeGreaterThan(meanAbsDiff((await rawRgb(encodeJpeg(picture.data, 224, 224, 100))).data, picture.data));
  });

  it('handles sizes that are not a multiple of 8, and restart markers', async () => {
    const small = await rawRgb(await toBytes(scene(13, 7).png()));
    for (const restart of [0, 1, 3]) {
      const jpeg = encodeJpeg(small.data, 13, 7, 95, restart);
      const viaLibjpeg = await rawRgb(jpeg);
      expect([viaLibjpeg.width, viaLibjpeg.height]).toEqual([13, 7]);
      expect(meanAbsDiff(viaLibjpeg.data, small.data)).toBeLessThan(3);
      expect(meanAbsDiff(decodeJpeg(jpeg, 1).data, viaLibjpeg.data)).toBeLessThan(0.6);
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
