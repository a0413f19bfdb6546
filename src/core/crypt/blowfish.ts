/**
 * Blowfish (big-endian words, 16 rounds), as golang.org/x/crypto/blowfish,
 * with the key kcptun passes (all 32 bytes). Its initial P-array and S-boxes
 * are the hexadecimal digits of pi's fraction; we compute them on first use
 * (Machin's formula in BigInt, ~35 ms once) instead of shipping 4 KiB of
 * constants.
 */
import { Cfb64 } from './_cfb.js';

let PI_WORDS: Uint32Array | null = null;

/** The first n 32-bit words of pi's fractional part (0x243f6a88, 0x85a308d3, ...). */
function piWords(n: number): Uint32Array {
  const guard = 64n;
  const bits = BigInt(n * 32) + guard;
  const one = 1n << bits;
  const arctanInv = (x: bigint): bigint => {
    const x2 = x * x;
    let power = one / x;
    let sum = 0n;
    for (let k = 1n, positive = true; power !== 0n; k += 2n, positive = !positive) {
      sum += positive ? power / k : -(power / k);
      power /= x2;
    }
    return sum;
  };
  const frac = (16n * arctanInv(5n) - 4n * arctanInv(239n) - 3n * one) >> guard;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = Number((frac >> BigInt((n - 1 - i) * 32)) & 0xffffffffn);
  return out;
}

export class BlowfishBlock extends Cfb64 {
  private readonly p: Int32Array;
  private readonly s: Int32Array;

  constructor(key: Uint8Array) {
    super();
    if (key.length < 1 || key.length > 56) throw new RangeError(`blowfish needs a 1..56-byte key; got ${key.length}`);
    PI_WORDS ??= piWords(18 + 1024);
    const p = (this.p = new Int32Array(PI_WORDS.subarray(0, 18)));
    const s = (this.s = new Int32Array(PI_WORDS.subarray(18)));
    // Mix the key (cycled) into P, then replace P and S by chained encryptions of zero.
    for (let i = 0, j = 0; i < 18; i++) {
      let d = 0;
      for (let k = 0; k < 4; k++, j = (j + 1) % key.length) d = (d << 8) | key[j];
      p[i] ^= d;
    }
    const lr = new Int32Array(2);
    for (let i = 0; i < 18; i += 2) {
      this.encryptWords(lr);
      p[i] = lr[0];
      p[i + 1] = lr[1];
    }
    for (let i = 0; i < 1024; i += 2) {
      this.encryptWords(lr);
      s[i] = lr[0];
      s[i + 1] = lr[1];
    }
    this.keyed();
  }

  protected encryptWords(x: Int32Array): void {
    const p = this.p;
    const s = this.s;
    let l = x[0] ^ p[0];
    let r = x[1];
    // F(a) = ((S0[a0] + S1[a1]) ^ S2[a2]) + S3[a3], sums mod 2^32.
    for (let i = 1; i < 17; i += 2) {
      r ^= ((((s[l >>> 24] + s[256 | ((l >>> 16) & 255)]) | 0) ^ s[512 | ((l >>> 8) & 255)]) + s[768 | (l & 255)]) ^ p[i];
      l ^= ((((s[r >>> 24] + s[256 | ((r >>> 16) & 255)]) | 0) ^ s[512 | ((r >>> 8) & 255)]) + s[768 | (r & 255)]) ^ p[i + 1];
    }
    x[0] = r ^ p[17];
    x[1] = l;
  }
}
