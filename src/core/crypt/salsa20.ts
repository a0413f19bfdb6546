/**
 * kcp-go's salsa20 packet cipher: Salsa20/20 with the packet's first 8 bytes
 * (the front of the random nonce) as the Salsa20 nonce, block counter from 0,
 * XORed over the rest of the packet; those 8 bytes stay in clear. Written
 * here rather than taken from @noble/ciphers so a packet is processed in
 * place, at any byte offset.
 *
 * Where WebAssembly SIMD is available the keystream comes from
 * ../wasm/salsa20.wat, four blocks at a time: the packet is copied into its
 * memory, XORed there and copied back. Elsewhere (or when a test forces it
 * with useWasmSalsa20(false)) the scalar block function below runs.
 */
import type { BlockCrypt } from './types.js';
import { ldLE, stLE } from './_cfb.js';
import { SALSA20_WASM } from '../wasm/salsa20.gen.js';
import { instantiate } from '../wasm/instantiate.js';

type XorFn = (k0: number, k1: number, k2: number, k3: number, k4: number, k5: number, k6: number, k7: number, n0: number, n1: number, ctr: number, ptr: number, len: number) => void;

/**
 * Bytes per pass through the module's one 64 KiB page: a multiple of 256
 * (four blocks, so the counter carries on between passes) that leaves the
 * 256 bytes of room the last pass may touch.
 */
const CHUNK = 65536 - 256;

/** The SIMD keystream; undefined until the first cipher is built, null where unavailable or switched off. */
let kernel: { mem: Uint8Array; xor: XorFn } | null | undefined;

/**
 * Switches the WebAssembly SIMD keystream on (if this runtime has it) or off
 * (scalar code) for every salsa20 cipher; returns whether it is now in use.
 * The bytes are the same either way: tests run kcp-go's vectors both ways.
 */
export function useWasmSalsa20(on: boolean): boolean {
  const instance = on ? instantiate(SALSA20_WASM) : null;
  kernel = instance ? { mem: instance.memory, xor: instance.exports.xor as XorFn } : null;
  return kernel !== null;
}

// "expand 32-byte k"
const SIGMA0 = 0x61707865;
const SIGMA1 = 0x3320646e;
const SIGMA2 = 0x79622d32;
const SIGMA3 = 0x6b206574;

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

export class Salsa20Block implements BlockCrypt {
  private readonly k = new Int32Array(8);
  /** One 64-byte keystream block as words. */
  private readonly ks = new Int32Array(16);

  /** Like kcp-go, copies the key into 32 bytes: a shorter key is zero-padded, a longer one truncated. */
  constructor(key: Uint8Array) {
    const k32 = new Uint8Array(32);
    k32.set(key.subarray(0, 32));
    for (let i = 0; i < 8; i++) this.k[i] = ldLE(k32, 4 * i);
    if (kernel === undefined) useWasmSalsa20(true);
  }

  encrypt(dst: Uint8Array, src: Uint8Array): void {
    if (kernel) this.encryptWasm(kernel.mem, kernel.xor, dst, src);
    else this.encryptScalar(dst, src);
  }

  decrypt(dst: Uint8Array, src: Uint8Array): void {
    this.encrypt(dst, src);
  }

  private encryptWasm(mem: Uint8Array, xor: XorFn, dst: Uint8Array, src: Uint8Array): void {
    const n = src.length;
    const k = this.k;
    if (n <= CHUNK) {
      // The whole packet in one pass, nonce included, so one copy back also sets dst's nonce.
      if (n <= 8) {
        if (dst !== src) dst.set(src);
        return;
      }
      mem.set(src);
      xor(k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], ldLE(src, 0), ldLE(src, 4), 0, 8, n - 8);
      dst.set(mem.subarray(0, n));
      return;
    }
    const n0 = ldLE(src, 0);
    const n1 = ldLE(src, 4);
    if (dst !== src) dst.set(src.subarray(0, 8));
    for (let o = 8, ctr = 0; o < n; o += CHUNK, ctr += CHUNK / 64) {
      const len = Math.min(CHUNK, n - o);
      mem.set(src.subarray(o, o + len));
      xor(k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], n0, n1, ctr, 0, len);
      dst.set(mem.subarray(0, len), o);
    }
  }

  private encryptScalar(dst: Uint8Array, src: Uint8Array): void {
    const n = src.length;
    if (dst !== src) dst.set(src.subarray(0, Math.min(8, n)));
    if (n <= 8) return;
    const n0 = ldLE(src, 0);
    const n1 = ldLE(src, 4);
    const ks = this.ks;
    let o = 8;
    for (let counter = 0; o < n; counter++) {
      this.block(n0, n1, counter);
      if (o + 64 <= n) {
        for (let i = 0; i < 16; i++, o += 4) stLE(dst, o, ldLE(src, o) ^ ks[i]);
      } else {
        for (let j = 0; o < n; j++, o++) dst[o] = src[o] ^ (ks[j >> 2] >>> (8 * (j & 3)));
      }
    }
  }

  /** The Salsa20 core: 10 double rounds over the input words, plus the input. */
  private block(n0: number, n1: number, counter: number): void {
    const k = this.k;
    // Packets are far shorter than 2^32 blocks, so the counter's high word stays 0.
    const j0 = SIGMA0, j1 = k[0], j2 = k[1], j3 = k[2], j4 = k[3], j5 = SIGMA1, j6 = n0, j7 = n1;
    const j8 = counter, j9 = 0, j10 = SIGMA2, j11 = k[4], j12 = k[5], j13 = k[6], j14 = k[7], j15 = SIGMA3;
    let x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7;
    let x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14, x15 = j15;
    for (let i = 0; i < 10; i++) {
      // Column round.
      x4 ^= rotl((x0 + x12) | 0, 7);
      x8 ^= rotl((x4 + x0) | 0, 9);
      x12 ^= rotl((x8 + x4) | 0, 13);
      x0 ^= rotl((x12 + x8) | 0, 18);
      x9 ^= rotl((x5 + x1) | 0, 7);
      x13 ^= rotl((x9 + x5) | 0, 9);
      x1 ^= rotl((x13 + x9) | 0, 13);
      x5 ^= rotl((x1 + x13) | 0, 18);
      x14 ^= rotl((x10 + x6) | 0, 7);
      x2 ^= rotl((x14 + x10) | 0, 9);
      x6 ^= rotl((x2 + x14) | 0, 13);
      x10 ^= rotl((x6 + x2) | 0, 18);
      x3 ^= rotl((x15 + x11) | 0, 7);
      x7 ^= rotl((x3 + x15) | 0, 9);
      x11 ^= rotl((x7 + x3) | 0, 13);
      x15 ^= rotl((x11 + x7) | 0, 18);
      // Row round.
      x1 ^= rotl((x0 + x3) | 0, 7);
      x2 ^= rotl((x1 + x0) | 0, 9);
      x3 ^= rotl((x2 + x1) | 0, 13);
      x0 ^= rotl((x3 + x2) | 0, 18);
      x6 ^= rotl((x5 + x4) | 0, 7);
      x7 ^= rotl((x6 + x5) | 0, 9);
      x4 ^= rotl((x7 + x6) | 0, 13);
      x5 ^= rotl((x4 + x7) | 0, 18);
      x11 ^= rotl((x10 + x9) | 0, 7);
      x8 ^= rotl((x11 + x10) | 0, 9);
      x9 ^= rotl((x8 + x11) | 0, 13);
      x10 ^= rotl((x9 + x8) | 0, 18);
      x12 ^= rotl((x15 + x14) | 0, 7);
      x13 ^= rotl((x12 + x15) | 0, 9);
      x14 ^= rotl((x13 + x12) | 0, 13);
      x15 ^= rotl((x14 + x13) | 0, 18);
    }
    const ks = this.ks;
    ks[0] = x0 + j0;
    ks[1] = x1 + j1;
    ks[2] = x2 + j2;
    ks[3] = x3 + j3;
    ks[4] = x4 + j4;
    ks[5] = x5 + j5;
    ks[6] = x6 + j6;
    ks[7] = x7 + j7;
    ks[8] = x8 + j8;
    ks[9] = x9 + j9;
    ks[10] = x10 + j10;
    ks[11] = x11 + j11;
    ks[12] = x12 + j12;
    ks[13] = x13 + j13;
    ks[14] = x14 + j14;
    ks[15] = x15 + j15;
  }
}
