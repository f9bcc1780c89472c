/**
 * A compact JPEG decoder (baseline, extended sequential and progressive Huffman; 8-bit; gray, YCbCr, RGB, CMYK,
 * YCCK) that decodes at 1/1, 1/2, 1/4 or 1/8 scale in the DCT domain.
 *
 * Why it exists: a full-resolution decode of a 12 MP photo in JavaScript takes ~600 ms; the model needs 224×224.
 * At 1/8 scale each 8×8 block becomes one pixel, its DC coefficient, so the decoder only has to walk the Huffman
 * codes of the AC coefficients (never computing them, see `AcSkipLookup`) and does no inverse DCT at all.
 * Progressive files are cheaper still at 1/8: their AC scans are skipped without being read.
 *
 * Every entropy-coded scan is first copied without its stuffed zero bytes (0xFF00 → 0xFF) and split at restart
 * markers, so the hot loop reads plain bytes: the next 16 bits are three byte reads and a shift, with no
 * branches. The copy is padded with zeros so the lookahead never reads outside the array; a block that runs past
 * the real data is detected after every MCU and reported as truncated. AC coefficients that are not needed are
 * passed over several at a time (`AcSkipLookup.multi`).
 */
import { planesToRgb, ComponentPlane, jpegColorModel } from './jpeg-color';
import {
  AcSkipLookup, END_OF_BLOCK, FAST_BITS, HuffmanLookup, MULTI_BITS, buildAcSkipLookup, buildHuffmanLookup,
} from './jpeg-huffman';
import { ScaleDenominator, ScaledIdct, createScaledIdct, inverseDctBlock } from './jpeg-idct';
import {
  HuffmanSpec, JpegFrame, JpegScan, MARKER, corrupt, isFrameMarker, parseHuffmanTables, parseQuantTables,
  parseRestartInterval, parseScan, readJpegHeader, readSegment,
} from './jpeg-markers';
import { RgbImage } from './rgb-image';

/** Zero bytes after the unstuffed data: more than the bits of one MCU (10 blocks × 64 codes × 26 bits < 2.1 KB). */
const PADDING = 4096;
/** A limit against crafted progressive files that repeat scans to burn CPU; real encoders write fewer than 20. */
const MAX_SCANS = 256;
const FAST_SHIFT = 16 - FAST_BITS;
const MULTI_SHIFT = 16 - MULTI_BITS;

/**
 * The unstuffed scan data of the image being decoded, kept from one image to the next: a photo's is megabytes, and
 * allocating (and zeroing) it per image made the garbage collector a tenth of a warm request. Decoding is synchronous
 * from start to end, so one buffer serves every decode; it only grows. unstuff writes every byte it reads.
 */
let sharedScratch = new Uint8Array(0);

function scratchBuffer(length: number): Uint8Array {
  if (sharedScratch.length < length) sharedScratch = new Uint8Array(length);
  return sharedScratch.subarray(0, length);
}

/** Decodes a JPEG at 1/`scale` of its size: ceil(width / scale) × ceil(height / scale) pixels, RGB, not oriented. */
export function decodeJpeg(bytes: Uint8Array, scale: ScaleDenominator): RgbImage {
  const header = readJpegHeader(bytes);
  // A plain Uint8Array view of the same memory: the handler passes a Buffer, whose own indexOf and subarray (used per
  // stuffed byte while unstuffing) are much slower than the typed array builtins.
  const decoder = new JpegDecoder(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), header.frame, scale);
  decoder.run();
  const { frame } = header;
  const width = Math.ceil(frame.width / scale);
  const height = Math.ceil(frame.height / scale);
  const model = jpegColorModel(frame.components.map((c) => c.id), header.adobeTransform);
  const data = planesToRgb(decoder.planes(), width, height, frame.hMax, frame.vMax, model, header.adobeTransform !== undefined);
  return { width, height, data };
}

/** Reads bits from one restart segment of unstuffed scan data. Positions are in bits. */
class BitReader {
  public pos = 0;
  /** end of the current restart segment, in bits */
  public end = 0;
  private segment = 0;

  constructor(public readonly data: Uint8Array, private readonly segmentEnds: readonly number[]) {
    this.end = segmentEnds[0] * 8;
  }

  /** Jumps to the start of the next restart segment (after an RST marker). */
  public restart(): void {
    if (this.pos > this.end) throw corrupt('the data ends before a restart marker');
    this.segment++;
    if (this.segment >= this.segmentEnds.length) throw corrupt('a restart marker is missing');
    this.pos = this.segmentEnds[this.segment - 1] * 8;
    this.end = this.segmentEnds[this.segment] * 8;
  }

  /**
   * The next 16 bits, from the 3 bytes that hold them. `data` is padded, so the reads never leave the array. Three
   * byte loads rather than one DataView getUint32: a 24-bit value is a small integer to V8 in every tier, where a
   * 32-bit one is a heap number (an allocation) until the code is optimised, and the first image of a new process
   * decodes many codes before that.
   */
  public peek16(): number {
    const { data, pos } = this;
    const at = pos >>> 3;
    return (((data[at] << 16) | (data[at + 1] << 8) | data[at + 2]) >>> (8 - (pos & 7))) & 0xffff;
  }

  /** Reads n ≤ 16 bits. */
  public bits(n: number): number {
    const value = this.peek16() >>> (16 - n);
    this.pos += n;
    return value;
  }

  public bit(): number {
    const value = this.peek16() >>> 15;
    this.pos++;
    return value;
  }

  public decode(table: HuffmanLookup): number {
    const bits = this.peek16();
    const entry = table.fast[bits >>> FAST_SHIFT] || table.full[bits];
    if (entry === 0) throw corrupt('invalid Huffman code');
    this.pos += entry & 0xff;
    return entry >> 8;
  }

  /** Reads an n-bit magnitude and sign-extends it (T.81 F.2.2.1 EXTEND). */
  public signed(n: number): number {
    if (n === 0) return 0;
    if (n > 16) throw corrupt('coefficient magnitude over 16 bits');
    const value = this.bits(n);
    return value < 1 << (n - 1) ? value - (1 << n) + 1 : value;
  }
}

interface ScanData {
  readonly reader: BitReader;
  /** offset of the marker that ends the scan (or the end of the data) */
  readonly next: number;
}

class JpegDecoder {
  private readonly idct: ScaledIdct;
  /** one pixel per block at 1/8 scale: the decoder then never computes AC coefficients */
  private readonly dcOnly: boolean;
  private readonly quant: Array<Uint16Array | undefined> = [];
  private readonly dcSpecs: Array<HuffmanSpec | undefined> = [];
  private readonly acSpecs: Array<HuffmanSpec | undefined> = [];
  private readonly dcLookups = new Map<number, HuffmanLookup>();
  private readonly acLookups = new Map<number, HuffmanLookup>();
  private readonly acSkips = new Map<number, AcSkipLookup>();
  private restartInterval = 0;
  /** quantization table of each component, latched at its first scan as libjpeg does */
  private readonly componentQuant: Array<Uint16Array | undefined>;
  /** sequential: decoded pixels per component, filled while scanning */
  private readonly componentPlanes: Uint8ClampedArray[];
  /** progressive: coefficients per component (zigzag order, `stride` per block), turned into pixels at the end */
  private readonly coefficients: Int16Array[];
  private readonly stride: number;
  private readonly scratch: Uint8Array;
  private readonly seen: boolean[];
  private scans = 0;

  constructor(private readonly bytes: Uint8Array, private readonly frame: JpegFrame, scale: ScaleDenominator) {
    this.idct = createScaledIdct(scale);
    this.dcOnly = scale === 8;
    const n = this.idct.n;
    this.componentPlanes = frame.components.map((c) => new Uint8ClampedArray(c.paddedBlocksX * n * c.paddedBlocksY * n));
    this.stride = this.dcOnly ? 1 : 64;
    this.coefficients = frame.progressive
      ? frame.components.map((c) => new Int16Array(c.paddedBlocksX * c.paddedBlocksY * this.stride))
      : [];
    this.componentQuant = frame.components.map(() => undefined);
    this.seen = frame.components.map(() => false);
    this.scratch = scratchBuffer(bytes.length + PADDING);
  }

  public run(): void {
    const { bytes } = this;
    let pos = 2;
    let ended = false;
    let frames = 0;
    while (pos < bytes.length && !ended) {
      const segment = readSegment(bytes, pos);
      pos = segment.end;
      switch (segment.marker) {
        case MARKER.DQT:
          parseQuantTables(bytes, segment, this.quant);
          break;
        case MARKER.DHT:
          parseHuffmanTables(bytes, segment, this.dcSpecs, this.acSpecs);
          this.dcLookups.clear();
          this.acLookups.clear();
          this.acSkips.clear();
          break;
        case MARKER.DRI:
          this.restartInterval = parseRestartInterval(bytes, segment);
          break;
        case MARKER.SOS:
          if (++this.scans > MAX_SCANS) throw corrupt(`more than ${MAX_SCANS} scans`);
          pos = this.scan(parseScan(bytes, segment, this.frame), segment.end);
          break;
        case MARKER.EOI:
          ended = true;
          break;
        default:
          if (isFrameMarker(segment.marker) && ++frames > 1) throw corrupt('more than one frame header');
      }
    }
    if (this.seen.some((s) => !s)) throw corrupt('the data ends before every colour component was decoded');
    // A progressive image is refined scan by scan; without EOI some scans may be missing.
    if (this.frame.progressive && !ended) throw corrupt('the data ends before the end-of-image marker');
  }

  /** Pixels of each component at the decoding scale. */
  public planes(): ComponentPlane[] {
    const n = this.idct.n;
    if (this.frame.progressive) this.coefficientsToPixels();
    return this.frame.components.map((c, i) => ({ data: this.componentPlanes[i], stride: c.paddedBlocksX * n, h: c.h, v: c.v }));
  }

  /** Decodes one scan whose entropy-coded data starts at `start`; returns the offset of the following marker. */
  private scan(scan: JpegScan, start: number): number {
    const { frame } = this;
    for (const c of scan.components) {
      this.seen[c.index] = true;
      const tq = frame.components[c.index].tq;
      this.componentQuant[c.index] ??= this.quant[tq];
      if (!this.componentQuant[c.index]) throw corrupt(`quantization table ${tq} is not defined`);
    }
    if (frame.progressive && scan.ss > 0 && this.dcOnly) return findScanEnd(this.bytes, start);

    const { reader, next } = this.unstuff(start);
    if (!frame.progressive) this.sequentialScan(scan, reader);
    else if (scan.ss === 0) this.progressiveDcScan(scan, reader);
    else this.progressiveAcScan(scan, reader);
    return next;
  }

  /**
   * Sequential scans are the hot path (every camera photo), so they get their own loop rather than `forEachBlock`
   * and a callback per block: the blocks of one MCU are listed once, with their component tables side by side.
   */
  private sequentialScan(scan: JpegScan, reader: BitReader): void {
    const { frame, idct } = this;
    const n = idct.n;
    const needed = idct.coefficientsNeeded;
    const coefficients = new Int32Array(64);
    const single = scan.components.length === 1;
    const layout = scan.components.map((c) => frame.components[c.index]);
    // One entry per block of an MCU (a single-component scan's "MCU" is one block).
    const blocks = scan.components.flatMap((c, s) => {
      const { h, v } = single ? { h: 1, v: 1 } : layout[s];
      return Array.from({ length: h * v }, (_, i) => ({
        s, dx: i % h, dy: Math.floor(i / h), h, v,
        dc: this.dcLookup(c.dcTable),
        ac: this.acLookup(c.acTable),
        skip: this.acSkip(c.acTable),
        quant: this.componentQuant[c.index] as Uint16Array,
        plane: this.componentPlanes[c.index],
        planeStride: layout[s].paddedBlocksX * n,
      }));
    });
    const predictions = new Int32Array(scan.components.length);
    const mcusX = single ? layout[0].blocksX : frame.mcusX;
    const total = mcusX * (single ? layout[0].blocksY : frame.mcusY);
    const restartInterval = this.restartInterval;
    for (let m = 0, mcuX = 0, mcuY = 0; m < total; m++) {
      if (restartInterval > 0 && m > 0 && m % restartInterval === 0) {
        reader.restart();
        predictions.fill(0);
      }
      for (let b = 0; b < blocks.length; b++) {
        const t = blocks[b];
        const dc = decodeSequentialBlock(reader, t.dc, t.ac, t.skip, t.quant, needed, predictions[t.s], coefficients);
        predictions[t.s] = dc;
        const at = ((mcuY * t.v + t.dy) * t.planeStride + (mcuX * t.h + t.dx)) * n;
        if (n === 1) t.plane[at] = (dc * t.quant[0]) / 8 + 128;
        else inverseDctBlock(idct, coefficients, 0, t.plane, at, t.planeStride);
      }
      if (reader.pos > reader.end) throw corrupt('the data ends before the last block');
      if (++mcuX === mcusX) {
        mcuX = 0;
        mcuY++;
      }
    }
  }

  private progressiveDcScan(scan: JpegScan, reader: BitReader): void {
    const { frame, stride } = this;
    const predictions = new Int32Array(scan.components.length);
    const lookups = scan.ah === 0 ? scan.components.map((c) => this.dcLookup(c.dcTable)) : [];
    const blocks = scan.components.map((c) => ({ data: this.coefficients[c.index], perRow: frame.components[c.index].paddedBlocksX }));
    const { ah, al } = scan;
    forEachBlock(frame, scan, reader, this.restartInterval, () => predictions.fill(0), (s, blockX, blockY) => {
      const { data, perRow } = blocks[s];
      const at = (blockY * perRow + blockX) * stride;
      if (ah === 0) {
        predictions[s] += reader.signed(reader.decode(lookups[s]));
        data[at] = predictions[s] * (1 << al);
      } else if (reader.bit()) {
        data[at] |= 1 << al;
      }
    });
  }

  private progressiveAcScan(scan: JpegScan, reader: BitReader): void {
    const { frame, stride } = this;
    const c = scan.components[0];
    const lookup = this.acLookup(c.acTable);
    const data = this.coefficients[c.index];
    const perRow = frame.components[c.index].paddedBlocksX;
    const state = { endOfBandRun: 0 };
    forEachBlock(frame, scan, reader, this.restartInterval, () => { state.endOfBandRun = 0; }, (_s, blockX, blockY) => {
      const at = (blockY * perRow + blockX) * stride;
      if (scan.ah === 0) decodeAcFirst(reader, lookup, data, at, scan, state);
      else decodeAcRefine(reader, lookup, data, at, scan, state);
    });
  }

  /** Progressive: dequantize every block and run the scaled IDCT into the planes. */
  private coefficientsToPixels(): void {
    const { frame, idct, stride } = this;
    const n = idct.n;
    const block = new Int32Array(64);
    frame.components.forEach((c, i) => {
      const quant = this.componentQuant[i] as Uint16Array;
      const coefficients = this.coefficients[i];
      const plane = this.componentPlanes[i];
      const planeStride = c.paddedBlocksX * n;
      for (let by = 0; by < c.paddedBlocksY; by++) {
        for (let bx = 0; bx < c.paddedBlocksX; bx++) {
          const from = (by * c.paddedBlocksX + bx) * stride;
          const at = by * n * planeStride + bx * n;
          if (n === 1) {
            plane[at] = (coefficients[from] * quant[0]) / 8 + 128;
            continue;
          }
          for (let k = 0; k < idct.coefficientsNeeded; k++) block[k] = coefficients[from + k] * quant[k];
          inverseDctBlock(idct, block, 0, plane, at, planeStride);
        }
      }
    });
  }

  /** Copies the scan's entropy-coded data to `scratch` without stuffing, noting where each restart segment ends. */
  private unstuff(start: number): ScanData {
    const { bytes, scratch } = this;
    const segmentEnds: number[] = [];
    let length = 0;
    let i = start;
    for (;;) {
      const ff = bytes.indexOf(0xff, i);
      const stop = ff < 0 ? bytes.length : ff;
      scratch.set(bytes.subarray(i, stop), length);
      length += stop - i;
      if (ff < 0 || ff + 1 >= bytes.length) {
        i = bytes.length; // the data ends inside the scan: truncated, found when a block runs past the end
        break;
      }
      const next = bytes[ff + 1];
      if (next === 0) {
        scratch[length++] = 0xff;
        i = ff + 2;
      } else if (next >= 0xd0 && next <= 0xd7) {
        segmentEnds.push(length);
        i = ff + 2;
      } else if (next === 0xff) {
        i = ff + 1; // fill byte before a marker
      } else {
        i = ff;
        break;
      }
    }
    segmentEnds.push(length);
    scratch.fill(0, length, length + PADDING);
    return { reader: new BitReader(scratch, segmentEnds), next: i };
  }

  private dcLookup(slot: number): HuffmanLookup {
    return cached(this.dcLookups, slot, () => buildHuffmanLookup(spec(this.dcSpecs, slot, 'DC')));
  }

  private acLookup(slot: number): HuffmanLookup {
    return cached(this.acLookups, slot, () => buildHuffmanLookup(spec(this.acSpecs, slot, 'AC')));
  }

  private acSkip(slot: number): AcSkipLookup {
    return cached(this.acSkips, slot, () => buildAcSkipLookup(this.acLookup(slot)));
  }
}

/**
 * Visits the blocks of a scan in stream order: MCU by MCU for interleaved scans, block by block (only those holding
 * image data) for single-component scans. Handles restart segments and stops as soon as a block ran past the data.
 */
function forEachBlock(frame: JpegFrame, scan: JpegScan, reader: BitReader, restartInterval: number, onRestart: () => void,
  visit: (scanComponent: number, blockX: number, blockY: number) => void): void {
  // Counters instead of division: this runs once per block (and Math.* is a slow global lookup under jest's vm).
  if (scan.components.length === 1) {
    const c = frame.components[scan.components[0].index];
    const total = c.blocksX * c.blocksY;
    for (let i = 0, x = 0, y = 0; i < total; i++) {
      if (restartInterval > 0 && i > 0 && i % restartInterval === 0) {
        reader.restart();
        onRestart();
      }
      visit(0, x, y);
      if (reader.pos > reader.end) throw corrupt('the data ends before the last block');
      if (++x === c.blocksX) {
        x = 0;
        y++;
      }
    }
    return;
  }
  const layout = scan.components.map((s) => frame.components[s.index]);
  const total = frame.mcusX * frame.mcusY;
  for (let m = 0, mcuX = 0, mcuY = 0; m < total; m++) {
    if (restartInterval > 0 && m > 0 && m % restartInterval === 0) {
      reader.restart();
      onRestart();
    }
    for (let s = 0; s < layout.length; s++) {
      const { h, v } = layout[s];
      for (let y = 0; y < v; y++) {
        for (let x = 0; x < h; x++) visit(s, mcuX * h + x, mcuY * v + y);
      }
    }
    if (reader.pos > reader.end) throw corrupt('the data ends before the last block');
    if (++mcuX === frame.mcusX) {
      mcuX = 0;
      mcuY++;
    }
  }
}

/**
 * Decodes one sequential block: returns the new DC value (prediction + difference) and leaves the first `needed`
 * dequantized zigzag coefficients in `out`. AC coefficients beyond `needed` are skipped by code length only.
 * The hot loop of the whole preprocessing: locals only, no allocation, no calls.
 */
function decodeSequentialBlock(reader: BitReader, dcTable: HuffmanLookup, acTable: HuffmanLookup, acSkip: AcSkipLookup,
  quant: Uint16Array, needed: number, prediction: number, out: Int32Array): number {
  const data = reader.data;
  // Every table into a local up front: a property first read on a rare path (a code longer than FAST_BITS) after V8
  // optimised this function made it deoptimise (wrong map) and recompile in the middle of the first image.
  const dcFast = dcTable.fast;
  const dcFull = dcTable.full;
  const acFast = acTable.fast;
  const acFull = acTable.full;
  const skipFast = acSkip.fast;
  const skipFull = acSkip.full;
  const multiSkip = acSkip.multi;
  let pos = reader.pos;
  let bits = (((data[pos >>> 3] << 16) | (data[(pos >>> 3) + 1] << 8) | data[(pos >>> 3) + 2]) >>> (8 - (pos & 7))) & 0xffff;
  let entry = dcFast[bits >>> FAST_SHIFT] || dcFull[bits];
  if (entry === 0) throw corrupt('invalid Huffman code');
  pos += entry & 0xff;
  let size = entry >> 8;
  let dc = prediction;
  if (size !== 0) {
    if (size > 16) throw corrupt('DC difference over 16 bits');
    bits = (((data[pos >>> 3] << 16) | (data[(pos >>> 3) + 1] << 8) | data[(pos >>> 3) + 2]) >>> (8 - (pos & 7))) & 0xffff;
    const value = bits >>> (16 - size);
    dc += value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
    pos += size;
  }
  let k = 1;
  if (needed > 1) {
    out[0] = dc * quant[0];
    out.fill(0, 1, needed);
    while (k < needed) {
      bits = (((data[pos >>> 3] << 16) | (data[(pos >>> 3) + 1] << 8) | data[(pos >>> 3) + 2]) >>> (8 - (pos & 7))) & 0xffff;
      entry = acFast[bits >>> FAST_SHIFT] || acFull[bits];
      if (entry === 0) throw corrupt('invalid Huffman code');
      pos += entry & 0xff;
      const symbol = entry >> 8;
      size = symbol & 15;
      if (size === 0) {
        if (symbol === 0xf0) {
          k += 16;
          continue;
        }
        k = END_OF_BLOCK;
        break;
      }
      k += symbol >> 4;
      if (k > 63) throw corrupt('coefficient index past 63');
      if (k < needed) {
        bits = (((data[pos >>> 3] << 16) | (data[(pos >>> 3) + 1] << 8) | data[(pos >>> 3) + 2]) >>> (8 - (pos & 7))) & 0xffff;
        const value = bits >>> (16 - size);
        out[k] = (value < 1 << (size - 1) ? value - (1 << size) + 1 : value) * quant[k];
      }
      pos += size;
      k++;
    }
  }
  while (k < 64) {
    bits = (((data[pos >>> 3] << 16) | (data[(pos >>> 3) + 1] << 8) | data[(pos >>> 3) + 2]) >>> (8 - (pos & 7))) & 0xffff;
    // Several symbols at once while they stay inside the block; otherwise one (a long code, or the block's end).
    entry = multiSkip[bits >>> MULTI_SHIFT];
    if (entry !== 0 && k + ((entry >> 5) & 127) < 64) {
      pos += entry & 31;
      k += entry >> 5;
      continue;
    }
    entry = skipFast[bits >>> FAST_SHIFT] || skipFull[bits];
    if (entry === 0) throw corrupt('invalid Huffman code');
    pos += entry & 31;
    k += entry >> 5;
  }
  if (k !== 64 && k < END_OF_BLOCK) throw corrupt('coefficient index past 63');
  reader.pos = pos;
  return dc;
}

/** Progressive AC first pass (T.81 G.1.2.2), with end-of-band runs. */
function decodeAcFirst(reader: BitReader, table: HuffmanLookup, data: Int16Array, at: number, scan: JpegScan,
  state: { endOfBandRun: number }): void {
  if (state.endOfBandRun > 0) {
    state.endOfBandRun--;
    return;
  }
  const { se, al } = scan;
  for (let k = scan.ss; k <= se; k++) {
    const symbol = reader.decode(table);
    const run = symbol >> 4;
    const size = symbol & 15;
    if (size === 0) {
      if (run < 15) {
        state.endOfBandRun = (1 << run) - 1 + (run > 0 ? reader.bits(run) : 0);
        return;
      }
      k += 15;
      continue;
    }
    k += run;
    if (k > se) throw corrupt('coefficient index past the spectral band');
    data[at + k] = reader.signed(size) * (1 << al);
  }
}

/** Progressive AC refinement pass (T.81 G.1.2.3): one more bit for known coefficients, new ±1 ones in between. */
function decodeAcRefine(reader: BitReader, table: HuffmanLookup, data: Int16Array, at: number, scan: JpegScan,
  state: { endOfBandRun: number }): void {
  const { se } = scan;
  const plus = 1 << scan.al;
  const minus = -1 << scan.al;
  let k = scan.ss;
  if (state.endOfBandRun === 0) {
    for (; k <= se; k++) {
      const symbol = reader.decode(table);
      let run = symbol >> 4;
      const size = symbol & 15;
      let value = 0;
      if (size !== 0) {
        if (size !== 1) throw corrupt('refinement coefficient larger than 1');
        value = reader.bit() ? plus : minus;
      } else if (run !== 15) {
        state.endOfBandRun = (1 << run) + (run > 0 ? reader.bits(run) : 0);
        break;
      }
      // Skip `run` still-zero coefficients, adding a correction bit to every non-zero one passed on the way.
      for (; k <= se; k++) {
        const current = data[at + k];
        if (current !== 0) {
          if (reader.bit() && (current & plus) === 0) data[at + k] = current + (current >= 0 ? plus : minus);
        } else if (--run < 0) {
          break;
        }
      }
      if (value !== 0) {
        if (k > se) throw corrupt('coefficient index past the spectral band');
        data[at + k] = value;
      }
    }
  }
  if (state.endOfBandRun > 0) {
    for (; k <= se; k++) {
      const current = data[at + k];
      if (current !== 0 && reader.bit() && (current & plus) === 0) data[at + k] = current + (current >= 0 ? plus : minus);
    }
    state.endOfBandRun--;
  }
}

/** Offset of the marker that ends the entropy-coded data starting at `start` (used to skip a scan unread). */
function findScanEnd(bytes: Uint8Array, start: number): number {
  let i = start;
  for (;;) {
    const ff = bytes.indexOf(0xff, i);
    if (ff < 0 || ff + 1 >= bytes.length) return bytes.length;
    const next = bytes[ff + 1];
    if (next === 0 || (next >= 0xd0 && next <= 0xd7)) i = ff + 2;
    else if (next === 0xff) i = ff + 1;
    else return ff;
  }
}

function spec(specs: Array<HuffmanSpec | undefined>, slot: number, kind: string): HuffmanSpec {
  const found = specs[slot];
  if (!found) throw corrupt(`${kind} Huffman table ${slot} is not defined`);
  return found;
}

function cached<T>(cache: Map<number, T>, key: number, build: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = build();
    cache.set(key, value);
  }
  return value;
}
