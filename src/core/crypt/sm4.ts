/** SM4 (GB/T 32907-2016), as github.com/tjfoc/gmsm/sm4: 128-bit blocks, 32 rounds, big-endian words. */
import { SM4_SBOX } from './tables.gen.js';
import { Cfb128, ldBE } from './_cfb.js';

const FK = [0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc];
const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));
const tau = (a: number): number => (SM4_SBOX[a >>> 24] << 24) | (SM4_SBOX[(a >>> 16) & 0xff] << 16) | (SM4_SBOX[(a >>> 8) & 0xff] << 8) | SM4_SBOX[a & 0xff];

/** The round transform T = L(τ(x)) split by input byte: T(x) = T0[x0] ^ T1[x1] ^ T2[x2] ^ T3[x3]. */
const [T0, T1, T2, T3] = [24, 16, 8, 0].map((shift) => {
  const t = new Int32Array(256);
  for (let x = 0; x < 256; x++) {
    const v = SM4_SBOX[x] << shift;
    t[x] = v ^ rotl(v, 2) ^ rotl(v, 10) ^ rotl(v, 18) ^ rotl(v, 24);
  }
  return t;
}) as [Int32Array, Int32Array, Int32Array, Int32Array];

const T = (a: number): number => T0[a >>> 24] ^ T1[(a >>> 16) & 255] ^ T2[(a >>> 8) & 255] ^ T3[a & 255];

export class Sm4Block extends Cfb128 {
  private readonly rk = new Int32Array(32);

  constructor(key: Uint8Array) {
    super(false);
    if (key.length !== 16) throw new RangeError(`sm4 needs a 16-byte key; got ${key.length}`);
    let k0 = ldBE(key, 0) ^ FK[0];
    let k1 = ldBE(key, 4) ^ FK[1];
    let k2 = ldBE(key, 8) ^ FK[2];
    let k3 = ldBE(key, 12) ^ FK[3];
    for (let i = 0; i < 32; i++) {
      // CK_i bytes are (4i+j)*7 mod 256, j = 0..3.
      const ck = ((28 * i) & 0xff) << 24 | ((28 * i + 7) & 0xff) << 16 | ((28 * i + 14) & 0xff) << 8 | ((28 * i + 21) & 0xff);
      const t = tau(k1 ^ k2 ^ k3 ^ ck);
      const rk = k0 ^ t ^ rotl(t, 13) ^ rotl(t, 23);
      this.rk[i] = rk;
      k0 = k1;
      k1 = k2;
      k2 = k3;
      k3 = rk;
    }
    this.keyed();
  }

  protected encryptWords(x: Int32Array): void {
    const rk = this.rk;
    let x0 = x[0];
    let x1 = x[1];
    let x2 = x[2];
    let x3 = x[3];
    // Four rounds per pass, so the words stay in place instead of shifting down.
    for (let i = 0; i < 32; i += 4) {
      x0 ^= T(x1 ^ x2 ^ x3 ^ rk[i]);
      x1 ^= T(x2 ^ x3 ^ x0 ^ rk[i + 1]);
      x2 ^= T(x3 ^ x0 ^ x1 ^ rk[i + 2]);
      x3 ^= T(x0 ^ x1 ^ x2 ^ rk[i + 3]);
    }
    // The output is the last four words in reverse order.
    x[0] = x3;
    x[1] = x2;
    x[2] = x1;
    x[3] = x0;
  }
}
