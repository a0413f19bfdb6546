/**
 * kcptun's compression layer: snappy framing (golang/snappy's Writer with a
 * flush per write, and its Reader's checks) and CRC-32C.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { uncompress } from 'snappyjs';
import { crc32c, maskedCrc32c } from '../src/smux/crc32c.js';
import { SnappyConn, SnappyDeframer, SnappyError, SnappyFramer, SNAPPY_STREAM_ID } from '../src/smux/snappy.js';
import { maxEncodedLen, snappyEncode } from '../src/smux/snappy-encode.js';
import { bytePipe } from './helpers/byte-pipe.js';
import { SmuxError, smuxClient, smuxServer } from '../src/smux/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Chunk types and lengths of a framed stream. */
function chunks(framed: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let at = 0; at < framed.length; ) {
    const len = framed[at + 1]! | (framed[at + 2]! << 8) | (framed[at + 3]! << 16);
    out.push([framed[at]!, len]);
    at += 4 + len;
  }
  return out;
}

function deframeAll(framed: Uint8Array, piece = framed.length): Uint8Array {
  const d = new SnappyDeframer();
  const parts: Uint8Array[] = [];
  for (let at = 0; at < framed.length; at += piece) {
    d.push(framed.subarray(at, at + piece));
    for (let c = d.next(); c; c = d.next()) parts.push(c);
  }
  return Buffer.concat(parts);
}

describe('CRC-32C', () => {
  it('the aligned-word loop agrees with the byte loop at every byte offset of the buffer, and at lengths around its threshold', () => {
    const backing = randomBytes(400);
    for (let off = 0; off < 8; off++) for (const n of [63, 64, 65, 71, 72, 79, 200, 391]) {
      const view = new Uint8Array(backing.buffer, backing.byteOffset + off, n);
      let c = -1;
      for (const byte of view) {
        c ^= byte;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      }
      assert.equal(crc32c(view), ~c >>> 0, `byte offset ${off}, ${n} bytes`);
      assert.equal(crc32c(backing, off, off + n), ~c >>> 0, `start ${off}, ${n} bytes`);
    }
  });

  it('matches the check value and the iSCSI vectors', () => {
    assert.equal(crc32c(enc('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    // The slice-by-8 loop and the byte loop agree at every length and offset.
    const data = randomBytes(100);
    for (let start = 0; start < 9; start++) for (let end = start; end <= 100; end += 7) {
      let c = -1;
      for (let i = start; i < end; i++) {
        c ^= data[i]!;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      }
      assert.equal(crc32c(data, start, end), ~c >>> 0);
    }
  });

  it('masks as the framing format says: rotate right 15, add 0xa282ead8', () => {
    const c = crc32c(enc('hello'));
    assert.equal(maskedCrc32c(enc('hello')), ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) % 2 ** 32);
  });
});

interface SnappyVector {
  kind: 'lcg' | 'alphabet' | 'words' | 'repeats' | 'zeros';
  length: number;
  seed: number;
  encoded: number;
  sha256: string;
}
const snappyVectors = (JSON.parse(readFileSync(new URL('./vectors/snappy.json', import.meta.url), 'utf8')) as { vectors: SnappyVector[] }).vectors;

/** The generator's 32-bit LCG step. */
const lcg = (x: number) => (Math.imul(x, 1664525) + 1013904223) >>> 0;

/** The vector file's input recipes, as its generator writes them. */
function snappyInput(kind: SnappyVector['kind'], n: number, seed: number): Uint8Array {
  let st = seed >>> 0;
  const next = () => (st = lcg(st));
  const sample = (len: number, s0: number) => {
    let x = s0 >>> 0;
    const b = new Uint8Array(len);
    for (let i = 0; i < len; i++) b[i] = (x = lcg(x)) >>> 24;
    return b;
  };
  switch (kind) {
    case 'lcg':
      return sample(n, seed);
    case 'alphabet':
      return sample(n, seed).map((b) => 0x61 + (b % 4));
    case 'words': {
      const words = ['kcp', 'smux', 'stream', 'session', 'frame', 'window', 'tunnel', 'snappy', 'packet', 'ack'];
      let text = '';
      while (text.length < n) text += words[(next() >>> 24) % words.length] + ' ';
      return enc(text.slice(0, n));
    }
    case 'repeats': {
      const b = new Uint8Array(n);
      for (let at = 0; at < n; at += 512) {
        const end = Math.min(n, at + 512);
        const r = next();
        if (at > 0 && r >>> 31 === 1) {
          const from = at - 1 - ((r >>> 8) % Math.min(at, 60000));
          b.copyWithin(at, from, from + end - at);
        } else b.set(sample(end - at, r), at);
      }
      return b;
    }
    case 'zeros':
      return new Uint8Array(n);
  }
}

describe('snappy block encoder', () => {
  it(`writes what golang/snappy's Encode writes (${snappyVectors.length} vectors), and snappyjs reads it back`, () => {
    assert.ok(snappyVectors.length >= 60);
    for (const v of snappyVectors) {
      const input = snappyInput(v.kind, v.length, v.seed);
      const out = new Uint8Array(maxEncodedLen(input.length));
      const n = snappyEncode(input, out);
      const name = `${v.kind} ${v.length}`;
      assert.equal(n, v.encoded, name);
      assert.equal(createHash('sha256').update(out.subarray(0, n)).digest('hex'), v.sha256, name);
      assert.deepEqual(uncompress(out.subarray(0, n)), input, name);
    }
  });

  it('encodes from a view into a larger buffer as from a copy', () => {
    const backing = new Uint8Array(70_000);
    backing.set(snappyInput('repeats', 65536, 5), 3);
    const view = backing.subarray(3, 3 + 65536);
    const a = new Uint8Array(maxEncodedLen(view.length));
    const b = new Uint8Array(maxEncodedLen(view.length)).fill(0xaa);
    const n = snappyEncode(view, a);
    assert.equal(snappyEncode(view.slice(), b), n);
    assert.deepEqual(a.subarray(0, n), b.subarray(0, n));
  });
});

describe('snappy framing', () => {
  it('leads with the stream identifier once; compressible data is compressed, random data stored', () => {
    const f = new SnappyFramer();
    const text = enc('kcp-web smux '.repeat(500));
    const first = f.frame(text);
    assert.deepEqual([...first.subarray(0, 10)], [...SNAPPY_STREAM_ID]);
    const [[type, len]] = chunks(first.subarray(10));
    assert.equal(type, 0x00);
    assert.ok(len < text.length / 4, `compressed to ${len}`);
    const noise = randomBytes(5000);
    const second = f.frame(noise);
    assert.deepEqual(chunks(second), [[0x01, 5004]], 'no identifier again; stored with its checksum');
    assert.deepEqual(deframeAll(Buffer.concat([first, second])), Buffer.concat([text, noise]));
  });

  it('splits a write into chunks of at most 65536 bytes and reads them back from 1-byte pieces', () => {
    const data = randomBytes(200_000);
    const framed = new SnappyFramer().frame(data);
    assert.deepEqual(chunks(framed.subarray(10)).map(([t, l]) => [t, l - 4]), [[1, 65536], [1, 65536], [1, 65536], [1, 200_000 - 3 * 65536]]);
    assert.deepEqual(deframeAll(framed, 1), data);
    assert.deepEqual(deframeAll(framed, 777), data);
  });

  it('skips padding and skippable chunks', () => {
    const framed = new SnappyFramer().frame(enc('abc'));
    const withSkips = Buffer.concat([framed.subarray(0, 10), Buffer.from([0xfe, 2, 0, 0, 0, 0, 0x80, 1, 0, 0, 9]), framed.subarray(10)]);
    assert.equal(Buffer.from(deframeAll(withSkips)).toString(), 'abc');
  });

  const bad: Array<[string, (framed: Buffer) => Uint8Array, RegExp]> = [
    ['no stream identifier', (f) => f.subarray(10), /does not start with the stream identifier/],
    ['a wrong identifier', (f) => Buffer.concat([Buffer.from([0xff, 6, 0, 0]), Buffer.from('sNaPpZ'), f.subarray(10)]), /bad stream identifier/],
    ['a flipped data bit', (f) => (f[f.length - 1]! ^= 1, f), /checksum mismatch/],
    ['a reserved unskippable chunk', (f) => Buffer.concat([f, Buffer.from([0x02, 0, 0, 0])]), /unsupported chunk type 0x2/],
    ['an oversized chunk', (f) => Buffer.concat([f.subarray(0, 10), Buffer.from([0x01, 0xff, 0xff, 0x01])]), /over the 76494-byte limit/],
    ['a chunk too short for its checksum', (f) => Buffer.concat([f.subarray(0, 10), Buffer.from([0x00, 2, 0, 0, 1, 2])]), /no room for its checksum/],
    ['garbage compressed data', (f) => Buffer.concat([f.subarray(0, 10), Buffer.from([0x00, 8, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])]), /corrupt compressed chunk|checksum mismatch/],
  ];
  for (const [name, mangle, re] of bad) {
    it(`rejects ${name}`, () => {
      const framed = Buffer.from(new SnappyFramer().frame(enc('kcp-web smux '.repeat(50))));
      assert.throws(() => deframeAll(mangle(framed)), (e: Error) => e instanceof SnappyError && re.test(e.message));
    });
  }

  it('SnappyConn: what one end writes the other reads; a stream cut inside a chunk is an error', async () => {
    const [a, b] = bytePipe();
    const ca = new SnappyConn(a);
    const cb = new SnappyConn(b);
    await ca.write(enc('one'));
    await ca.write(enc('two'));
    assert.equal(Buffer.from((await cb.read())!).toString(), 'one');
    assert.equal(Buffer.from((await cb.read())!).toString(), 'two');
    b.arrive(new Uint8Array([0x01, 0x10, 0, 0, 1]));
    ca.close();
    await assert.rejects(cb.read(), /ended inside a chunk/);
    assert.equal(cb.corruptChunks, 1);
  });

  it('a corrupt chunk under smux closes the session saying why and is counted; the stream read rejects, nothing else throws', async () => {
    const [a, b] = bytePipe();
    const conn = new SnappyConn(a);
    const mux = smuxClient(conn, { Version: 1 });
    const server = smuxServer(new SnappyConn(b), { Version: 1 });
    const stream = await mux.openStream();
    assert.ok(await server.accept());
    const framed = new SnappyFramer().frame(enc('not a smux frame at all'));
    framed[framed.length - 1]! ^= 1; // the stored chunk's last byte: its CRC no longer matches
    a.arrive(framed);
    await assert.rejects(stream.read(), (e: Error) => e instanceof SmuxError && /checksum mismatch/.test(e.message));
    assert.match((await mux.closed)?.message ?? '', /snappy: checksum mismatch/);
    assert.equal(conn.corruptChunks, 1);
    server.close();
  });
});
