/**
 * The one EXIF fact the preprocessing needs: the `Orientation` tag (0x0112) of IFD0.
 *
 * Input is a TIFF structure: the payload of a JPEG APP1 segment after its `Exif\0\0` signature, or a PNG `eXIf`
 * chunk. Every read is bounds-checked; a malformed or missing tag means orientation 1 (as stored), because a broken
 * EXIF block should not make an otherwise readable picture unusable.
 */

/** EXIF orientation 1..8 (1 = stored upright). See `orientImage` in tensor-engine.ts for what each value means. */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;
const TYPE_SHORT = 3;

/** Reads the orientation from TIFF bytes; 1 when absent, out of range or unreadable. */
export function readExifOrientation(tiff: Uint8Array): ExifOrientation {
  if (tiff.length < 8) return 1;
  let littleEndian: boolean;
  if (tiff[0] === 0x49 && tiff[1] === 0x49) littleEndian = true; // "II"
  else if (tiff[0] === 0x4d && tiff[1] === 0x4d) littleEndian = false; // "MM"
  else return 1;
  const u16 = (at: number): number => (littleEndian ? tiff[at] | (tiff[at + 1] << 8) : (tiff[at] << 8) | tiff[at + 1]);
  const u32 = (at: number): number => (littleEndian
    ? (tiff[at] | (tiff[at + 1] << 8) | (tiff[at + 2] << 16)) + tiff[at + 3] * 0x1000000
    : ((tiff[at + 1] << 16) | (tiff[at + 2] << 8) | tiff[at + 3]) + tiff[at] * 0x1000000);
  if (u16(2) !== 42) return 1;

  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    // A SHORT with count 1 is stored in the first two bytes of the value field.
    if (u16(entry + 2) !== TYPE_SHORT || u32(entry + 4) < 1) return 1;
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? (value as ExifOrientation) : 1;
  }
  return 1;
}
