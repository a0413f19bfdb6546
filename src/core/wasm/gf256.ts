/**
 * The WebAssembly SIMD kernel (gf256.wat) for ReedSolomon: one call
 * multiplies a coefficient matrix by a set of shards. The shards stay in JS
 * memory; each call copies the byte range in and the results out (memcpy
 * speed, small next to the arithmetic, and it keeps every caller's buffers
 * as they are). One instance serves every codec: its memory never grows,
 * so the views taken here stay valid.
 */
import { GF256_WASM } from './gf256.gen.js';
import { instantiate } from './instantiate.js';

/** gf256.wat's layout: product tables, then the coefficient matrix, then the shard slots. */
const COEF = 256 * 32;
/** Enough for any matrix ReedSolomon passes: at most min(d, p) rows × d ≤ 128 × 128. */
const COEF_BYTES = 128 * 128;
const SLOTS = COEF + COEF_BYTES;
const PAGES = 8;
const MEMORY_BYTES = PAGES * 65536;

export interface GfKernel {
  /**
   * For o < nOut: shards[outIdx[o]][start, end) = Σ_j coef[o·nIn + j] · shards[inIdx[j]][start, end).
   * Outputs must not be inputs.
   */
  mulRows(coef: Uint8Array, nOut: number, nIn: number, shards: readonly Uint8Array[], inIdx: ArrayLike<number>, outIdx: ArrayLike<number>, start: number, end: number): void;
}

type MulFn = (coef: number, nOut: number, nIn: number, input: number, output: number, stride: number, len: number) => void;

/** The kernel, or null where WebAssembly SIMD is unavailable (see instantiate). */
export function loadGfKernel(galMul: (a: number, b: number) => number): GfKernel | null {
  const instance = instantiate(GF256_WASM);
  if (!instance || instance.memory.length !== MEMORY_BYTES) return null;
  const mem = instance.memory;
  const mul = instance.exports.mul as MulFn;
  // Coefficient c's tables: c·x and c·(x << 4) for x < 16.
  for (let c = 0; c < 256; c++) {
    for (let x = 0; x < 16; x++) {
      mem[c * 32 + x] = galMul(c, x);
      mem[c * 32 + 16 + x] = galMul(c, x << 4);
    }
  }
  return {
    mulRows(coef, nOut, nIn, shards, inIdx, outIdx, start, end) {
      if (end <= start || nOut === 0) return;
      // The whole buffer (a codec's scratch can be longer than this call's rows): no view to allocate.
      if (coef.length > COEF_BYTES) throw new RangeError(`GF kernel: ${coef.length} coefficients exceed ${COEF_BYTES}`);
      mem.set(coef, COEF);
      // Slots are multiples of 64 bytes (the kernel's step); long shards go through in column chunks.
      const room = Math.floor((MEMORY_BYTES - SLOTS) / (nIn + nOut) / 64) * 64;
      const stride = Math.min((end - start + 63) & ~63, room);
      const out = SLOTS + nIn * stride;
      for (let a = start; a < end; a += stride) {
        const b = Math.min(end, a + stride);
        for (let j = 0; j < nIn; j++) mem.set(shards[inIdx[j]!]!.subarray(a, b), SLOTS + j * stride);
        mul(COEF, nOut, nIn, SLOTS, out, stride, b - a);
        for (let o = 0; o < nOut; o++) shards[outIdx[o]!]!.set(mem.subarray(out + o * stride, out + o * stride + (b - a)), a);
      }
    },
  };
}
