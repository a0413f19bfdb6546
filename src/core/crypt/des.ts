/**
 * Triple DES, EDE with three independent 8-byte keys (Go's
 * des.NewTripleDESCipher; kcptun passes 24 key bytes), big-endian words.
 *
 * Speed comes from the classic word-oriented DES layout: the S-boxes are
 * folded with the P permutation into eight 64-entry SP tables, and both
 * halves are kept rotated left by one bit so that each S-box's six-bit E
 * window lies on a byte boundary of either the half or the half rotated by
 * four. IP and FP are done with delta swaps, once per block: between the
 * three stages FP and IP cancel.
 */
import { DES_P, DES_PC1, DES_PC2, DES_ROTATIONS, DES_SBOX } from './tables.gen.js';
import { Cfb64 } from './_cfb.js';

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/**
 * SP[box * 64 + six bits] = P(S-box output at the box's nibble), rotated left
 * by one like the halves. One array for all eight boxes: one table base in
 * the round function.
 */
const SP = new Int32Array(512);
for (let box = 0; box < 8; box++) {
  for (let six = 0; six < 64; six++) {
    // Row from the outer two bits, column from the inner four.
    const s = DES_SBOX[box * 64 + (((six >> 4) & 2) | (six & 1)) * 16 + ((six >> 1) & 15)];
    const pre = s << (28 - 4 * box);
    let out = 0;
    for (let j = 0; j < 32; j++) if ((pre >>> (32 - DES_P[j])) & 1) out |= 1 << (31 - j);
    SP[box * 64 + six] = rotl(out, 1);
  }
}

/** The round function on a rotated half: boxes 1, 3, 5, 7 read it rotated right by 4, boxes 2, 4, 6, 8 as is. */
function f(r: number, kOdd: number, kEven: number): number {
  const w = ((r >>> 4) | (r << 28)) ^ kOdd;
  const v = r ^ kEven;
  return (
    SP[(w >>> 24) & 63] ^ SP[64 | ((v >>> 24) & 63)] ^ SP[128 | ((w >>> 16) & 63)] ^ SP[192 | ((v >>> 16) & 63)] ^
    SP[256 | ((w >>> 8) & 63)] ^ SP[320 | ((v >>> 8) & 63)] ^ SP[384 | (w & 63)] ^ SP[448 | (v & 63)]
  );
}

/**
 * One DES key's 16 round keys, two words per round laid out to match the
 * windows: [boxes 1,3,5,7 against the half rotated right by 4, boxes 2,4,6,8
 * against the half itself], each six-bit chunk in the low bits of its byte.
 */
function roundKeys(key: Uint8Array, off: number, out: Int32Array, at: number, reverse: boolean): void {
  const bit = (i: number) => (key[off + (i >> 3)] >> (7 - (i & 7))) & 1;
  const cd = DES_PC1.map((p) => bit(p - 1)); // C = cd[0..28), D = cd[28..56)
  for (let r = 0; r < 16; r++) {
    for (let n = 0; n < DES_ROTATIONS[r]; n++) {
      cd.splice(0, 28, ...cd.slice(1, 28), cd[0]);
      cd.splice(28, 28, ...cd.slice(29, 56), cd[28]);
    }
    const k = DES_PC2.map((p) => cd[p - 1]);
    const chunk = (i: number) => (k[6 * i] << 5) | (k[6 * i + 1] << 4) | (k[6 * i + 2] << 3) | (k[6 * i + 3] << 2) | (k[6 * i + 4] << 1) | k[6 * i + 5];
    // Decryption is the same rounds with the round keys in reverse order.
    const o = at + 2 * (reverse ? 15 - r : r);
    out[o] = (chunk(0) << 24) | (chunk(2) << 16) | (chunk(4) << 8) | chunk(6);
    out[o + 1] = (chunk(1) << 24) | (chunk(3) << 16) | (chunk(5) << 8) | chunk(7);
  }
}

export class TripleDesBlock extends Cfb64 {
  /** 48 rounds' keys: encrypt with key 1, decrypt with key 2, encrypt with key 3. */
  private readonly k = new Int32Array(96);

  constructor(key: Uint8Array) {
    super();
    if (key.length !== 24) throw new RangeError(`3des needs a 24-byte key; got ${key.length}`);
    roundKeys(key, 0, this.k, 0, false);
    roundKeys(key, 8, this.k, 32, true);
    roundKeys(key, 16, this.k, 64, false);
    this.keyed();
  }

  protected encryptWords(x: Int32Array): void {
    const k = this.k;
    let l = x[0];
    let r = x[1];
    let t: number;
    // IP, leaving both halves rotated left by one bit.
    t = ((l >>> 4) ^ r) & 0x0f0f0f0f, r ^= t, l ^= t << 4;
    t = ((l >>> 16) ^ r) & 0x0000ffff, r ^= t, l ^= t << 16;
    t = ((r >>> 2) ^ l) & 0x33333333, l ^= t, r ^= t << 2;
    t = ((r >>> 8) ^ l) & 0x00ff00ff, l ^= t, r ^= t << 8;
    r = rotl(r, 1);
    t = (l ^ r) & 0xaaaaaaaa, l ^= t, r ^= t;
    l = rotl(l, 1);
    for (let stage = 0; stage < 96; stage += 32) {
      for (let i = stage; i < stage + 32; i += 4) {
        l ^= f(r, k[i], k[i + 1]);
        r ^= f(l, k[i + 2], k[i + 3]);
      }
      // Each DES outputs R16 || L16, which the next stage takes as its L0 || R0.
      t = l, l = r, r = t;
    }
    // FP: the IP steps inverted, in reverse order.
    l = rotl(l, 31);
    t = (l ^ r) & 0xaaaaaaaa, l ^= t, r ^= t;
    r = rotl(r, 31);
    t = ((r >>> 8) ^ l) & 0x00ff00ff, l ^= t, r ^= t << 8;
    t = ((r >>> 2) ^ l) & 0x33333333, l ^= t, r ^= t << 2;
    t = ((l >>> 16) ^ r) & 0x0000ffff, r ^= t, l ^= t << 16;
    t = ((l >>> 4) ^ r) & 0x0f0f0f0f, r ^= t, l ^= t << 4;
    x[0] = l;
    x[1] = r;
  }
}
