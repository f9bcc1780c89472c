/**
 * Huffman lookup tables for the JPEG entropy decoder.
 *
 * JPEG Huffman codes are at most 16 bits long, so a table indexed by the next 16 bits of the stream decodes any
 * code with a single lookup and no loop over code lengths. That is the decoder's hot path: a 12 MP photo holds
 * millions of codes, and every one of them must be read even when only the DC coefficient is kept.
 */
import { HuffmanSpec, corrupt } from './jpeg-markers';

/**
 * A lookup in two sizes. `full` is indexed by the next 16 bits. `fast` by the next FAST_BITS bits and holds only the
 * codes that short (nearly all of them in practice): at 2 KB it stays in the L1 cache, where the 128 KB `full` table
 * does not; that made the 1/8-scale decode of the 12 MP bench photo about 16% faster (63 → 53 ms on the build
 * machine). 0 in `fast` means "look in `full`"; 0 in `full` means no code starts with those bits (corrupt data).
 */
export interface HuffmanLookup {
  readonly fast: Uint16Array;
  readonly full: Uint16Array;
}

/**
 * Entries of a decoding lookup: (symbol << 8) | codeLength.
 * Entries of an AC skip lookup, for passing over an AC coefficient without computing it: (advance << 5) | bitsToSkip,
 * where bitsToSkip is the code length plus the coefficient's magnitude bits and advance is how many zigzag positions
 * the symbol covers (run + 1, 16 for ZRL, END_OF_BLOCK for EOB).
 */
export interface AcSkipLookup extends HuffmanLookup {
  /** several symbols per lookup, see buildAcMultiSkip */
  readonly multi: Uint16Array;
}

/** Index bits of the `fast` tables. */
export const FAST_BITS = 10;

/** Index bits of the multi-symbol skip tables. */
export const MULTI_BITS = 12;

/** Added to the zigzag index by an end-of-block symbol: any index ≥ this value means "block ended by EOB". */
export const END_OF_BLOCK = 128;

const LOOKUP_BITS = 16;

/** Builds the canonical code of T.81 Annex C and spreads each code over all 16-bit prefixes that start with it. */
export function buildHuffmanLookup(spec: HuffmanSpec): HuffmanLookup {
  const table = new Uint16Array(1 << LOOKUP_BITS);
  let code = 0;
  let next = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < spec.counts[length - 1]; i++) {
      if (code >= 1 << length) throw corrupt('Huffman table has more codes than fit their lengths');
      const shift = LOOKUP_BITS - length;
      table.fill((spec.symbols[next] << 8) | length, code << shift, (code + 1) << shift);
      code++;
      next++;
    }
    code <<= 1;
  }
  return withFastTable(table, (entry) => entry & 0xff);
}

/** Derives the skip table for AC coefficients that the scaled decoder does not need. */
export function buildAcSkipLookup(lookup: HuffmanLookup): AcSkipLookup {
  const skip = new Uint16Array(lookup.full.length);
  // Code by code: each code of length L fills the 2^(16 - L) aligned entries that start with it (a fill per code,
  // not a JavaScript step per entry: this runs on every image, cold in a new Lambda container).
  for (let i = 0; i < skip.length;) {
    const entry = lookup.full[i];
    if (entry === 0) {
      i++;
      continue;
    }
    const symbol = entry >> 8;
    const run = symbol >> 4;
    const size = symbol & 15;
    const advance = size !== 0 ? run + 1 : run === 15 ? 16 : END_OF_BLOCK;
    const span = 1 << (LOOKUP_BITS - (entry & 0xff));
    skip.fill((advance << 5) | ((entry & 0xff) + size), i, i + span);
    i += span;
  }
  const single = withFastTable(skip, (_entry, i) => lookup.full[i] & 0xff);
  return { ...single, multi: buildAcMultiSkip(single) };
}

/** Adds the FAST_BITS-indexed copy of the entries whose code is at most FAST_BITS long. */
function withFastTable(full: Uint16Array, codeLength: (entry: number, index: number) => number): HuffmanLookup {
  const fast = new Uint16Array(1 << FAST_BITS);
  const shift = LOOKUP_BITS - FAST_BITS;
  for (let i = 0; i < fast.length; i++) {
    const entry = full[i << shift];
    if (entry !== 0 && codeLength(entry, i << shift) <= FAST_BITS) fast[i] = entry;
  }
  return { fast, full };
}

/**
 * Skips several AC coefficients per lookup: entry = (advance << 5) | bits for as many whole symbols (code and
 * magnitude bits) as fit in the next MULTI_BITS bits, ending after an EOB if one comes (advance then includes
 * END_OF_BLOCK); 0 when not even one symbol fits. In photos most symbols take 3 to 6 bits, so one lookup usually
 * passes two or three of them.
 */
export function buildAcMultiSkip(skip: HuffmanLookup): Uint16Array {
  const table = new Uint16Array(1 << MULTI_BITS);
  const mask = (1 << MULTI_BITS) - 1;
  for (let i = 0; i < table.length; i++) {
    let used = 0;
    let advance = 0;
    while (used < MULTI_BITS) {
      // The bits after `used`, left-aligned to 16; the unknown ones are 0, so only a symbol within the known bits counts.
      const entry = skip.full[((i << used) & mask) << (LOOKUP_BITS - MULTI_BITS)];
      if (entry === 0 || (entry & 31) > MULTI_BITS - used) break;
      used += entry & 31;
      advance += entry >> 5;
      if (entry >> 5 >= END_OF_BLOCK) break;
    }
    table[i] = (advance << 5) | used;
  }
  return table;
}
