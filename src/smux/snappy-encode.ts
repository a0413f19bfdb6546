/**
 * The snappy block encoder, following golang/snappy's Encode and
 * encodeBlock step for step (its BSD notice is in LICENSE): the same
 * matches and so the same bytes as kcptun's Go writer, hence the same
 * compressed-or-stored choice per framing chunk. Literals are copied with
 * set() and the hash table is reused: on incompressible data (most tunnel
 * traffic) nearly all the time goes to those two.
 */

const MAX_BLOCK_SIZE = 65536;
const INPUT_MARGIN = 16 - 1;
/** Shorter blocks are emitted as one literal. */
const MIN_NON_LITERAL_BLOCK_SIZE = 1 + 1 + INPUT_MARGIN;
const MAX_TABLE_SIZE = 1 << 14;
const TABLE_MASK = MAX_TABLE_SIZE - 1;
/** Literals shorter than this are copied byte by byte: a subarray view costs more. */
const SHORT_LITERAL = 16;

const TAG_LITERAL = 0x00;
const TAG_COPY1 = 0x01;
const TAG_COPY2 = 0x02;

/** Reused by every call (each is done with it before returning); golang/snappy zeroes a fresh one per block. */
const table = new Uint16Array(MAX_TABLE_SIZE);

/** The most bytes snappyEncode writes for `n` input bytes (golang/snappy MaxEncodedLen). */
export function maxEncodedLen(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/** Encodes `src` as one snappy block into `dst` (at least maxEncodedLen(src.length) long); returns the bytes written. */
export function snappyEncode(src: Uint8Array, dst: Uint8Array): number {
  let d = 0;
  for (let v = src.length; ; v = Math.floor(v / 128)) {
    if (v < 0x80) {
      dst[d++] = v;
      break;
    }
    dst[d++] = (v & 0x7f) | 0x80;
  }
  for (let off = 0; off < src.length; off += MAX_BLOCK_SIZE) {
    const end = Math.min(src.length, off + MAX_BLOCK_SIZE);
    d = end - off < MIN_NON_LITERAL_BLOCK_SIZE ? emitLiteral(dst, d, src, off, end) : encodeBlock(dst, d, src.subarray(off, end));
  }
  return d;
}

function load32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function hash(u: number, shift: number): number {
  return Math.imul(u, 0x1e35a7bd) >>> shift;
}

function emitLiteral(dst: Uint8Array, d: number, src: Uint8Array, from: number, to: number): number {
  const n = to - from - 1;
  if (n < 60) {
    dst[d++] = (n << 2) | TAG_LITERAL;
  } else if (n < 1 << 8) {
    dst[d++] = (60 << 2) | TAG_LITERAL;
    dst[d++] = n;
  } else {
    dst[d++] = (61 << 2) | TAG_LITERAL;
    dst[d++] = n & 0xff;
    dst[d++] = n >>> 8;
  }
  if (to - from < SHORT_LITERAL) {
    for (let i = from; i < to; i++) dst[d++] = src[i]!;
    return d;
  }
  dst.set(src.subarray(from, to), d);
  return d + (to - from);
}

function emitCopy(dst: Uint8Array, d: number, offset: number, length: number): number {
  while (length >= 68) {
    dst[d] = (63 << 2) | TAG_COPY2;
    dst[d + 1] = offset & 0xff;
    dst[d + 2] = offset >>> 8;
    d += 3;
    length -= 64;
  }
  if (length > 64) {
    dst[d] = (59 << 2) | TAG_COPY2;
    dst[d + 1] = offset & 0xff;
    dst[d + 2] = offset >>> 8;
    d += 3;
    length -= 60;
  }
  if (length >= 12 || offset >= 2048) {
    dst[d] = ((length - 1) << 2) | TAG_COPY2;
    dst[d + 1] = offset & 0xff;
    dst[d + 2] = offset >>> 8;
    return d + 3;
  }
  dst[d] = ((offset >>> 8) << 5) | ((length - 4) << 2) | TAG_COPY1;
  dst[d + 1] = offset & 0xff;
  return d + 2;
}

/** One block of MIN_NON_LITERAL_BLOCK_SIZE to MAX_BLOCK_SIZE bytes. */
function encodeBlock(dst: Uint8Array, d: number, src: Uint8Array): number {
  let shift = 32 - 8;
  let tableSize = 1 << 8;
  for (; tableSize < MAX_TABLE_SIZE && tableSize < src.length; tableSize *= 2) shift--;
  table.fill(0, 0, tableSize);
  const sLimit = src.length - INPUT_MARGIN;
  let nextEmit = 0;
  let s = 1;
  let nextHash = hash(load32(src, s), shift);
  for (;;) {
    let skip = 32;
    let nextS = s;
    let candidate = 0;
    for (;;) {
      s = nextS;
      const between = skip >>> 5;
      nextS = s + between;
      skip += between;
      if (nextS > sLimit) return nextEmit < src.length ? emitLiteral(dst, d, src, nextEmit, src.length) : d;
      candidate = table[nextHash & TABLE_MASK]!;
      table[nextHash & TABLE_MASK] = s;
      nextHash = hash(load32(src, nextS), shift);
      if (load32(src, s) === load32(src, candidate)) break;
    }
    d = emitLiteral(dst, d, src, nextEmit, s);
    for (;;) {
      const base = s;
      s += 4;
      for (let i = candidate + 4; s < src.length && src[i] === src[s]; i++, s++);
      d = emitCopy(dst, d, base - candidate, s - base);
      nextEmit = s;
      if (s >= sLimit) return nextEmit < src.length ? emitLiteral(dst, d, src, nextEmit, src.length) : d;
      table[hash(load32(src, s - 1), shift) & TABLE_MASK] = s - 1;
      const cur = load32(src, s);
      const currHash = hash(cur, shift) & TABLE_MASK;
      candidate = table[currHash]!;
      table[currHash] = s;
      if (cur !== load32(src, candidate)) {
        nextHash = hash(load32(src, s + 1), shift);
        s++;
        break;
      }
    }
  }
}
