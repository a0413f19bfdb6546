/**
 * QPP against xtaci/qpp v1.1.25: vectors written by `kcptun2026 qpp-vectors`
 * (interop/kcptun2026/qppvectors.go) for kcptun's default key, the empty
 * key, keys under and over 32 bytes and a 300-byte one, pad counts 61, 7, 1
 * and 13, the plaintext cut into the pieces the Go side encrypted it in.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash, createHmac } from 'node:crypto';
import { QppRand, QuantumPermutationPad } from '../src/smux/qpp.js';
import { hmacSha256, sha256 } from '../src/core/crypt/sha256.js';

interface Vector {
  key: string;
  count: number;
  pieces: number[];
  plaintext: string;
  ciphertext: string;
  decryptIn: string;
  decryptOut: string;
}

const { vectors } = JSON.parse(readFileSync(new URL('./vectors/qpp.json', import.meta.url), 'utf8')) as { vectors: Vector[] };
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('QPP (xtaci/qpp)', () => {
  it('SHA-256 and HMAC-SHA256 match node:crypto', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const d = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 255);
      assert.equal(toHex(sha256(d)), createHash('sha256').update(d).digest('hex'), `sha256 of ${n} bytes`);
      for (const kl of [0, 32, 64, 65, 300]) {
        const k = Uint8Array.from({ length: kl }, (_, i) => i & 255);
        assert.equal(toHex(hmacSha256(k, d)), createHmac('sha256', k).update(d).digest('hex'), `hmac key ${kl}, data ${n}`);
      }
    }
  });

  assert.ok(vectors.length >= 10);
  for (const v of vectors) {
    const key = hex(v.key);
    const label = `key ${key.length} bytes ${JSON.stringify(Buffer.from(key).toString('latin1').slice(0, 16))}, ${v.count} pads, pieces ${v.pieces.length}`;
    it(label, () => {
      const pad = new QuantumPermutationPad(key, v.count);
      const data = hex(v.plaintext);
      const enc = new QppRand(key);
      let off = 0;
      for (const n of v.pieces) {
        pad.encrypt(data.subarray(off, off + n), enc);
        off += n;
      }
      assert.equal(toHex(data), v.ciphertext, 'encrypt');
      // Decrypting in other pieces gives the plaintext back.
      const dec = new QppRand(key);
      for (let o = 0, n = 1; o < data.length; o += n, n = (n * 3 + 1) % 97) pad.decrypt(data.subarray(o, o + n), dec);
      assert.equal(toHex(data), v.plaintext, 'round trip');
      const d = hex(v.decryptIn);
      pad.decrypt(d, new QppRand(key));
      assert.equal(toHex(d), v.decryptOut, 'decrypt');
    });
  }

  it('a string seed is its UTF-8 bytes', () => {
    const a = new QuantumPermutationPad('ключ', 7);
    const b = new QuantumPermutationPad(Uint8Array.from(Buffer.from('ключ', 'utf8')), 7);
    const x = Uint8Array.from({ length: 100 }, (_, i) => i);
    const y = x.slice();
    a.encrypt(x, new QppRand('ключ'));
    b.encrypt(y, new QppRand(Uint8Array.from(Buffer.from('ключ', 'utf8'))));
    assert.deepEqual(x, y);
  });

  it('rejects pad counts outside 1..65535', () => {
    for (const n of [0, -1, 65536, 1.5, NaN]) assert.throws(() => new QuantumPermutationPad('k', n), RangeError);
  });
});
