import { boxFactors, boxShrink, chooseJpegScale } from '../../lambda/image/resize';

describe('chooseJpegScale', () => {
  it('picks the largest DCT reduction that keeps both edges at least the target size', () => {
    expect(chooseJpegScale(4000, 3000, 224)).toBe(8); // 500×375
    expect(chooseJpegScale(6000, 4000, 224)).toBe(8);
    expect(chooseJpegScale(1800, 1200, 224)).toBe(4); // 1/8 would give 150 rows
    expect(chooseJpegScale(1792, 1792, 224)).toBe(8); // exactly 224
    expect(chooseJpegScale(1791, 1791, 224)).toBe(8); // ceil(1791 / 8) = 224
    expect(chooseJpegScale(1784, 1784, 224)).toBe(4); // 223
    expect(chooseJpegScale(640, 480, 224)).toBe(2);
    expect(chooseJpegScale(300, 3000, 224)).toBe(1); // the short edge decides
    expect(chooseJpegScale(100, 100, 224)).toBe(1);
  });
});

describe('boxFactors', () => {
  it('leaves each edge in [size, 2·size), never below 1', () => {
    expect(boxFactors(500, 375, 224)).toEqual({ x: 2, y: 1 });
    expect(boxFactors(3000, 2000, 224)).toEqual({ x: 13, y: 8 });
    expect(boxFactors(100, 1000, 224)).toEqual({ x: 1, y: 4 });
    for (const edge of [224, 300, 447, 448, 1000, 6000]) {
      const { x } = boxFactors(edge, edge, 224);
      expect(Math.floor(edge / x)).toBeGreaterThanOrEqual(224);
      expect(Math.floor(edge / x)).toBeLessThan(448);
    }
  });
});

describe('boxShrink', () => {
  const image = (width: number, height: number, value: (x: number, y: number, c: number) => number) => {
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = value(x, y, c);
    return { width, height, data };
  };

  it('averages each fx×fy block, per channel, rounding to nearest', () => {
    const input = image(4, 2, (x, y, c) => (c === 0 ? x * 10 + y : c === 1 ? 255 : 0));
    const out = boxShrink(input, 2, 2);
    expect(out.width).toBe(2);
    expect(out.height).toBe(1);
    // block 0: x 0..1, y 0..1 → (0 + 10 + 1 + 11) / 4 = 5.5 → 6 (ties to even); block 1: (20 + 30 + 21 + 31) / 4 = 25.5 → 26
    expect(Array.from(out.data)).toEqual([6, 255, 0, 26, 255, 0]);
  });

  it('crops the leftover pixels evenly from both sides', () => {
    // 7 wide by factor 3 → 2 columns, 1 pixel left over: dropped from the right (left offset floor(1/2) = 0).
    // 8 wide by factor 3 → 2 columns, 2 left over: one dropped on each side.
    const marker = image(8, 1, (x) => x * 30);
    expect(Array.from(boxShrink(marker, 3, 1).data.filter((_, i) => i % 3 === 0))).toEqual([60, 150]);
    const seven = image(7, 1, (x) => x * 30);
    expect(Array.from(boxShrink(seven, 3, 1).data.filter((_, i) => i % 3 === 0))).toEqual([30, 120]);
  });

  it('turns one-pixel stripes into flat gray (the anti-aliasing it is for)', () => {
    const stripes = image(900, 30, (x) => (x % 2 === 0 ? 0 : 255));
    const out = boxShrink(stripes, 4, 1);
    expect(new Set(out.data)).toEqual(new Set([128])); // (0 + 255 + 0 + 255) / 4 = 127.5 → 128
  });

  it('returns the input itself for factors 1×1', () => {
    const input = image(3, 3, () => 7);
    expect(boxShrink(input, 1, 1)).toBe(input);
  });
});
