/**
 * kcp-go's packet mode for block ciphers (crypt.go encrypt/decrypt): CFB with
 * full-block feedback, restarted on every packet from one fixed initial
 * vector. The IV can be fixed because every packet starts with a fresh random
 * nonce block, which changes all the ciphertext after it. A short last block
 * is XORed with the front of the next keystream block.
 *
 * Ciphers subclass Cfb128 or Cfb64 and provide one forward block function on
 * 32-bit words (CFB never runs the inverse cipher). The driver loads packet
 * bytes straight into words of the cipher's own byte order, so no byte
 * shuffling happens between the mode and the cipher, and nothing is
 * allocated per packet.
 */
import type { BlockCrypt } from './types.js';

/** crypt.go `initialVector`; the 8-byte ciphers use its first 8 bytes. */
export const INITIAL_VECTOR: Uint8Array = Uint8Array.from([167, 115, 79, 156, 18, 172, 27, 1, 164, 21, 242, 193, 252, 120, 230, 107]);

export const ldBE = (b: Uint8Array, o: number): number => (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
export const ldLE = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
export function stBE(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}
export function stLE(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}

/** CFB over a 16-byte block cipher whose words are big-endian (le = false) or little-endian. */
export abstract class Cfb128 implements BlockCrypt {
  /** The CFB register: ciphertext fed back, then encrypted in place into the next keystream block. */
  private readonly x = new Int32Array(4);
  /** E(IV) is the same for every packet under one key, so it is computed once. */
  protected readonly first = new Int32Array(4);

  constructor(private readonly le: boolean) {}

  /** Encrypts the four words of x in place. */
  protected abstract encryptWords(x: Int32Array): void;

  /** Subclasses call this once their key schedule is ready. */
  protected keyed(): void {
    const f = this.first;
    for (let i = 0; i < 4; i++) f[i] = this.le ? ldLE(INITIAL_VECTOR, 4 * i) : ldBE(INITIAL_VECTOR, 4 * i);
    this.encryptWords(f);
  }

  /** One raw block, bytes in and out (not a hot path; used to resynchronise native CFB streams). */
  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
    const x = this.x;
    const ld = this.le ? ldLE : ldBE;
    for (let i = 0; i < 4; i++) x[i] = ld(src, so + 4 * i);
    this.encryptWords(x);
    const st = this.le ? stLE : stBE;
    for (let i = 0; i < 4; i++) st(dst, dof + 4 * i, x[i]);
  }

  encrypt(dst: Uint8Array, src: Uint8Array): void {
    const x = this.x;
    const f = this.first;
    const le = this.le;
    const n = src.length;
    x[0] = f[0];
    x[1] = f[1];
    x[2] = f[2];
    x[3] = f[3];
    let o = 0;
    for (; o + 16 <= n; o += 16) {
      let c0: number, c1: number, c2: number, c3: number;
      if (le) {
        c0 = ldLE(src, o) ^ x[0];
        c1 = ldLE(src, o + 4) ^ x[1];
        c2 = ldLE(src, o + 8) ^ x[2];
        c3 = ldLE(src, o + 12) ^ x[3];
        stLE(dst, o, c0);
        stLE(dst, o + 4, c1);
        stLE(dst, o + 8, c2);
        stLE(dst, o + 12, c3);
      } else {
        c0 = ldBE(src, o) ^ x[0];
        c1 = ldBE(src, o + 4) ^ x[1];
        c2 = ldBE(src, o + 8) ^ x[2];
        c3 = ldBE(src, o + 12) ^ x[3];
        stBE(dst, o, c0);
        stBE(dst, o + 4, c1);
        stBE(dst, o + 8, c2);
        stBE(dst, o + 12, c3);
      }
      if (o + 16 === n) return;
      // The ciphertext just written is the feedback.
      x[0] = c0;
      x[1] = c1;
      x[2] = c2;
      x[3] = c3;
      this.encryptWords(x);
    }
    this.tail(dst, src, o, n);
  }

  decrypt(dst: Uint8Array, src: Uint8Array): void {
    const x = this.x;
    const f = this.first;
    const le = this.le;
    const n = src.length;
    x[0] = f[0];
    x[1] = f[1];
    x[2] = f[2];
    x[3] = f[3];
    let o = 0;
    for (; o + 16 <= n; o += 16) {
      // Read the whole ciphertext block before writing: dst may be src.
      let c0: number, c1: number, c2: number, c3: number;
      if (le) {
        c0 = ldLE(src, o);
        c1 = ldLE(src, o + 4);
        c2 = ldLE(src, o + 8);
        c3 = ldLE(src, o + 12);
        stLE(dst, o, c0 ^ x[0]);
        stLE(dst, o + 4, c1 ^ x[1]);
        stLE(dst, o + 8, c2 ^ x[2]);
        stLE(dst, o + 12, c3 ^ x[3]);
      } else {
        c0 = ldBE(src, o);
        c1 = ldBE(src, o + 4);
        c2 = ldBE(src, o + 8);
        c3 = ldBE(src, o + 12);
        stBE(dst, o, c0 ^ x[0]);
        stBE(dst, o + 4, c1 ^ x[1]);
        stBE(dst, o + 8, c2 ^ x[2]);
        stBE(dst, o + 12, c3 ^ x[3]);
      }
      if (o + 16 === n) return;
      x[0] = c0;
      x[1] = c1;
      x[2] = c2;
      x[3] = c3;
      this.encryptWords(x);
    }
    this.tail(dst, src, o, n);
  }

  /** The short last block (same in both directions): XOR with the keystream's leading bytes. */
  private tail(dst: Uint8Array, src: Uint8Array, o: number, n: number): void {
    const x = this.x;
    for (let j = 0; o + j < n; j++) {
      const w = x[j >> 2];
      const shift = this.le ? 8 * (j & 3) : 24 - 8 * (j & 3);
      dst[o + j] = src[o + j] ^ (w >>> shift);
    }
  }
}

/** CFB over an 8-byte block cipher; all of kcp-go's 64-bit ciphers use big-endian words. */
export abstract class Cfb64 implements BlockCrypt {
  private readonly x = new Int32Array(2);
  private readonly first = new Int32Array(2);

  /** Encrypts the two words of x in place. */
  protected abstract encryptWords(x: Int32Array): void;

  /** Subclasses call this once their key schedule is ready. */
  protected keyed(): void {
    this.first[0] = ldBE(INITIAL_VECTOR, 0);
    this.first[1] = ldBE(INITIAL_VECTOR, 4);
    this.encryptWords(this.first);
  }

  /** One raw block, bytes in and out (not a hot path; used to resynchronise native CFB streams). */
  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
    const x = this.x;
    x[0] = ldBE(src, so);
    x[1] = ldBE(src, so + 4);
    this.encryptWords(x);
    stBE(dst, dof, x[0]);
    stBE(dst, dof + 4, x[1]);
  }

  encrypt(dst: Uint8Array, src: Uint8Array): void {
    const x = this.x;
    const n = src.length;
    x[0] = this.first[0];
    x[1] = this.first[1];
    let o = 0;
    for (; o + 8 <= n; o += 8) {
      const c0 = ldBE(src, o) ^ x[0];
      const c1 = ldBE(src, o + 4) ^ x[1];
      stBE(dst, o, c0);
      stBE(dst, o + 4, c1);
      if (o + 8 === n) return;
      x[0] = c0;
      x[1] = c1;
      this.encryptWords(x);
    }
    this.tail(dst, src, o, n);
  }

  decrypt(dst: Uint8Array, src: Uint8Array): void {
    const x = this.x;
    const n = src.length;
    x[0] = this.first[0];
    x[1] = this.first[1];
    let o = 0;
    for (; o + 8 <= n; o += 8) {
      const c0 = ldBE(src, o);
      const c1 = ldBE(src, o + 4);
      stBE(dst, o, c0 ^ x[0]);
      stBE(dst, o + 4, c1 ^ x[1]);
      if (o + 8 === n) return;
      x[0] = c0;
      x[1] = c1;
      this.encryptWords(x);
    }
    this.tail(dst, src, o, n);
  }

  private tail(dst: Uint8Array, src: Uint8Array, o: number, n: number): void {
    const x = this.x;
    for (let j = 0; o + j < n; j++) dst[o + j] = src[o + j] ^ (x[j >> 2] >>> (24 - 8 * (j & 3)));
  }
}
