/** Reed-Solomon and kcp-go's FEC framing against vectors from kcp-go and klauspost/reedsolomon. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ReedSolomon } from '../src/core/reedsolomon.js';
import { FecDecoder, FecEncoder, TYPE_DATA, TYPE_PARITY, FEC_HEADER_SIZE } from '../src/core/fec.js';
import { Snmp } from '../src/core/snmp.js';
import { seededRandom } from './helpers/lossy-relay.js';

const v = JSON.parse(readFileSync(new URL('./vectors/fec.json', import.meta.url), 'utf8')) as {
  rs: Array<{ data: number; parity: number; shards: string[] }>;
  sessions: Array<{ data: number; parity: number; packets: string[] }>;
};
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const flagOf = (p: Uint8Array) => p[4]! | (p[5]! << 8);
const sizeOf = (p: Uint8Array) => p[6]! | (p[7]! << 8);

describe('Reed-Solomon vs klauspost/reedsolomon', () => {
  for (const r of v.rs) {
    it(`${r.data}/${r.parity}: parity and reconstruction`, () => {
      const rs = new ReedSolomon(r.data, r.parity);
      const shards = r.shards.map(hex);
      const len = shards[0]!.length;
      const work = shards.map((s, i) => (i < r.data ? s.slice() : new Uint8Array(len)));
      rs.encode(work, 0, len);
      assert.deepEqual(work.map(toHex), r.shards);
      // Lose up to `parity` data shards (not always the first ones) and rebuild them.
      const lost = Math.min(r.parity, r.data);
      const present = work.map(() => true);
      for (let i = 0; i < lost; i++) {
        const k = (i * 7) % r.data;
        present[k] = false;
        work[k]!.fill(0);
      }
      assert.ok(rs.reconstructData(work, present, 0, len));
      assert.deepEqual(work.slice(0, r.data).map(toHex), r.shards.slice(0, r.data));
    });
  }
  it('refuses shard counts kcp-go refuses', () => {
    assert.throws(() => new ReedSolomon(0, 1), RangeError);
    assert.throws(() => new ReedSolomon(200, 57), /at most 256/);
  });
});

describe('FEC framing vs packets written by a kcp-go session', () => {
  for (const s of v.sessions) {
    const packets = s.packets.map(hex);
    it(`${s.data}/${s.parity}: our encoder writes the same headers and parity`, () => {
      const enc = new FecEncoder(s.data, s.parity, 0);
      const ours: string[] = [];
      for (const p of packets) {
        if (flagOf(p) !== TYPE_DATA) continue;
        const copy = p.slice();
        copy.fill(0, 0, 8); // let the encoder write seqid, flag and size itself
        const parity = enc.encode(copy);
        ours.push(toHex(copy), ...parity.map(toHex));
      }
      const expected = s.packets.slice(0, ours.length);
      assert.ok(ours.length >= s.data + s.parity, 'at least one whole group');
      assert.deepEqual(ours, expected);
    });

    it(`${s.data}/${s.parity}: our decoder rebuilds dropped data packets`, () => {
      const dec = new FecDecoder(s.data, s.parity, new Snmp());
      const group = s.data + s.parity;
      const dropped = new Map<number, Uint8Array>();
      let recovered: Uint8Array[] = [];
      packets.forEach((p, i) => {
        const seq = i % group;
        // Drop `parity` data packets in each whole group.
        if (i < packets.length - (packets.length % group) && seq < s.data && seq % Math.max(1, Math.floor(s.data / s.parity)) === 0 && [...dropped.keys()].filter((k) => Math.floor(k / group) === Math.floor(i / group)).length < s.parity) {
          dropped.set(i, p);
          return;
        }
        recovered = recovered.concat(dec.decode(p.slice(), 1000));
      });
      assert.ok(dropped.size > 0);
      assert.equal(recovered.length, dropped.size);
      const want = [...dropped.values()].map((p) => toHex(p.subarray(FEC_HEADER_SIZE, FEC_HEADER_SIZE + sizeOf(p))));
      assert.deepEqual(recovered.map((r) => toHex(r.subarray(0, r[0]! | (r[1]! << 8)))), want);
    });
  }
});

describe('FEC decoder rules', () => {
  /** A stream of FEC packets from our encoder: `groups` groups of random-length data packets. */
  function stream(d: number, p: number, groups: number): Uint8Array[] {
    const enc = new FecEncoder(d, p, 0);
    const rand = seededRandom(3);
    const out: Uint8Array[] = [];
    for (let i = 0; i < groups * d; i++) {
      const pkt = new Uint8Array(8 + 24 + Math.floor(rand() * 1000));
      for (let j = 8; j < pkt.length; j++) pkt[j] = Math.floor(rand() * 256);
      const parity = enc.encode(pkt);
      out.push(pkt, ...parity.map((x) => x.slice()));
    }
    return out;
  }

  it('any ≤ parity erasures of a group are recovered exactly', () => {
    const d = 5;
    const p = 3;
    const pk = stream(d, p, 40);
    const rand = seededRandom(11);
    let lostData = 0;
    let got = 0;
    const dec = new FecDecoder(d, p);
    for (let g = 0; g < 40; g++) {
      const members = pk.slice(g * 8, g * 8 + 8);
      const drop = new Set<number>();
      while (drop.size < Math.floor(rand() * (p + 1))) drop.add(Math.floor(rand() * 8));
      for (const k of drop) if (k < d) lostData++;
      members.forEach((m, k) => {
        if (!drop.has(k)) got += dec.decode(m.slice(), 0).length;
      });
    }
    assert.equal(got, lostData);
  });

  it('duplicates are ignored; the receive queue stays bounded; old packets expire', () => {
    const pk = stream(10, 3, 50);
    const snmp = new Snmp();
    const dec = new FecDecoder(10, 3, snmp);
    // Only data shards 0..8 of each group: never enough to recover, so they pile up to the limit.
    pk.forEach((p, i) => {
      if (i % 13 < 9) {
        dec.decode(p.slice(), 0);
        assert.deepEqual(dec.decode(p.slice(), 0), []);
      }
    });
    assert.ok((dec as unknown as { rx: unknown[] }).rx.length <= 3 * 13);
    assert.ok(snmp.FECShortShards > 0);
    dec.decode(pk[pk.length - 1]!.slice(), 70_000);
    assert.ok((dec as unknown as { rx: unknown[] }).rx.length <= 1, 'expired after 60 s');
  });

  it('seqids wrap at the largest multiple of the group size', () => {
    const enc = new FecEncoder(2, 1, 0);
    (enc as unknown as { next: number }).next = Math.floor(0xffffffff / 3) * 3 - 3;
    const seqs: number[] = [];
    for (let i = 0; i < 4; i++) {
      const pkt = new Uint8Array(40);
      const ps = enc.encode(pkt);
      seqs.push(new DataView(pkt.buffer).getUint32(0, true), ...ps.map((x) => new DataView(x.buffer, x.byteOffset).getUint32(0, true)));
    }
    assert.deepEqual(seqs, [4294967292, 4294967293, 4294967294, 0, 1, 2]);
  });

  it('a 1/1 decoder (made on demand, as kcp-go does) tunes itself to the peer’s 10/3', () => {
    const dec = new FecDecoder(1, 1);
    for (const p of stream(10, 3, 60)) dec.decode(p.slice(), 0);
    assert.deepEqual(dec.shardCounts, [10, 3]);
  });

  it('malformed packets never throw', () => {
    const dec = new FecDecoder(10, 3);
    const rand = seededRandom(17);
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor(rand() * 1600);
      const junk = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      if (n > 6 && rand() < 0.7) junk.set([rand() < 0.5 ? TYPE_DATA : TYPE_PARITY, 0], 4);
      if (n > 4 && rand() < 0.5) junk.set([i & 0xff, 0, 0, 0], 0);
      assert.doesNotThrow(() => dec.decode(junk, i));
    }
  });
});
