/**
 * What SHA-1 and SHA-256 share: the Merkle–Damgård padding around a
 * 64-byte block compression, and HMAC over such a hash.
 */

/** Mixes the 64-byte block of `data` at `off` into the chaining state `h`. */
export type Compress = (h: Uint32Array, data: Uint8Array, off: number) => void;

/** The digest of `data`: `iv` as the first state, the tail padded with 0x80, zeros and the bit length (big endian). */
export function mdDigest(compress: Compress, iv: readonly number[], data: Uint8Array): Uint8Array {
  const h = Uint32Array.from(iv);
  const full = data.length - (data.length % 64);
  for (let off = 0; off < full; off += 64) compress(h, data, off);
  const tail = new Uint8Array(data.length % 64 < 56 ? 64 : 128);
  tail.set(data.subarray(full));
  tail[data.length - full] = 0x80;
  const bits = data.length * 8;
  const view = new DataView(tail.buffer);
  view.setUint32(tail.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(tail.length - 4, bits >>> 0);
  for (let off = 0; off < tail.length; off += 64) compress(h, tail, off);
  const out = new Uint8Array(h.length * 4);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < h.length; i++) ov.setUint32(i * 4, h[i]!);
  return out;
}

/** The 64-byte HMAC key block: `key`, hashed first when longer than a block. */
export function hmacKeyBlock(hash: (data: Uint8Array) => Uint8Array, key: Uint8Array): Uint8Array {
  const k = new Uint8Array(64);
  k.set(key.length > 64 ? hash(key) : key);
  return k;
}

/** HMAC (RFC 2104) of `message` under `key` with a hash of 64-byte blocks. */
export function hmac(hash: (data: Uint8Array) => Uint8Array, key: Uint8Array, message: Uint8Array): Uint8Array {
  const k = hmacKeyBlock(hash, key);
  const inner = new Uint8Array(64 + message.length);
  for (let i = 0; i < 64; i++) inner[i] = k[i]! ^ 0x36;
  inner.set(message, 64);
  const digest = hash(inner);
  const outer = new Uint8Array(64 + digest.length);
  for (let i = 0; i < 64; i++) outer[i] = k[i]! ^ 0x5c;
  outer.set(digest, 64);
  return hash(outer);
}
