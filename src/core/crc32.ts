/**
 * CRC-32/IEEE (reflected, polynomial 0xEDB88320), kcp-go's packet checksum
 * (crc32.ChecksumIEEE). Slice-by-8: eight 256-entry tables let the loop
 * consume eight bytes per step with independent lookups.
 */
const T = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  T[n] = c;
}
// T[t * 256 + n] is the CRC contribution of byte n followed by t zero bytes.
for (let i = 256; i < 8 * 256; i++) T[i] = (T[i - 256] >>> 8) ^ T[T[i - 256] & 0xff];

/** CRC-32 of data[start, end), as an unsigned number. */
export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  let c = -1;
  let i = start;
  for (const stop = end - 7; i < stop; i += 8) {
    const a = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    const b = data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24);
    c =
      T[1792 | (a & 0xff)] ^ T[1536 | ((a >>> 8) & 0xff)] ^ T[1280 | ((a >>> 16) & 0xff)] ^ T[1024 | (a >>> 24)] ^
      T[768 | (b & 0xff)] ^ T[512 | ((b >>> 8) & 0xff)] ^ T[256 | ((b >>> 16) & 0xff)] ^ T[b >>> 24];
  }
  for (; i < end; i++) c = T[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
