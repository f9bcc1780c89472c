/**
 * Format detection by magic bytes and the header read of lambda/image/image-format.ts: each format's signature at
 * and around its length, and the size and orientation each header reports.
 */
import * as fc from 'fast-check';
import { ImageError } from '../../lambda/image/image-error';
import { detectImageFormat, readImageHeader } from '../../lambda/image/image-format';
import { orientationFixture, pngChunk } from './image-fixtures';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_START = [0xff, 0xd8, 0xff];

/** A PNG of width x height, 8-bit RGB, with an optional eXIf chunk before its (empty) image data. */
function png(width: number, height: number, exif?: Uint8Array): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array(Buffer.concat([
    Buffer.from(PNG_SIGNATURE), pngChunk('IHDR', ihdr), ...(exif ? [pngChunk('eXIf', exif)] : []),
    pngChunk('IDAT', new Uint8Array()), pngChunk('IEND', new Uint8Array()),
  ]));
}

/** A big-endian TIFF block whose IFD0 holds one orientation entry. */
function exifOrientation(value: number): Uint8Array {
  const bytes = Buffer.alloc(8 + 2 + 12 + 4);
  bytes.write('MM', 0, 'latin1');
  bytes.writeUInt16BE(42, 2);
  bytes.writeUInt32BE(8, 4);
  bytes.writeUInt16BE(1, 8);
  bytes.writeUInt16BE(0x0112, 10);
  bytes.writeUInt16BE(3, 12);
  bytes.writeUInt32BE(1, 14);
  bytes.writeUInt16BE(value, 18);
  return new Uint8Array(bytes);
}

describe('detectImageFormat', () => {
  test.each([
    ['JPEG: SOI and the 0xFF of the next marker', [...JPEG_START], 'jpeg'],
    ['JPEG followed by anything', [...JPEG_START, 0xe1, 0, 0], 'jpeg'],
    ['PNG: its 8-byte signature', PNG_SIGNATURE, 'png'],
    ['PNG followed by anything', [...PNG_SIGNATURE, 0, 0, 0, 13], 'png'],
    ['nothing', [], undefined],
    ['SOI alone', [0xff, 0xd8], undefined],
    ['SOI without a marker after it', [0xff, 0xd8, 0x00, 0xff], undefined],
    ['a marker that is not SOI', [0xff, 0xd9, 0xff], undefined],
    ['0xD8 first', [0xd8, 0xff, 0xff], undefined],
    ['7 bytes of the PNG signature', PNG_SIGNATURE.slice(0, 7), undefined],
    ['the PNG signature with its last byte changed', [...PNG_SIGNATURE.slice(0, 7), 0x0b], undefined],
    ['GIF', [...Buffer.from('GIF89a')], undefined],
  ])('%s', (_name, bytes, format) => {
    expect(detectImageFormat(new Uint8Array(bytes))).toBe(format);
  });

  test('any single changed byte of a signature makes it no longer that format', () => {
    fc.assert(fc.property(fc.constantFrom(JPEG_START, PNG_SIGNATURE), fc.nat(), fc.integer({ min: 1, max: 255 }), (signature, at, delta) => {
      const bytes = [...signature];
      const index = at % bytes.length;
      bytes[index] = (bytes[index] + delta) % 256;
      expect(detectImageFormat(new Uint8Array(bytes))).toBeUndefined();
    }), { numRuns: 200 });
  });
});

describe('readImageHeader', () => {
  test.each([
    ['Landscape_1.jpg', 1], ['Landscape_6.jpg', 6], ['Portrait_8.jpg', 8],
  ])('a JPEG (%s): its stored size and its EXIF orientation %d', (name, orientation) => {
    const header = readImageHeader(orientationFixture(name));
    expect(header.format).toBe('jpeg');
    expect(header.orientation).toBe(orientation);
    expect(header.width).toBeGreaterThan(0);
    expect(header.height).toBeGreaterThan(0);
    // The fixtures store a landscape (or, rotated a quarter turn, a portrait) picture in its raw pixel order.
    const landscapeStored = name.startsWith('Landscape') ? orientation <= 4 : orientation > 4;
    expect(header.width > header.height).toBe(landscapeStored);
  });

  test('a PNG: width and height from IHDR, orientation from eXIf or 1 without it', () => {
    expect(readImageHeader(png(640, 480))).toEqual({ format: 'png', width: 640, height: 480, orientation: 1 });
    expect(readImageHeader(png(3, 7, exifOrientation(6)))).toEqual({ format: 'png', width: 3, height: 7, orientation: 6 });
  });

  test.each([
    ['empty bytes', []],
    ['a GIF', [...Buffer.from('GIF89a'), 1, 0, 1, 0]],
    ['text', [...Buffer.from('not an image')]],
  ])('refuses %s as 400 UNSUPPORTED_IMAGE_TYPE', (_name, bytes) => {
    const read = () => readImageHeader(new Uint8Array(bytes));
    expect(read).toThrow(ImageError);
    expect(read).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_IMAGE_TYPE', status: 400, message: 'The bytes are not a JPEG or PNG image.' }));
  });

  test.each([
    ['a JPEG start with no frame', [...JPEG_START, 0xd9]],
    ['a PNG signature with no IHDR', PNG_SIGNATURE],
  ])('refuses %s as 400 CORRUPT_IMAGE', (_name, bytes) => {
    expect(() => readImageHeader(new Uint8Array(bytes))).toThrow(expect.objectContaining({ code: 'CORRUPT_IMAGE', status: 400 }));
  });
});
