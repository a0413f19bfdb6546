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

export function instantiate(bytes: Uint8Array): WasmInstance | null {
  const wasm = (globalThis as { WebAssembly?: WasmGlobal }).WebAssembly;
  if (!wasm) return null;
  try {
    if (!wasm.validate(bytes)) return null;
    const { exports } = new wasm.Instance(new wasm.Module(bytes), {});
    const memory = exports.memory as { buffer: ArrayBuffer } | undefined;
    if (!memory) return null;
    return { memory: new Uint8Array(memory.buffer), exports };
  } catch {
    return null;
  }
}
