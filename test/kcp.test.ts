/** KCP against packets produced by kcp-go's own KCP, and behaviour over a simulated link. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Kcp, IKCP_OVERHEAD } from '../src/core/kcp.js';
import { Snmp } from '../src/core/snmp.js';
import { seededRandom } from './helpers/lossy-relay.js';

type Scenario = {
  name: string;
  conv: number;
  mtu: number;
  reserved: number;
  stream: boolean;
  wnd: [number, number];
  nodelay: [number, number, number, number];
  sends: string[];
  mss: number;
  packets: string[] | null;
  received: string[] | null;
  acks: string[] | null;
  acksNow: string[] | null;
};
const { scenarios } = JSON.parse(readFileSync(new URL('./vectors/kcp.json', import.meta.url), 'utf8')) as { scenarios: Scenario[] };
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Zeroes the ts field of every segment in a packet (after `reserved` bytes): kcp-go stamps them with its own clock. */
function maskTs(packet: string, reserved: number): string {
  const b = hex(packet);
  const dv = new DataView(b.buffer);
  for (let off = reserved; off + IKCP_OVERHEAD <= b.length; off += IKCP_OVERHEAD + dv.getUint32(off + 20, true)) dv.setUint32(off + 8, 0, true);
  return toHex(b);
}

function make(s: Scenario, out: string[], clock = () => 1000): Kcp {
  const k = new Kcp(s.conv, (p) => out.push(toHex(p)), { clock });
  k.setMtu(s.mtu);
  k.reserveBytes(s.reserved);
  k.wndSize(s.wnd[0], s.wnd[1]);
  k.stream = s.stream;
  return k;
}

describe('KCP vs kcp-go vectors', () => {
  for (const s of scenarios) {
    it(s.name, () => {
      const sent: string[] = [];
      const a = make(s, sent);
      a.noDelay(...s.nodelay);
      assert.equal(a.mss, s.mss, 'mss after setMtu/reserveBytes');
      for (const m of s.sends) assert.equal(a.send(hex(m)), 0);
      a.update();
      const want = s.packets ?? [];
      assert.equal(sent.length, want.length, 'packets from the first update');
      sent.forEach((p, i) => assert.equal(maskTs(p, s.reserved), maskTs(want[i]!, s.reserved), `packet ${i} (ts masked)`));

      // A receiver fed kcp-go's packets releases the same messages and ACKs like kcp-go.
      const acks: string[] = [];
      const acksNow: string[] = [];
      const b = make(s, acks);
      const c = make(s, acksNow);
      for (const p of want) {
        assert.equal(b.input(hex(p).subarray(s.reserved), true, false), 0);
        assert.equal(c.input(hex(p).subarray(s.reserved), true, true), 0);
      }
      const got: string[] = [];
      for (let n = b.peekSize(); n >= 0; n = b.peekSize()) {
        const buf = new Uint8Array(n);
        assert.equal(b.recv(buf), n);
        got.push(toHex(buf));
      }
      assert.deepEqual(got, s.received ?? []);
      b.update();
      assert.deepEqual(acks, s.acks ?? [], 'ACKs at the next flush');
      assert.deepEqual(acksNow, s.acksNow ?? [], 'ACKs flushed during input (ackNoDelay)');
    });
  }
});

/** Two KCPs over a lossy link driven by a fake clock; returns what B received. */
function transfer(opts: { stream: boolean; loss: number; messages: Uint8Array[]; nodelay?: [number, number, number, number]; wnd?: number }) {
  let now = 0;
  const clock = () => now;
  const rand = seededRandom(5);
  const inflight: Array<{ at: number; to: 'a' | 'b'; data: Uint8Array }> = [];
  const link = (to: 'a' | 'b') => (p: Uint8Array) => {
    if (rand() >= opts.loss) inflight.push({ at: now + 5, to, data: p.slice() });
  };
  const sa = new Snmp();
  const a = new Kcp(42, link('b'), { clock, snmp: sa });
  const b = new Kcp(42, link('a'), { clock });
  for (const k of [a, b]) {
    k.noDelay(...(opts.nodelay ?? [1, 10, 2, 1]));
    k.wndSize(opts.wnd ?? 128, opts.wnd ?? 128);
    k.stream = opts.stream;
  }
  for (const m of opts.messages) assert.equal(a.send(m), 0);
  const received: Uint8Array[] = [];
  for (let step = 0; step < 200_000 && (a.waitSnd() > 0 || inflight.length > 0); step++) {
    now += 1;
    for (let i = 0; i < inflight.length; ) {
      const p = inflight[i]!;
      if (p.at <= now) {
        inflight.splice(i, 1);
        (p.to === 'a' ? a : b).input(p.data, true, false);
      } else i++;
    }
    if (now % 10 === 0) {
      a.update();
      b.update();
    }
    for (let n = b.peekSize(); n >= 0; n = b.peekSize()) {
      const buf = new Uint8Array(n);
      b.recv(buf);
      received.push(buf);
    }
  }
  return { received, a, sa };
}

const digest = (parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('KCP behaviour', () => {
  for (const loss of [0, 0.2]) {
    it(`stream mode delivers 1 MiB in order through ${loss * 100}% loss each way`, () => {
      const data = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
      const chunks = [];
      for (let off = 0; off < data.length; off += 1376) chunks.push(data.subarray(off, off + 1376));
      const { received, sa } = transfer({ stream: true, loss, messages: chunks });
      assert.equal(digest(received), digest([data]));
      if (loss > 0) assert.ok(sa.RetransSegs > 0 && sa.FastRetransSegs + sa.EarlyRetransSegs > 0, 'losses were repaired, some by fast resend');
    });
  }

  it('message mode keeps boundaries through 20% loss, fragments up to 255 segments', () => {
    // A message of n fragments needs a receive window of at least n (kcp-go checks only n ≤ 255).
    const sizes = [1, 1376, 1377, 10_000, 100_000, 255 * 1376];
    const messages = sizes.map((n, i) => new Uint8Array(n).fill(i + 1));
    const { received } = transfer({ stream: false, loss: 0.2, messages, wnd: 256 });
    assert.deepEqual(
      received.map((m) => m.length),
      sizes,
    );
    received.forEach((m, i) => assert.equal(m[m.length - 1], i + 1));
  });

  it('send() refuses more than 255 fragments and empty data', () => {
    const k = new Kcp(1, () => {}, { clock: () => 0 });
    assert.equal(k.send(new Uint8Array(256 * k.mss)), -2);
    assert.equal(k.send(new Uint8Array(0)), -1);
  });

  it('a dead link sets state after dead_link transmissions', () => {
    let now = 0;
    const k = new Kcp(1, () => {}, { clock: () => now });
    k.noDelay(1, 10, 2, 1);
    k.send(new Uint8Array(10));
    for (let i = 0; i < 100_000 && k.state === 0; i++) {
      now += 10;
      k.update();
    }
    assert.equal(k.state, 0xffffffff);
  });

  it('garbage, truncated and wrong-conv input return error codes, never throw', () => {
    const k = new Kcp(5, () => {}, { clock: () => 0 });
    const seg = new Uint8Array(24 + 4);
    const dv = new DataView(seg.buffer);
    dv.setUint32(0, 5, true);
    seg[4] = 81;
    dv.setUint32(20, 4, true);
    assert.equal(k.input(seg, true, false), 0);
    assert.equal(k.input(seg.subarray(0, 10), true, false), -1);
    assert.equal(k.input(seg.subarray(0, 26), true, false), -2);
    const wrongConv = seg.slice();
    wrongConv[0] = 6;
    assert.equal(k.input(wrongConv, true, false), -1);
    const badCmd = seg.slice();
    badCmd[4] = 99;
    assert.equal(k.input(badCmd, true, false), -3);
    const huge = seg.slice();
    new DataView(huge.buffer).setUint32(20, 0xffffffff, true);
    assert.equal(k.input(huge, true, false), -2);
    const rand = seededRandom(9);
    for (let i = 0; i < 5000; i++) {
      const junk = Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
      if (junk.length >= 4) junk.set([5, 0, 0, 0]);
      assert.doesNotThrow(() => k.input(junk, true, rand() < 0.5));
    }
  });
});
