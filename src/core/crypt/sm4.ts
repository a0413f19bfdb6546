/** SM4 (GB/T 32907-2016): 128-bit blocks, 32 rounds, big-endian words. */
import { SM4_SBOX } from './_tables.js';
import { be32, putBe32, type BlockCipher } from './_cfb.js';

const FK = [0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc];
const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));
const tau = (a: number): number =>
  (SM4_SBOX[a >>> 24]! << 24) | (SM4_SBOX[(a >>> 16) & 0xff]! << 16) | (SM4_SBOX[(a >>> 8) & 0xff]! << 8) | SM4_SBOX[a & 0xff]!;

/** The round transform T = L(τ(x)), folded with the S-box into four 256-entry tables. */
const T = new Uint32Array(1024);
for (let x = 0; x < 256; x++) {
  const b = SM4_SBOX[x]!;
  for (let i = 0; i < 4; i++) {
    const v = b << (24 - 8 * i);
    T[i * 256 + x] = v ^ rotl(v, 2) ^ rotl(v, 10) ^ rotl(v, 18) ^ rotl(v, 24);
  }
}

export class Sm4 implements BlockCipher {
  readonly blockSize = 16;
  private readonly rk = new Uint32Array(32);

  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError(`sm4 needs a 16-byte key; got ${key.length}`);
    let k0 = be32(key, 0) ^ FK[0]!;
    let k1 = be32(key, 4) ^ FK[1]!;
    let k2 = be32(key, 8) ^ FK[2]!;
    let k3 = be32(key, 12) ^ FK[3]!;
    for (let i = 0; i < 32; i++) {
      // CK_i bytes are (4i+j)*7 mod 256, j = 0..3.
      const ck = ((((4 * i) * 7) & 0xff) << 24) | ((((4 * i + 1) * 7) & 0xff) << 16) | ((((4 * i + 2) * 7) & 0xff) << 8) | (((4 * i + 3) * 7) & 0xff);
      const t = tau(k1 ^ k2 ^ k3 ^ ck);
      const rk = k0 ^ t ^ rotl(t, 13) ^ rotl(t, 23);
      this.rk[i] = rk;
      [k0, k1, k2, k3] = [k1, k2, k3, rk];
    }
  }

  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
    const rk = this.rk;
    let x0 = be32(src, so);
    let x1 = be32(src, so + 4);
    let x2 = be32(src, so + 8);
    let x3 = be32(src, so + 12);
    for (let i = 0; i < 32; i++) {
      const a = x1 ^ x2 ^ x3 ^ rk[i]!;
      const x4 = x0 ^ T[a >>> 24]! ^ T[256 | ((a >>> 16) & 0xff)]! ^ T[512 | ((a >>> 8) & 0xff)]! ^ T[768 | (a & 0xff)]!;
      x0 = x1;
      x1 = x2;
      x2 = x3;
      x3 = x4;
    }
    // Output is the last four words in reverse order.
    putBe32(dst, dof, x3);
    putBe32(dst, dof + 4, x2);
    putBe32(dst, dof + 8, x1);
    putBe32(dst, dof + 12, x0);
  }
}
