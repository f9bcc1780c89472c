import { readExifOrientation } from '../../lambda/image/exif';
import { readImageHeader } from '../../lambda/image/image-format';
import { orientationFixture } from './image-fixtures';

/** A TIFF block with IFD0 holding the given entries [tag, type, count, value]. */
function tiff(littleEndian: boolean, entries: Array<[number, number, number, number]>, ifdOffset = 8): Uint8Array {
  const bytes = new Uint8Array(ifdOffset + 2 + entries.length * 12 + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]);
  view.setUint16(2, 42, littleEndian);
  view.setUint32(4, ifdOffset, littleEndian);
  view.setUint16(ifdOffset, entries.length, littleEndian);
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdOffset + 2 + i * 12;
    view.setUint16(at, tag, littleEndian);
    view.setUint16(at + 2, type, littleEndian);
    view.setUint32(at + 4, count, littleEndian);
    view.setUint16(at + 8, value, littleEndian); // a SHORT sits in the first two bytes of the value field
  });
  return bytes;
}

describe('readExifOrientation', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('reads orientation %d in both byte orders', (value) => {
    expect(readExifOrientation(tiff(true, [[0x0112, 3, 1, value]]))).toBe(value);
    expect(readExifOrientation(tiff(false, [[0x0112, 3, 1, value]]))).toBe(value);
  });

  it('finds the tag among other entries and after an IFD offset other than 8', () => {
    expect(readExifOrientation(tiff(false, [[0x010f, 2, 4, 0], [0x0110, 2, 4, 0], [0x0112, 3, 1, 6]], 20))).toBe(6);
  });

  it('falls back to 1 for anything malformed, absent or out of range', () => {
    expect(readExifOrientation(tiff(true, [[0x0112, 3, 1, 0]]))).toBe(1);
    expect(readExifOrientation(tiff(true, [[0x0112, 3, 1, 9]]))).toBe(1);
    expect(readExifOrientation(tiff(true, [[0x0112, 4, 1, 6]]))).toBe(1); // LONG, not SHORT
    expect(readExifOrientation(tiff(true, [[0x0110, 3, 1, 6]]))).toBe(1); // another tag
    expect(readExifOrientation(new Uint8Array(0))).toBe(1);
    expect(readExifOrientation(Uint8Array.from([0x49, 0x49, 42, 0, 0xff, 0xff, 0xff, 0x7f]))).toBe(1); // IFD past the end
    const cut = tiff(true, [[0x0112, 3, 1, 6]]);
    expect(readExifOrientation(cut.subarray(0, 15))).toBe(1); // entry cut off
    expect(readExifOrientation(Uint8Array.from([0x41, 0x41, 42, 0, 8, 0, 0, 0]))).toBe(1); // no byte order mark
  });

  it('reads the orientation of every fixture through the JPEG APP1 segment', () => {
    for (let value = 1; value <= 8; value++) {
      expect(readImageHeader(orientationFixture(`Landscape_${value}.jpg`)).orientation).toBe(value);
      expect(readImageHeader(orientationFixture(`Portrait_${value}.jpg`)).orientation).toBe(value);
    }
  });
});
