/**
 * Triple DES (EDE with three independent 8-byte keys, as Go's
 * des.NewTripleDESCipher). The round function uses S-boxes folded with the P
 * permutation (SP tables) and reads the E expansion as six-bit windows of the
 * rotated half-block; IP/FP run once per block since the inner ones cancel.
 */
import { DES_E, DES_FP, DES_IP, DES_P, DES_PC1, DES_PC2, DES_ROTATIONS, DES_SBOX } from './_tables.js';
import { be32, putBe32, type BlockCipher } from './_cfb.js';

/** SP[box*64 + six bits] = P(S_box(six bits) placed at the box's nibble). */
const SP = new Uint32Array(512);
for (let box = 0; box < 8; box++) {
  for (let x = 0; x < 64; x++) {
    const row = ((x >> 4) & 2) | (x & 1);
    const col = (x >> 1) & 15;
    const s = DES_SBOX[box * 64 + row * 16 + col]!;
    const pre = s << (28 - 4 * box);
    let out = 0;
    for (let j = 0; j < 32; j++) if ((pre >>> (32 - DES_P[j]!)) & 1) out |= 1 << (31 - j);
    SP[box * 64 + x] = out >>> 0;
  }
}
// The E table takes bits (4i-1 .. 4i+4) for box i: a six-bit window that starts one bit early.
if (DES_E[0] !== 32 || DES_E[1] !== 1 || DES_E[6] !== 4) throw new Error('unexpected DES E table');

/** Applies a FIPS permutation table (1-based, MSB first) to a 64-bit value held as [hi, lo]. */
function permute64(hi: number, lo: number, table: readonly number[]): [number, number] {
  let oh = 0;
  let ol = 0;
  const n = table.length;
  for (let j = 0; j < n; j++) {
    const b = table[j]! - 1;
    const bit = b < 32 ? (hi >>> (31 - b)) & 1 : (lo >>> (63 - b)) & 1;
    const pos = n - 1 - j;
    if (pos >= 32) oh |= bit << (pos - 32);
    else ol |= bit << pos;
  }
  return [oh >>> 0, ol >>> 0];
}

/** The 16 round keys of one DES key, as eight six-bit chunks each. */
function roundKeys(key: Uint8Array, off: number): Uint8Array {
  const [c0, d0] = permute64(be32(key, off), be32(key, off + 4), DES_PC1); // 56 bits: hi = top 24, lo = low 32
  const cd = (BigInt(c0) << 32n) | BigInt(d0);
  let c = Number((cd >> 28n) & 0xfffffffn);
  let d = Number(cd & 0xfffffffn);
  const rot28 = (v: number, n: number) => ((v << n) | (v >>> (28 - n))) & 0xfffffff;
  const out = new Uint8Array(16 * 8);
  for (let r = 0; r < 16; r++) {
    c = rot28(c, DES_ROTATIONS[r]!);
    d = rot28(d, DES_ROTATIONS[r]!);
    // 56-bit C‖D as [hi 24 bits, lo 32 bits] for permute64's MSB-first numbering over 56 bits.
    const hi = (c >>> 4) >>> 0;
    const lo = (((c & 0xf) << 28) | d) >>> 0;
    // permute64 numbers bits over 64; shift the 56-bit value to the top.
    const [kh, kl] = permute64((hi << 8) | (lo >>> 24), (lo << 8) >>> 0, DES_PC2); // 48 bits out
    const k48 = (BigInt(kh) << 32n) | BigInt(kl);
    for (let i = 0; i < 8; i++) out[r * 8 + i] = Number((k48 >> BigInt(42 - 6 * i)) & 63n);
  }
  return out;
}

const rotl = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0;

function feistel(r: number, k: Uint8Array, ko: number): number {
  let f = 0;
  for (let i = 0; i < 8; i++) {
    // Window of E for box i starts at bit 4i-1 (MSB-first, wrapping): rotate it to the top.
    const six = (rotl(r, (4 * i + 31) % 32) >>> 26) & 63;
    f ^= SP[i * 64 + (six ^ k[ko + i]!)]!;
  }
  return f;
}

export class TripleDes implements BlockCipher {
  readonly blockSize = 8;
  private readonly k1: Uint8Array;
  private readonly k2: Uint8Array;
  private readonly k3: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length !== 24) throw new RangeError(`3des needs a 24-byte key; got ${key.length}`);
    this.k1 = roundKeys(key, 0);
    this.k2 = roundKeys(key, 8);
    this.k3 = roundKeys(key, 16);
  }

  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
    let [l, r] = permute64(be32(src, so), be32(src, so + 4), DES_IP);
    // Encrypt with k1, decrypt with k2 (round keys reversed), encrypt with k3.
    for (const [keys, forward] of [[this.k1, true], [this.k2, false], [this.k3, true]] as const) {
      for (let round = 0; round < 16; round++) {
        const ko = (forward ? round : 15 - round) * 8;
        const t = (l ^ feistel(r, keys, ko)) >>> 0;
        l = r;
        r = t;
      }
      [l, r] = [r, l]; // undo the last swap (R16‖L16 is the stage's output)
    }
    const [h, lo] = permute64(l, r, DES_FP);
    putBe32(dst, dof, h);
    putBe32(dst, dof + 4, lo);
  }
}
