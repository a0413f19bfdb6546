/**
 * The WebAssembly modules embedded in src/core/wasm/*.gen.ts are exactly what
 * scripts/gen-wasm.mjs assembles from the committed .wat sources, and the
 * core's base64 decoder reads them back byte for byte.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
// @ts-expect-error: a plain .mjs script, no declarations
import { generate, wasmSources } from '../scripts/gen-wasm.mjs';
import { fromBase64 } from '../src/core/wasm/instantiate.js';
import { createXorArena, XOR_ARENA_BYTES } from '../src/core/wasm/xor.js';

const hasWabt = (() => {
  try {
    createRequire(import.meta.url).resolve('wabt');
    return true;
  } catch {
    return false;
  }
})();

describe('embedded WebAssembly = scripts/gen-wasm.mjs output', { skip: hasWabt ? false : 'wabt (devDependency) not installed' }, () => {
  const names = wasmSources() as string[];
  it('has sources', () => assert.ok(names.length > 0));
  for (const name of names) {
    it(`src/core/wasm/${name}.gen.ts is ${name}.wat assembled`, async () => {
      const { path, text } = (await generate(name)) as { path: string; text: string };
      assert.equal(readFileSync(path, 'utf8'), text, 'run `node scripts/gen-wasm.mjs` and commit the result');
    });
  }
});

describe('fromBase64 (the core reads embedded modules with it)', () => {
  it('decodes what Buffer encodes, every length 0..300', () => {
    let seed = 9;
    for (let n = 0; n <= 300; n++) {
      const bytes = Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
      assert.deepEqual(fromBase64(Buffer.from(bytes).toString('base64')), bytes, `${n} bytes`);
    }
  });
  it('refuses what is not base64', () => assert.throws(() => fromBase64('AAA*'), /not base64/));
});

describe('XOR arena (batched CFB keystream)', () => {
  it('WebAssembly SIMD and scalar arenas XOR alike, at every 16-byte offset pair and length', () => {
    const simd = createXorArena(true);
    const scalar = createXorArena(false);
    assert.equal(scalar.simd, false);
    let seed = 5;
    const fill = (m: Uint8Array) => m.forEach((_, i) => (m[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    for (const [dst, src, len] of [[0, 4096, 1], [16, 8192, 63], [32, 1024, 64], [48, 2048, 1500], [0, XOR_ARENA_BYTES / 2, 100_000]] as const) {
      fill(scalar.memory);
      simd.memory.set(scalar.memory);
      const before = scalar.memory.slice();
      simd.xor(dst, src, len);
      scalar.xor(dst, src, len);
      assert.deepEqual(simd.memory, scalar.memory, `dst ${dst} src ${src} len ${len}`);
      for (let i = 0; i < len; i++) assert.equal(scalar.memory[dst + i], before[dst + i]! ^ before[src + i]!);
    }
  });
});
