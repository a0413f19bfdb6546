/**
 * Synchronous instantiation of our embedded WebAssembly modules, or null
 * where that is impossible: no WebAssembly (some locked-down runtimes), no
 * SIMD (validating the module itself is the probe), or compiling refused
 * (a page CSP without 'wasm-unsafe-eval'). Callers then use scalar code.
 * Our modules stay under 4 KB, the largest Chromium compiles synchronously
 * on its main thread.
 */

/** The part of the WebAssembly global we use (lib ES2022 does not declare it). */
interface WasmGlobal {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

export interface WasmInstance {
  /** The module's exported memory, whole (our modules never grow it, so this view stays valid). */
  memory: Uint8Array;
  exports: Record<string, unknown>;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 to bytes (atob would do, but not every runtime the core targets is sure to have it). */
export function fromBase64(text: string): Uint8Array {
  const s = text.replace(/=+$/, '');
  const out = new Uint8Array((s.length * 3) >>> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const v = BASE64.indexOf(s[i]!);
    if (v < 0) throw new RangeError(`not base64: ${JSON.stringify(s[i])} at ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = acc >>> bits;
    }
  }
  return out;
}

/** Instantiates the module whose bytes `base64` holds (a generated src/core/wasm/_*.ts constant). */
export function instantiate(base64: string): WasmInstance | null {
  const wasm = (globalThis as { WebAssembly?: WasmGlobal }).WebAssembly;
  if (!wasm) return null;
  try {
    const bytes = fromBase64(base64);
    if (!wasm.validate(bytes)) return null;
    const { exports } = new wasm.Instance(new wasm.Module(bytes), {});
    const memory = exports.memory as { buffer: ArrayBuffer } | undefined;
    if (!memory) return null;
    return { memory: new Uint8Array(memory.buffer), exports };
  } catch {
    return null;
  }
}
