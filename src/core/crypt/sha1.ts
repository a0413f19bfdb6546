/**
 * SHA-1, HMAC-SHA1 and PBKDF2-HMAC-SHA1: all that kcptun's key derivation
 * and kcp-go's xor pad need, here so the core depends on no package. SHA-1
 * serves only as the PRF of PBKDF2, as in kcp-go; nothing relies on its
 * collision resistance.
 */
import { hmac, hmacKeyBlock, mdDigest } from './_merkle-damgard.js';

const W = new Uint32Array(80);

/** One 64-byte block of `data` at `off` into `h` (five words). */
function compress(h: Uint32Array, data: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++, off += 4) W[i] = (data[off]! << 24) | (data[off + 1]! << 16) | (data[off + 2]! << 8) | data[off + 3]!;
  for (let i = 16; i < 80; i++) {
    const x = W[i - 3]! ^ W[i - 8]! ^ W[i - 14]! ^ W[i - 16]!;
    W[i] = (x << 1) | (x >>> 31);
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!;
  for (let i = 0; i < 80; i++) {
    const f = i < 20 ? ((b & c) | (~b & d)) + 0x5a827999 : i < 40 ? (b ^ c ^ d) + 0x6ed9eba1 : i < 60 ? ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc : (b ^ c ^ d) + 0xca62c1d6;
    const t = (((a << 5) | (a >>> 27)) + f + e + W[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
}

const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];

/** SHA-1 of `data`. */
export function sha1(data: Uint8Array): Uint8Array {
  return mdDigest(compress, IV, data);
}

/** SHA-1's state after one 64-byte block `pad` of the key XOR `byte` (HMAC's inner or outer start). */
function keyedState(k: Uint8Array, byte: number): Uint32Array {
  const h = Uint32Array.from(IV);
  compress(h, k.map((b) => b ^ byte), 0);
  return h;
}

/** PBKDF2 (RFC 8018) with HMAC-SHA1: `length` bytes from `password`, `salt`, `iterations`. */
export function pbkdf2Sha1(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Uint8Array {
  const k = hmacKeyBlock(sha1, password);
  const inner = keyedState(k, 0x36);
  const outer = keyedState(k, 0x5c);
  const h = new Uint32Array(5);
  // Every HMAC after the first hashes a 20-byte digest: one padded block, (64 + 20) * 8 bits long.
  const block = new Uint8Array(64);
  const bv = new DataView(block.buffer);
  block[20] = 0x80;
  bv.setUint32(60, (64 + 20) * 8);
  /** HMAC of the digest in `block`, written back into it. */
  const prfBlock = (): void => {
    h.set(inner);
    compress(h, block, 0);
    for (let i = 0; i < 5; i++) bv.setUint32(i * 4, h[i]!);
    h.set(outer);
    compress(h, block, 0);
    for (let i = 0; i < 5; i++) bv.setUint32(i * 4, h[i]!);
  };
  const out = new Uint8Array(length);
  const saltIndex = new Uint8Array(salt.length + 4);
  saltIndex.set(salt);
  const t = new Uint8Array(20);
  for (let index = 1, pos = 0; pos < length; index++, pos += 20) {
    new DataView(saltIndex.buffer).setUint32(salt.length, index);
    block.set(hmac(sha1, k, saltIndex));
    t.set(block.subarray(0, 20));
    for (let i = 1; i < iterations; i++) {
      prfBlock();
      for (let j = 0; j < 20; j++) t[j]! ^= block[j]!;
    }
    out.set(t.subarray(0, Math.min(20, length - pos)), pos);
  }
  return out;
}
