/**
 * Runs inside headless Chromium (bundled by Vite from the browser entry,
 * src/index.ts): every cipher and FEC over a kcp-web session pair on an
 * in-page datagram pipe, plus kcp-go's vectors for the ciphers.
 * Results go to window.__results for test/browser.test.ts to read.
 */
import { dial, listen, CRYPT_NAMES, type DatagramTransport, type CryptName } from '../../src/index.js';
import { createBlockCrypt } from '../../src/core/crypt/index.js';
import { ReedSolomon, useWasmGf } from '../../src/core/reedsolomon.js';
import { useWasmSalsa20 } from '../../src/core/crypt/salsa20.js';
import cryptVectors from '../vectors/crypt.json';
import aeadVectors from '../vectors/aead.json';
import fecVectors from '../vectors/fec.json';

type Result = { name: string; ok: boolean; detail?: string };

/** Two endpoints on a lossy in-page network (datagrams delivered on a later task). */
function pipePair(loss: number): [DatagramTransport, DatagramTransport] {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const handlers: Array<((d: Uint8Array, from: string) => void) | null> = [null, null];
  const make = (me: 0 | 1): DatagramTransport => ({
    mtu: 1200,
    send: (d) => {
      if (rand() < loss) return;
      setTimeout(() => handlers[1 - me]?.(d, me === 0 ? 'client' : 'server'), 0);
    },
    receive: (h) => (handlers[me] = h),
    close: () => (handlers[me] = null),
  });
  return [make(0), make(1)];
}

async function digest(b: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', b.slice()));
  return Array.from(h, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function echoCase(crypt: CryptName, fec: boolean): Promise<void> {
  const [a, b] = pipePair(0.1);
  const opts = {
    crypt,
    ...(crypt === 'null' ? {} : { key: `browser ${crypt}` }),
    mode: 'fast3' as const,
    streamMode: true,
    sndwnd: 256,
    rcvwnd: 256,
    ...(fec ? { dataShards: 10, parityShards: 3 } : {}),
  };
  const listener = listen(b, opts);
  const client = dial(a, opts);
  const payload = new Uint8Array(128 * 1024);
  // getRandomValues fills at most 64 KiB per call.
  for (let off = 0; off < payload.length; off += 65536) crypto.getRandomValues(payload.subarray(off, off + 65536));
  void (async () => {
    const s = (await listener.accept())!;
    for await (const chunk of s) await s.write(chunk);
  })();
  void (async () => {
    for (let off = 0; off < payload.length; off += 2000) await client.write(payload.subarray(off, off + 2000));
  })();
  const got = new Uint8Array(payload.length);
  let n = 0;
  while (n < payload.length) {
    const m = await client.read();
    if (!m) break;
    got.set(m, n);
    n += m.length;
  }
  client.close();
  listener.close();
  if (n !== payload.length || (await digest(got)) !== (await digest(payload))) throw new Error(`echoed ${n} bytes, digest differs`);
}

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

async function run(): Promise<Result[]> {
  const results: Result[] = [];
  const check = async (name: string, fn: () => Promise<void> | void) => {
    try {
      await fn();
      results.push({ name, ok: true });
    } catch (e) {
      results.push({ name, ok: false, detail: String(e) });
    }
  };
  const vectors = (cryptVectors as { ciphers: Array<{ crypt: CryptName; key: string; plain: string; encrypted: string; decrypted: string }> }).ciphers;
  await check('kcp-go vectors aes-128-gcm (NewAESGCMCrypt): seal and open', () => {
    const aead = aeadVectors as { packets: Array<{ crypt: CryptName; key: string; plain: string; sealed: string }> };
    if (aead.packets.length === 0) throw new Error('no AEAD vectors');
    for (const v of aead.packets) {
      const block = createBlockCrypt(v.crypt, hex(v.key))!;
      const buf = new Uint8Array(v.plain.length / 2 + 16);
      buf.set(hex(v.plain));
      block.aead!.seal(buf);
      if (toHex(buf) !== v.sealed) throw new Error(`seal of ${buf.length} bytes differs from kcp-go`);
      if (!block.aead!.open(buf) || !toHex(buf).startsWith(v.plain)) throw new Error(`open of ${buf.length} bytes failed`);
    }
  });
  for (const name of CRYPT_NAMES) {
    if (name === 'null' || name === 'aes-128-gcm') continue;
    await check(`kcp-go vectors ${name}`, () => {
      for (const v of vectors.filter((x) => x.crypt === name)) {
        const block = createBlockCrypt(v.crypt, hex(v.key))!;
        const buf = hex(v.plain);
        // kcp-go v5.7's xor pad is 1472 bytes (the most it sends); kcp-web's is 1500, as v5.6.1's: compare what v5.7 covers.
        const cover = name === 'xor' ? 1472 * 2 : Infinity;
        const same = (got: Uint8Array, want: string) => toHex(got).slice(0, cover) === want.slice(0, cover);
        block.encrypt(buf, buf);
        if (!same(buf, v.encrypted)) throw new Error(`encrypt of ${buf.length} bytes differs from kcp-go`);
        block.decrypt(buf, hex(v.plain));
        if (!same(buf, v.decrypted)) throw new Error(`decrypt of ${buf.length} bytes differs from kcp-go`);
      }
    });
  }
  await check('salsa20: WebAssembly SIMD keystream available; kcp-go vectors with the scalar one forced', () => {
    if (!useWasmSalsa20(true)) throw new Error('useWasmSalsa20(true) fell back to scalar code');
    useWasmSalsa20(false);
    try {
      for (const v of vectors.filter((x) => x.crypt === 'salsa20')) {
        const buf = hex(v.plain);
        createBlockCrypt('salsa20', hex(v.key))!.encrypt(buf, buf);
        if (toHex(buf) !== v.encrypted) throw new Error(`scalar encrypt of ${buf.length} bytes differs from kcp-go`);
      }
    } finally {
      useWasmSalsa20(true);
    }
  });
  await check('WebAssembly SIMD GF(2^8) kernel available', () => {
    if (!useWasmGf(true)) throw new Error('useWasmGf(true) fell back to scalar code');
  });
  const rsVectors = (fecVectors as { rs: Array<{ data: number; parity: number; shards: string[]; recon: Array<{ dropped: number[]; ok: boolean; recovered: string[] | null }> }> }).rs;
  for (const wasm of [true, false]) {
    await check(`kcp-go Reed-Solomon vectors, ${wasm ? 'WASM SIMD' : 'scalar'} kernel`, () => {
      useWasmGf(wasm);
      for (const r of rsVectors) {
        const len = r.shards[0]!.length / 2;
        const rs = new ReedSolomon(r.data, r.parity);
        const shards = r.shards.map((h, k) => (k < r.data ? hex(h) : new Uint8Array(len)));
        rs.encode(shards, 0, len);
        if (shards.map(toHex).join() !== r.shards.join()) throw new Error(`${r.data}/${r.parity}: parity differs from kcp-go`);
        for (const c of r.recon) {
          const present = shards.map((_, k) => !c.dropped.includes(k));
          const trial = shards.map((s, k) => (present[k] ? s : new Uint8Array(len)));
          if (rs.reconstructData(trial, present, 0, len) !== c.ok) throw new Error(`${r.data}/${r.parity} drop ${c.dropped}: ok differs`);
          const rebuilt = c.ok ? c.dropped.filter((k) => k < r.data).map((k) => toHex(trial[k]!)) : [];
          if (c.ok && rebuilt.join() !== (c.recovered ?? []).join()) throw new Error(`${r.data}/${r.parity} drop ${c.dropped}: rebuilt shards differ`);
        }
      }
    });
  }
  useWasmGf(true);
  for (const crypt of CRYPT_NAMES) {
    for (const fec of [false, true]) await check(`echo ${crypt} fec=${fec}`, () => echoCase(crypt, fec));
  }
  return results;
}

declare global {
  interface Window {
    __results?: Result[];
  }
}
run().then((r) => (window.__results = r));
