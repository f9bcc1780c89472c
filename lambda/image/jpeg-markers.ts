/**
 * JPEG marker segments: walking them and parsing the ones the decoder needs (ITU T.81 section B).
 *
 * Written for this project from the standard; only 8-bit Huffman-coded baseline, extended sequential (SOF0/SOF1) and
 * progressive (SOF2) frames are decoded. Everything that reads a byte checks the bounds first and throws
 * `ImageError('CORRUPT_IMAGE')` otherwise.
 */
import { ExifOrientation, readExifOrientation } from './exif';
import { ImageError } from './image-error';

export const MARKER = {
  SOI: 0xd8,
  EOI: 0xd9,
  SOS: 0xda,
  DQT: 0xdb,
  DHT: 0xc4,
  DRI: 0xdd,
  DNL: 0xdc,
  APP1: 0xe1,
  APP14: 0xee,
  SOF0: 0xc0,
  SOF1: 0xc1,
  SOF2: 0xc2,
} as const;

/** One marker segment: its marker byte and where its payload (after the two length bytes) starts and ends. */
export interface JpegSegment {
  readonly marker: number;
  readonly start: number;
  readonly end: number;
}

export interface JpegComponent {
  readonly id: number;
  /** horizontal and vertical sampling factors, 1..4 */
  readonly h: number;
  readonly v: number;
  /** quantization table slot, 0..3 */
  readonly tq: number;
  /** blocks that hold image data: ceil(ceil(width * h / hMax) / 8), and the same vertically */
  readonly blocksX: number;
  readonly blocksY: number;
  /** blocks including the padding up to whole MCUs (interleaved scans decode these) */
  readonly paddedBlocksX: number;
  readonly paddedBlocksY: number;
}

export interface JpegFrame {
  readonly width: number;
  readonly height: number;
  readonly progressive: boolean;
  readonly components: readonly JpegComponent[];
  readonly hMax: number;
  readonly vMax: number;
  readonly mcusX: number;
  readonly mcusY: number;
}

/** What the header tells before any pixel is decoded. */
export interface JpegHeader {
  readonly frame: JpegFrame;
  readonly orientation: ExifOrientation;
  /** the Adobe APP14 colour transform (0 none, 1 YCbCr, 2 YCCK), or undefined without an Adobe segment */
  readonly adobeTransform: number | undefined;
}

export interface ScanComponent {
  /** index into frame.components */
  readonly index: number;
  readonly dcTable: number;
  readonly acTable: number;
}

export interface JpegScan {
  readonly components: readonly ScanComponent[];
  /** spectral selection start and end (zigzag indices) and successive approximation high/low bits */
  readonly ss: number;
  readonly se: number;
  readonly ah: number;
  readonly al: number;
}

export function corrupt(message: string): ImageError {
  return new ImageError('CORRUPT_IMAGE', `The JPEG image is corrupt or truncated: ${message}.`);
}

/**
 * Reads the marker segment at `pos` (which must point at 0xFF, optionally after fill bytes 0xFF). Markers without a
 * payload (SOI, EOI, RSTn, TEM) get an empty payload.
 */
export function readSegment(bytes: Uint8Array, pos: number): JpegSegment {
  if (pos >= bytes.length || bytes[pos] !== 0xff) throw corrupt(`expected a marker at byte ${pos}`);
  while (pos < bytes.length && bytes[pos] === 0xff) pos++;
  if (pos >= bytes.length) throw corrupt('the data ends inside a marker');
  const marker = bytes[pos++];
  if (marker === MARKER.SOI || marker === MARKER.EOI || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
    return { marker, start: pos, end: pos };
  }
  if (pos + 2 > bytes.length) throw corrupt('the data ends inside a segment length');
  const length = (bytes[pos] << 8) | bytes[pos + 1];
  if (length < 2 || pos + length > bytes.length) throw corrupt(`segment 0xFF${hex(marker)} runs past the end of the data`);
  return { marker, start: pos + 2, end: pos + length };
}

/** Reads the header segments up to the first scan: frame size, components, EXIF orientation, Adobe transform. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== MARKER.SOI) throw corrupt('no start-of-image marker');
  let pos = 2;
  let frame: JpegFrame | undefined;
  let orientation: ExifOrientation | undefined;
  let adobeTransform: number | undefined;
  while (pos < bytes.length) {
    const segment = readSegment(bytes, pos);
    pos = segment.end;
    if (segment.marker === MARKER.SOS || segment.marker === MARKER.EOI) break;
    if (isFrameMarker(segment.marker)) {
      if (frame) throw corrupt('more than one frame header');
      frame = parseFrame(bytes, segment);
    } else if (segment.marker === MARKER.APP1 && orientation === undefined) {
      orientation = parseExifSegment(bytes, segment);
    } else if (segment.marker === MARKER.APP14) {
      adobeTransform = parseAdobeSegment(bytes, segment) ?? adobeTransform;
    }
  }
  if (!frame) throw corrupt('no frame header (SOF) before the image data');
  return { frame, orientation: orientation ?? 1, adobeTransform };
}

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
export function isFrameMarker(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== MARKER.DHT && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Parses a frame header. Lossless, hierarchical and arithmetic-coded JPEGs, 12-bit samples and 2-component images
 * are valid JPEG but rare; they are refused as an unsupported type so that the caller knows to convert them.
 */
export function parseFrame(bytes: Uint8Array, segment: JpegSegment): JpegFrame {
  const { marker, start, end } = segment;
  if (marker !== MARKER.SOF0 && marker !== MARKER.SOF1 && marker !== MARKER.SOF2) {
    throw new ImageError('UNSUPPORTED_IMAGE_TYPE',
      `JPEG frame type 0xFF${hex(marker)} (lossless, hierarchical or arithmetic-coded) is not supported; use baseline or progressive JPEG, or PNG.`);
  }
  if (end - start < 6) throw corrupt('frame header too short');
  const precision = bytes[start];
  const height = (bytes[start + 1] << 8) | bytes[start + 2];
  const width = (bytes[start + 3] << 8) | bytes[start + 4];
  const count = bytes[start + 5];
  if (precision !== 8) {
    throw new ImageError('UNSUPPORTED_IMAGE_TYPE', `JPEG with ${precision}-bit samples is not supported; use 8-bit JPEG or PNG.`);
  }
  if (width === 0 || height === 0) throw corrupt('zero width or height (height defined by a DNL marker is not supported)');
  if (count !== 1 && count !== 3 && count !== 4) {
    throw new ImageError('UNSUPPORTED_IMAGE_TYPE', `JPEG with ${count} colour components is not supported (1, 3 or 4).`);
  }
  if (end - start < 6 + count * 3) throw corrupt('frame header too short for its components');

  const raw: Array<{ id: number; h: number; v: number; tq: number }> = [];
  for (let i = 0; i < count; i++) {
    const at = start + 6 + i * 3;
    const h = bytes[at + 1] >> 4;
    const v = bytes[at + 1] & 15;
    const tq = bytes[at + 2];
    if (h < 1 || h > 4 || v < 1 || v > 4 || tq > 3) throw corrupt('invalid sampling factor or quantization table');
    raw.push({ id: bytes[at], h, v, tq });
  }
  const hMax = Math.max(...raw.map((c) => c.h));
  const vMax = Math.max(...raw.map((c) => c.v));
  if (raw.reduce((sum, c) => sum + c.h * c.v, 0) > 10 && count > 1) throw corrupt('more than 10 blocks per MCU');
  const mcusX = Math.ceil(width / (8 * hMax));
  const mcusY = Math.ceil(height / (8 * vMax));
  const components = raw.map((c): JpegComponent => ({
    ...c,
    blocksX: Math.ceil(Math.ceil((width * c.h) / hMax) / 8),
    blocksY: Math.ceil(Math.ceil((height * c.v) / vMax) / 8),
    paddedBlocksX: mcusX * c.h,
    paddedBlocksY: mcusY * c.v,
  }));
  return { width, height, progressive: marker === MARKER.SOF2, components, hMax, vMax, mcusX, mcusY };
}

/** Parses a start-of-scan header against the frame. */
export function parseScan(bytes: Uint8Array, segment: JpegSegment, frame: JpegFrame): JpegScan {
  const { start, end } = segment;
  const count = start < end ? bytes[start] : 0;
  if (count < 1 || count > 4 || end - start < 1 + count * 2 + 3) throw corrupt('invalid scan header');
  const components: ScanComponent[] = [];
  for (let i = 0; i < count; i++) {
    const id = bytes[start + 1 + i * 2];
    const index = frame.components.findIndex((c) => c.id === id);
    if (index < 0) throw corrupt(`scan refers to unknown component ${id}`);
    const tables = bytes[start + 2 + i * 2];
    components.push({ index, dcTable: tables >> 4, acTable: tables & 15 });
  }
  const at = start + 1 + count * 2;
  const scan = { components, ss: bytes[at], se: bytes[at + 1], ah: bytes[at + 2] >> 4, al: bytes[at + 2] & 15 };
  if (components.some((c) => c.dcTable > 3 || c.acTable > 3)) throw corrupt('scan refers to a Huffman table slot above 3');
  if (count > 1 && components.reduce((sum, c) => sum + frame.components[c.index].h * frame.components[c.index].v, 0) > 10) {
    throw corrupt('more than 10 blocks per MCU');
  }
  if (frame.progressive) {
    const dcScan = scan.ss === 0;
    if ((dcScan && scan.se !== 0) || (!dcScan && (scan.se < scan.ss || scan.se > 63 || count !== 1))
      || scan.al > 13 || scan.ah > 13) {
      throw corrupt('invalid progressive scan parameters');
    }
  }
  return scan;
}

/** Parses every quantization table in a DQT segment into `tables` (zigzag order, as stored). */
export function parseQuantTables(bytes: Uint8Array, segment: JpegSegment, tables: Array<Uint16Array | undefined>): void {
  let pos = segment.start;
  while (pos < segment.end) {
    const precision = bytes[pos] >> 4;
    const slot = bytes[pos] & 15;
    pos++;
    const size = precision === 0 ? 64 : 128;
    if (slot > 3 || precision > 1 || pos + size > segment.end) throw corrupt('invalid quantization table');
    const table = new Uint16Array(64);
    for (let i = 0; i < 64; i++) table[i] = precision === 0 ? bytes[pos + i] : (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1];
    tables[slot] = table;
    pos += size;
  }
}

/** A Huffman table as stored: code counts per length 1..16 and the symbols in code order. */
export interface HuffmanSpec {
  readonly counts: Uint8Array;
  readonly symbols: Uint8Array;
}

/** Parses every Huffman table in a DHT segment; `dc[slot]` and `ac[slot]` receive them. */
export function parseHuffmanTables(bytes: Uint8Array, segment: JpegSegment,
  dc: Array<HuffmanSpec | undefined>, ac: Array<HuffmanSpec | undefined>): void {
  let pos = segment.start;
  while (pos < segment.end) {
    if (pos + 17 > segment.end) throw corrupt('invalid Huffman table');
    const tableClass = bytes[pos] >> 4;
    const slot = bytes[pos] & 15;
    const counts = bytes.slice(pos + 1, pos + 17);
    const total = counts.reduce((sum, n) => sum + n, 0);
    pos += 17;
    if (tableClass > 1 || slot > 3 || total > 256 || pos + total > segment.end) throw corrupt('invalid Huffman table');
    const spec = { counts, symbols: bytes.slice(pos, pos + total) };
    (tableClass === 0 ? dc : ac)[slot] = spec;
    pos += total;
  }
}

/** DRI: the number of MCUs between restart markers (0 = none). */
export function parseRestartInterval(bytes: Uint8Array, segment: JpegSegment): number {
  if (segment.end - segment.start < 2) throw corrupt('invalid restart interval');
  return (bytes[segment.start] << 8) | bytes[segment.start + 1];
}

/** Orientation from an APP1 segment if it is EXIF (`Exif\0` + pad byte), otherwise undefined (XMP and others). */
function parseExifSegment(bytes: Uint8Array, segment: JpegSegment): ExifOrientation | undefined {
  const { start, end } = segment;
  if (end - start < 14) return undefined;
  const isExif = bytes[start] === 0x45 && bytes[start + 1] === 0x78 && bytes[start + 2] === 0x69
    && bytes[start + 3] === 0x66 && bytes[start + 4] === 0;
  return isExif ? readExifOrientation(bytes.subarray(start + 6, end)) : undefined;
}

/** The transform byte of an Adobe APP14 segment ("Adobe", version, flags0, flags1, transform). */
function parseAdobeSegment(bytes: Uint8Array, segment: JpegSegment): number | undefined {
  const { start, end } = segment;
  const isAdobe = end - start >= 12 && bytes[start] === 0x41 && bytes[start + 1] === 0x64 && bytes[start + 2] === 0x6f
    && bytes[start + 3] === 0x62 && bytes[start + 4] === 0x65;
  return isAdobe ? bytes[start + 11] : undefined;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}
