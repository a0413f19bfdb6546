/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
 * snappy's framing format. Slice-by-8, as the IEEE one in src/core.
 */
const T = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  T[n] = c;
}
for (let i = 256; i < 8 * 256; i++) T[i] = (T[i - 256]! >>> 8) ^ T[T[i - 256]! & 0xff]!;

/** Whether an Int32Array reads bytes little-endian, as the word loop's table lookups expect. */
const LITTLE_ENDIAN = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

/** Below this many bytes the word view costs more than it saves. */
const WORD_MIN = 64;

/**
 * The word loop on its own: V8 compiles a long loop while it runs (OSR), and
 * code after the loop that had not run yet has no type feedback, so in one
 * function with it the compiled loop deoptimized at its exit on every call
 * (a 64 KiB buffer per snappy chunk: once per chunk, the rest interpreted).
 * Here the loop's exit is a return.
 */
function crcWords(c: number, w: Int32Array): number {
  const t = T;
  for (let k = 0; k < w.length; k += 2) {
    const a = c ^ w[k]!;
    const b = w[k + 1]!;
    c =
      t[1792 | (a & 0xff)]! ^ t[1536 | ((a >>> 8) & 0xff)]! ^ t[1280 | ((a >>> 16) & 0xff)]! ^ t[1024 | (a >>> 24)]! ^
      t[768 | (b & 0xff)]! ^ t[512 | ((b >>> 8) & 0xff)]! ^ t[256 | ((b >>> 16) & 0xff)]! ^ t[b >>> 24]!;
  }
  return c;
}

/** CRC-32C of data[start, end), unsigned. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let c = -1;
  let i = start;
  const t = T;
  if (LITTLE_ENDIAN && end - i >= WORD_MIN) {
    // Bytes up to a 4-byte boundary, then 8 bytes as two aligned words: two loads instead of eight (2x here).
    for (; ((data.byteOffset + i) & 3) !== 0; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    const w = new Int32Array(data.buffer, data.byteOffset + i, ((end - i) >>> 3) << 1);
    c = crcWords(c, w);
    i += w.length << 2;
  }
  for (const stop = end - 7; i < stop; i += 8) {
    const a = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    const b = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    c =
      t[1792 | (a & 0xff)]! ^ t[1536 | ((a >>> 8) & 0xff)]! ^ t[1280 | ((a >>> 16) & 0xff)]! ^ t[1024 | (a >>> 24)]! ^
      t[768 | (b & 0xff)]! ^ t[512 | ((b >>> 8) & 0xff)]! ^ t[256 | ((b >>> 16) & 0xff)]! ^ t[b >>> 24]!;
  }
  for (; i < end; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The framing format's masked checksum: rotate right 15, plus a constant, so checksums of checksums differ. */
export function maskedCrc32c(data: Uint8Array, start = 0, end = data.length): number {
  const c = crc32c(data, start, end);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}
