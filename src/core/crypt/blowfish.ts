/**
 * Blowfish (big-endian, 16 rounds), as golang.org/x/crypto/blowfish with the
 * key kcptun passes (all 32 bytes). Its initial P-array and S-boxes are the
 * hexadecimal digits of pi's fraction; we compute them once (Machin's formula
 * in BigInt) instead of shipping 4 KiB of constants.
 */
import { be32, putBe32, type BlockCipher } from './_cfb.js';

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

export class Blowfish implements BlockCipher {
  readonly blockSize = 8;
  private readonly p: Uint32Array;
  private readonly s: Uint32Array;
  private readonly lr = new Uint32Array(2);

  constructor(key: Uint8Array) {
    if (key.length < 1 || key.length > 56) throw new RangeError(`blowfish needs a 1..56-byte key; got ${key.length}`);
    PI_WORDS ??= piWords(18 + 1024);
    this.p = PI_WORDS.slice(0, 18);
    this.s = PI_WORDS.slice(18);
    // Mix the key (cycled) into P, then replace P and S by chained encryptions of zero.
    for (let i = 0, j = 0; i < 18; i++) {
      let d = 0;
      for (let k = 0; k < 4; k++) {
        d = (d << 8) | key[j]!;
        j = (j + 1) % key.length;
      }
      this.p[i]! ^= d;
    }
    const lr = this.lr;
    lr[0] = 0;
    lr[1] = 0;
    for (let i = 0; i < 18; i += 2) {
      this.crypt(lr);
      this.p[i] = lr[0]!;
      this.p[i + 1] = lr[1]!;
    }
    for (let i = 0; i < 1024; i += 2) {
      this.crypt(lr);
      this.s[i] = lr[0]!;
      this.s[i + 1] = lr[1]!;
    }
  }

  private crypt(lr: Uint32Array): void {
    const p = this.p;
    const s = this.s;
    let l = lr[0]! ^ p[0]!;
    let r = lr[1]!;
    for (let i = 1; i <= 16; i += 2) {
      r ^= ((((s[l >>> 24]! + s[256 | ((l >>> 16) & 0xff)]!) | 0) ^ s[512 | ((l >>> 8) & 0xff)]!) + s[768 | (l & 0xff)]!) ^ p[i]!;
      l ^= ((((s[r >>> 24]! + s[256 | ((r >>> 16) & 0xff)]!) | 0) ^ s[512 | ((r >>> 8) & 0xff)]!) + s[768 | (r & 0xff)]!) ^ p[i + 1]!;
    }
    lr[0] = r ^ p[17]!;
    lr[1] = l;
  }

  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
    const lr = this.lr;
    lr[0] = be32(src, so);
    lr[1] = be32(src, so + 4);
    this.crypt(lr);
    putBe32(dst, dof, lr[0]!);
    putBe32(dst, dof + 4, lr[1]!);
  }
}
