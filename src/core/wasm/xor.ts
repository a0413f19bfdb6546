/**
 * A scratch arena with an in-place XOR over it, for keystream ciphers that
 * get their keystream in bulk (the batched CFB path of the Node adapter):
 * WebAssembly SIMD (xor.wat) where available, else scalar JavaScript on an
 * ArrayBuffer of the same size.
 */
import { XOR_WASM } from './xor.gen.js';
import { instantiate } from './instantiate.js';

/** xor.wat's memory: 4 pages. */
export const XOR_ARENA_BYTES = 4 * 65536;

export interface XorArena {
  /** The whole arena; offsets are into it. */
  readonly memory: Uint8Array;
  /** memory[dst, dst + len) ^= memory[src, src + len); dst and src 16-aligned, len rounded up to 64, for which both ranges need room. */
  xor(dst: number, src: number, len: number): void;
  readonly simd: boolean;
}

export function createXorArena(preferSimd = true): XorArena {
  const instance = preferSimd ? instantiate(XOR_WASM) : null;
  if (instance && instance.memory.length === XOR_ARENA_BYTES) {
    return { memory: instance.memory, xor: instance.exports.xor as XorArena['xor'], simd: true };
  }
  const memory = new Uint8Array(XOR_ARENA_BYTES);
  const words = new Int32Array(memory.buffer);
  return {
    memory,
    simd: false,
    xor(dst, src, len) {
      const d = dst >> 2;
      const s = src >> 2;
      const n = ((len + 63) & ~63) >> 2;
      for (let i = 0; i < n; i += 4) {
        words[d + i] ^= words[s + i]!;
        words[d + i + 1] ^= words[s + i + 1]!;
        words[d + i + 2] ^= words[s + i + 2]!;
        words[d + i + 3] ^= words[s + i + 3]!;
      }
    },
  };
}
