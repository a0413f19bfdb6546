/**
 * KCP: replays of scripts recorded against kcp-go's own KCP, the newest
 * (test/vectors/kcp.json) and v5.6.1 (test/vectors/v5.6.1/kcp.json), both
 * from interop/kcppeer/vectors_kcp.go; then behaviour over a simulated lossy
 * link with a fake clock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import {
  Kcp,
  IKCP_OVERHEAD,
  IKCP_CMD_PUSH,
  IKCP_CMD_ACK,
  IKCP_CMD_WASK,
  IKCP_CMD_WINS,
  IKCP_RTO_NDL,
  IKCP_RTO_MIN,
  IKCP_WND_RCV,
} from '../src/core/kcp.js';
import { Snmp, type SnmpField } from '../src/core/snmp.js';
import { seededRandom } from './helpers/hostile-link.js';

// ---- kcp-go vectors ---------------------------------------------------------

type Step = {
  who: string;
  op: string;
  clock: number;
  args?: number[];
  field?: string;
  gen?: [number, number];
  data?: string;
  from?: [number, number];
  ret: number;
  recv?: string;
  out: string[] | null;
  state: string;
  snmp?: string;
};
type Script = { name: string; attempts: number; steps: Step[] };
type KcpVectors = {
  generator: string;
  stateKeys: string[];
  snmpKeys: SnmpField[];
  scripts: Script[];
};
const loadVectors = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as KcpVectors;
/** The newest kcp-go's scripts, replayed on the default Kcp; v5.6.1's, on Kcp with compat 'v5.6.1'. */
const vectorSets: Array<{ vectors: KcpVectors; compat?: 'v5.6.1' }> = [
  { vectors: loadVectors('./vectors/kcp.json') },
  { vectors: loadVectors('./vectors/v5.6.1/kcp.json'), compat: 'v5.6.1' },
];
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** vectors.go detBytes: xorshift32 from seed, low byte of each state. */
function detBytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed | 1) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
}

function stateOf(vectors: KcpVectors, k: Kcp): Record<string, number> {
  const fields = k as unknown as Record<string, number | boolean>;
  const out: Record<string, number> = {};
  for (const key of vectors.stateKeys) {
    const v = fields[key];
    assert.ok(typeof v === 'number' || typeof v === 'boolean', `Kcp exposes ${key}`);
    out[key] = Number(v);
  }
  return out;
}

function snmpDelta(vectors: KcpVectors, before: Record<SnmpField, number>, after: Snmp): string {
  return vectors.snmpKeys
    .filter((f) => after[f] !== before[f])
    .map((f) => `${f}=${after[f] - before[f]}`)
    .join(' ');
}

type Endpoint = { k: Kcp; out: string[]; snmp: Snmp; reserved: number };

function replay(vectors: KcpVectors, script: Script, compat?: 'v5.6.1'): void {
  let now = 0;
  const clock = () => now;
  const eps = new Map<string, Endpoint>();
  const reservedAt: number[] = [];
  script.steps.forEach((st, i) => {
    now = st.clock;
    const where = `step ${i} (${st.who}.${st.op}${st.args ? `(${st.args.join(', ')})` : ''} at ${st.clock})`;
    if (st.op === 'new') {
      const ep: Endpoint = { k: undefined as unknown as Kcp, out: [], snmp: new Snmp(), reserved: 0 };
      ep.k = new Kcp(st.args![0]!, (p) => ep.out.push(toHex(p)), { clock, snmp: ep.snmp, ...(compat ? { compat } : {}) });
      eps.set(st.who, ep);
    }
    const ep = eps.get(st.who);
    assert.ok(ep, `${where}: unknown endpoint`);
    const { k } = ep;
    const args = st.args ?? [];
    ep.out = [];
    const before = ep.snmp.copy();
    let ret = 0;
    let recv: string | undefined;
    switch (st.op) {
      case 'new':
      case 'update':
        if (st.op === 'update') k.update();
        break;
      case 'setMtu':
        ret = k.setMtu(args[0]!) ? 0 : -1;
        break;
      case 'reserveBytes':
        ret = k.reserveBytes(args[0]!) ? 1 : 0;
        if (ret === 1) ep.reserved = args[0]!;
        break;
      case 'wndSize':
        k.wndSize(args[0]!, args[1]!);
        break;
      case 'noDelay':
        k.noDelay(args[0]!, args[1]!, args[2]!, args[3]!);
        break;
      case 'set':
        if (st.field === 'stream') k.stream = args[0] !== 0;
        else (k as unknown as Record<string, number>)[st.field!] = args[0]!;
        break;
      case 'send':
        ret = k.send(detBytes(st.gen![0], st.gen![1]));
        break;
      case 'recv': {
        const buf = new Uint8Array(args[0]!);
        ret = k.recv(buf);
        if (ret > 0) recv = toHex(buf.subarray(0, ret));
        break;
      }
      case 'peekSize':
        ret = k.peekSize();
        break;
      case 'input': {
        let pkt: Uint8Array;
        if (st.from) {
          const [si, oi] = st.from;
          pkt = hex(script.steps[si]!.out![oi]!).subarray(reservedAt[si]!);
        } else pkt = hex(st.data!);
        ret = k.input(pkt, args[0] === 1, args[1] === 1);
        break;
      }
      case 'check':
        ret = k.check();
        break;
      case 'waitSnd':
        ret = k.waitSnd();
        break;
      default:
        assert.fail(`${where}: unknown op`);
    }
    reservedAt[i] = ep.reserved;
    assert.equal(ret, st.ret, `${where}: return value`);
    assert.equal(recv, st.recv, `${where}: bytes received`);
    assert.deepEqual(ep.out, st.out ?? [], `${where}: packets output`);
    const want = Object.fromEntries(vectors.stateKeys.map((key, j) => [key, Number(st.state.split(' ')[j])]));
    assert.deepEqual(stateOf(vectors, k), want, `${where}: state after`);
    assert.equal(snmpDelta(vectors, before, ep.snmp), st.snmp ?? '', `${where}: SNMP counters`);
  });
}

for (const { vectors, compat } of vectorSets) {
  describe(`KCP${compat ? ` (compat ${compat})` : ''} replays ${vectors.generator} scripts byte for byte`, () => {
    assert.ok(vectors.scripts.length >= 10);
    for (const script of vectors.scripts) it(script.name, () => replay(vectors, script, compat));
  });
}

// ---- simulated link -----------------------------------------------------------

type Nodelay = [number, number, number, number];

/**
 * A and B over a link with `delay` ms latency and independent loss each way,
 * on a fake clock advanced 1 ms per step (bounded). A is driven by update()
 * as ikcp users do; B by flush()'s return value, as kcp-go's session does.
 * Returns every message B received, in order.
 */
function transfer(opts: {
  stream: boolean;
  loss: number;
  messages: Uint8Array[];
  nodelay?: Nodelay;
  wnd?: number;
  mtu?: number;
  start?: number;
  maxSteps?: number;
  seed?: number;
}) {
  let now = opts.start ?? 0;
  const clock = () => now;
  const rand = seededRandom(opts.seed ?? 5);
  const delay = 5;
  type Flight = { at: number; to: Kcp; data: Uint8Array };
  const inflight: Flight[] = [];
  const stats = { sent: 0, dropped: 0 };
  const link = (to: () => Kcp) => (p: Uint8Array) => {
    stats.sent++;
    if (rand() < opts.loss) stats.dropped++;
    else inflight.push({ at: now + delay, to: to(), data: p.slice() });
  };
  const sa = new Snmp();
  const sb = new Snmp();
  const a: Kcp = new Kcp(42, link(() => b), { clock, snmp: sa });
  const b: Kcp = new Kcp(42, link(() => a), { clock, snmp: sb });
  for (const k of [a, b]) {
    if (opts.mtu) assert.ok(k.setMtu(opts.mtu));
    k.noDelay(...(opts.nodelay ?? [1, 10, 2, 1]));
    k.wndSize(opts.wnd ?? 128, opts.wnd ?? 128);
    k.stream = opts.stream;
  }
  const queue = [...opts.messages];
  const received: Uint8Array[] = [];
  let bNext = now;
  const maxSteps = opts.maxSteps ?? 600_000;
  let step = 0;
  for (; step < maxSteps && (queue.length > 0 || a.waitSnd() > 0 || inflight.length > 0); step++) {
    // the app writes while the send window has room (kcp-go session Write)
    while (queue.length > 0 && a.waitSnd() < a.snd_wnd) assert.equal(a.send(queue.shift()!), 0);
    now = (now + 1) >>> 0;
    for (let i = 0; i < inflight.length; ) {
      const p = inflight[i]!;
      if (((now - p.at) | 0) >= 0) {
        inflight.splice(i, 1);
        assert.equal(p.to.input(p.data, true, false), 0);
      } else i++;
    }
    if (((a.check() - now) | 0) <= 0) a.update();
    if (((bNext - now) | 0) <= 0) bNext = (now + b.flush(false)) >>> 0;
    for (let n = b.peekSize(); n >= 0; n = b.peekSize()) {
      const buf = new Uint8Array(n);
      assert.equal(b.recv(buf), n);
      received.push(buf);
    }
  }
  assert.ok(step < maxSteps, `transfer finished within ${maxSteps} simulated ms`);
  return { received, a, b, sa, sb, stats, elapsed: step };
}

const digest = (parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

const MiB = 1 << 20;
const pattern = (n: number, salt = 0) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (Math.imul(i + salt, 2654435761) >>> 24) & 0xff;
  return b;
};

/** Message sizes summing to `total`: small ones, fragment boundaries, and the 255-fragment maximum. */
function messageSizes(total: number, mss: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const fixed = [1, mss - 1, mss, mss + 1, 255 * mss, 2 * mss, 254 * mss + 1];
  const sizes: number[] = [];
  let left = total;
  for (let i = 0; left > 0; i++) {
    let n = i < fixed.length ? fixed[i]! : 1 + Math.floor(rand() * (i % 5 === 0 ? 60 * mss : 3 * mss));
    if (n > left) n = left;
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

describe('KCP over a simulated lossy link', () => {
  for (const loss of [0, 0.2]) {
    it(`stream mode: 1 MiB intact and in order, ${loss * 100}% loss each way`, () => {
      const data = pattern(MiB);
      const chunks: Uint8Array[] = [];
      const rand = seededRandom(3);
      for (let off = 0; off < data.length; ) {
        const n = 1 + Math.floor(rand() * 4000);
        chunks.push(data.subarray(off, off + n));
        off += n;
      }
      const { received, sa, sb, stats } = transfer({ stream: true, loss, messages: chunks });
      assert.equal(digest(received), digest([data]));
      // stream mode fills segments: no message is bigger than an mss
      assert.ok(received.every((m) => m.length <= 1376));
      if (loss > 0) {
        assert.ok(stats.dropped > 0);
        assert.ok(sa.RetransSegs > 0, 'losses were repaired');
        assert.ok(sa.FastRetransSegs > 0, 'fast resend counted');
        assert.equal(sa.RetransSegs, sa.FastRetransSegs + sa.EarlyRetransSegs + sa.LostSegs);
        assert.ok(sb.RepeatSegs > 0, 'duplicates (lost ACKs) counted');
      } else {
        assert.equal(sa.RetransSegs, 0);
        assert.equal(sb.RepeatSegs, 0);
      }
    });

    it(`message mode: 1 MiB of messages up to 255 fragments, boundaries kept, ${loss * 100}% loss each way`, () => {
      const sizes = messageSizes(MiB, 1376, 11);
      assert.ok(sizes.includes(255 * 1376));
      const messages = sizes.map((n, i) => pattern(n, i * 7));
      // a message of n fragments needs a receive window of n (kcp-go only checks n ≤ 255)
      const { received } = transfer({ stream: false, loss, messages, wnd: 256 });
      assert.deepEqual(
        received.map((m) => m.length),
        sizes,
      );
      assert.equal(digest(received), digest(messages));
    });
  }

  for (const [mode, nd] of [
    ['default (congestion control, no fast resend)', [0, 100, 0, 0]],
    ['kcptun normal', [0, 40, 2, 1]],
    ['kcptun fast', [0, 30, 2, 1]],
    ['kcptun fast2', [1, 20, 2, 1]],
    ['kcptun fast3', [1, 10, 2, 1]],
  ] as [string, Nodelay][]) {
    it(`nodelay mode ${mode}: 200 KB through 10% loss`, () => {
      const data = pattern(200_000, 5);
      const chunks: Uint8Array[] = [];
      for (let off = 0; off < data.length; off += 1000) chunks.push(data.subarray(off, off + 1000));
      const { received, a } = transfer({ stream: true, loss: 0.1, messages: chunks, nodelay: nd, wnd: 64, seed: 17 });
      assert.equal(digest(received), digest([data]));
      assert.equal(a.rx_minrto, nd[0] ? IKCP_RTO_NDL : IKCP_RTO_MIN);
      assert.equal(a.interval, nd[1]);
      assert.equal(a.nocwnd, nd[3] !== 0);
    });
  }

  it('the clock may wrap around 2^32', () => {
    const data = pattern(300_000, 9);
    const chunks: Uint8Array[] = [];
    for (let off = 0; off < data.length; off += 999) chunks.push(data.subarray(off, off + 999));
    const { received } = transfer({ stream: true, loss: 0.1, messages: chunks, start: 0xffffffff - 300 });
    assert.equal(digest(received), digest([data]));
  });
});

// ---- single-instance behaviour ------------------------------------------------

/** Splits a packet into its segments' headers (after `reserved` bytes). */
function segments(p: Uint8Array, reserved = 0) {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const segs = [];
  for (let off = reserved; off + IKCP_OVERHEAD <= p.length; ) {
    const len = dv.getUint32(off + 20, true);
    segs.push({
      conv: dv.getUint32(off, true),
      cmd: p[off + 4]!,
      frg: p[off + 5]!,
      wnd: dv.getUint16(off + 6, true),
      ts: dv.getUint32(off + 8, true),
      sn: dv.getUint32(off + 12, true),
      una: dv.getUint32(off + 16, true),
      len,
    });
    off += IKCP_OVERHEAD + len;
  }
  return segs;
}

function seg(conv: number, cmd: number, sn: number, opts: { frg?: number; wnd?: number; ts?: number; una?: number; data?: Uint8Array } = {}) {
  const data = opts.data ?? new Uint8Array(0);
  const b = new Uint8Array(IKCP_OVERHEAD + data.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, conv, true);
  b[4] = cmd;
  b[5] = opts.frg ?? 0;
  dv.setUint16(6, opts.wnd ?? 32, true);
  dv.setUint32(8, opts.ts ?? 0, true);
  dv.setUint32(12, sn, true);
  dv.setUint32(16, opts.una ?? 0, true);
  dv.setUint32(20, data.length, true);
  b.set(data, IKCP_OVERHEAD);
  return b;
}

describe('KCP behaviour', () => {
  it('send() refuses empty data and more than 255 fragments', () => {
    const k = new Kcp(1, () => {}, { clock: () => 0 });
    assert.equal(k.send(new Uint8Array(0)), -1);
    assert.equal(k.send(new Uint8Array(255 * k.mss + 1)), -2);
    assert.equal(k.waitSnd(), 0);
    assert.equal(k.send(new Uint8Array(255 * k.mss)), 0);
    assert.equal(k.waitSnd(), 255);
    k.stream = true;
    assert.equal(k.send(new Uint8Array(256 * k.mss)), -2);
  });

  it('recv() codes: -1 when nothing is complete, -2 when the buffer is too small', () => {
    const k = new Kcp(1, () => {}, { clock: () => 0 });
    assert.equal(k.recv(new Uint8Array(10)), -1);
    assert.equal(k.input(seg(1, IKCP_CMD_PUSH, 0, { frg: 1, data: new Uint8Array(5) }), true, false), 0);
    assert.equal(k.peekSize(), -1, 'half a message');
    assert.equal(k.input(seg(1, IKCP_CMD_PUSH, 1, { frg: 0, data: new Uint8Array(7).fill(9) }), true, false), 0);
    assert.equal(k.peekSize(), 12);
    assert.equal(k.recv(new Uint8Array(11)), -2);
    const buf = new Uint8Array(20);
    assert.equal(k.recv(buf), 12);
    assert.equal(buf[11], 9);
  });

  it('output packets leave `reserved` bytes at the front and stay within the mtu', () => {
    const packets: Uint8Array[] = [];
    const k = new Kcp(0x01020304, (p) => packets.push(p.slice()), { clock: () => 1234 });
    assert.ok(k.reserveBytes(28));
    assert.ok(k.setMtu(600));
    assert.equal(k.mss, 600 - 24 - 28);
    k.noDelay(1, 10, 2, 1);
    k.wndSize(64, 64);
    for (let i = 0; i < 10; i++) k.send(new Uint8Array(100 + i * 60).fill(i));
    k.flush(false);
    assert.ok(packets.length > 1);
    let sn = 0;
    for (const p of packets) {
      assert.ok(p.length <= 600);
      assert.deepEqual([...p.subarray(0, 28)], new Array(28).fill(0));
      for (const s of segments(p, 28)) {
        assert.equal(s.conv, 0x01020304);
        assert.equal(s.cmd, IKCP_CMD_PUSH);
        assert.equal(s.ts, 1234);
        assert.equal(s.sn, sn++);
      }
    }
    assert.equal(sn, k.snd_nxt);
    assert.equal(k.reserveBytes(600 - 24), false);
    assert.equal(k.setMtu(49), false);
    assert.equal(k.setMtu(28 + 24), false, 'an mtu leaving no mss is refused');
  });

  it('fast resend: a segment skipped by `resend` ACKs goes again at once, and is counted', () => {
    const out: Uint8Array[] = [];
    let now = 1000;
    const snmp = new Snmp();
    const k = new Kcp(1, (p) => out.push(p.slice()), { clock: () => now, snmp });
    k.noDelay(1, 10, 2, 1);
    k.setMtu(100);
    for (let i = 0; i < 5; i++) k.send(new Uint8Array(50));
    k.flush(false);
    assert.equal(out.length, 5);
    out.length = 0;
    now += 3;
    // sn 0 lost; the peer acks 1 and 2 (una stays 0), so sn 0 gets fastack 2
    k.input(seg(1, IKCP_CMD_ACK, 1, { ts: 1000, una: 0 }), true, false);
    assert.equal(out.length, 0, 'una did not move: no flush from input');
    k.input(seg(1, IKCP_CMD_ACK, 2, { ts: 1000, una: 0 }), true, false);
    k.flush(false);
    assert.deepEqual(
      out.flatMap((p) => segments(p).map((s) => s.sn)),
      [0],
    );
    assert.equal(snmp.FastRetransSegs, 1);
    assert.equal(snmp.RetransSegs, 1);
    assert.equal(k.rx_srtt, 3);
  });

  it('early retransmit: any fastack resends when nothing new went out', () => {
    const out: Uint8Array[] = [];
    const snmp = new Snmp();
    const k = new Kcp(1, (p) => out.push(p.slice()), { clock: () => 50, snmp });
    k.noDelay(1, 10, 0, 1); // fast resend off
    k.setMtu(100);
    k.send(new Uint8Array(60));
    k.send(new Uint8Array(60));
    k.flush(false);
    out.length = 0;
    k.input(seg(1, IKCP_CMD_ACK, 1, { ts: 50 }), true, false);
    k.flush(false);
    assert.deepEqual(
      out.flatMap((p) => segments(p).map((s) => s.sn)),
      [0],
    );
    assert.equal(snmp.EarlyRetransSegs, 1);
  });

  it('RTO backs off by rx_rto with nodelay 0 and by rx_rto/2 with nodelay', () => {
    for (const [nodelay, gaps] of [
      [0, [200, 400, 600]],
      [1, [200, 300, 400]],
    ] as [number, number[]][]) {
      let now = 0;
      const sent: number[] = [];
      const k = new Kcp(1, () => sent.push(now), { clock: () => now });
      k.noDelay(nodelay, 10, 0, 1);
      k.send(new Uint8Array(1));
      for (; now < 2000; now++) {
        if (((k.check() - now) | 0) <= 0) k.update();
      }
      const got = sent.slice(1, 4).map((t, i) => t - sent[i]!);
      assert.deepEqual(got, gaps, `nodelay ${nodelay}`);
    }
  });

  it('outputRoom: a flush emits no more datagrams than the room, leaves the rest due and untouched, and sends them on the next flush', () => {
    const now = 0;
    const sent: Uint8Array[] = [];
    const k = new Kcp(1, (p) => void sent.push(p.slice()), { clock: () => now });
    k.setMtu(1400);
    k.wndSize(128, 128);
    k.noDelay(1, 10, 2, 1);
    k.rmt_wnd = 128;
    for (let i = 0; i < 10; i++) k.send(new Uint8Array(1000));
    k.outputRoom = 3;
    k.flush(false);
    assert.equal(sent.length, 3, 'three datagrams');
    assert.equal(k.blocked, true);
    const sns = (ps: Uint8Array[]) => ps.map((p) => new DataView(p.buffer).getUint32(12, true));
    assert.deepEqual(sns(sent), [0, 1, 2]);
    k.outputRoom = Infinity;
    k.flush(false);
    assert.equal(k.blocked, false);
    assert.deepEqual(sns(sent), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'the held segments go next, each once');
  });

  it('a dead link sets state after dead_link transmissions of a segment', () => {
    let now = 0;
    let sent = 0;
    const k = new Kcp(1, () => sent++, { clock: () => now });
    k.noDelay(1, 10, 2, 1);
    k.dead_link = 5;
    k.send(new Uint8Array(10));
    for (let i = 0; i < 100_000 && k.state === 0; i++) {
      now += 10;
      k.update();
    }
    assert.equal(k.state, 0xffffffff);
    assert.equal(sent, 5);
  });

  it('flush() returns the ms until the next retransmission, at most the interval', () => {
    let now = 0;
    const k = new Kcp(1, () => {}, { clock: () => now });
    k.noDelay(1, 50, 0, 1);
    assert.equal(k.flush(false), 50, 'nothing in flight');
    k.send(new Uint8Array(10));
    k.flush(false); // rto 200: due at 200
    now = 180;
    assert.equal(k.flush(false), 20);
    assert.equal(k.flush(true), 50, 'ackOnly returns the interval');
  });

  for (const [compat, first] of [[undefined, 500], ['v5.6.1', 7000]] as const) {
    it(`a zero remote window is probed after ${first} ms${compat ? ` (compat ${compat})` : ''}, and a WASK is answered with WINS`, () => {
      let now = 0;
      const out: Uint8Array[] = [];
      const k = new Kcp(1, (p) => out.push(p.slice()), { clock: () => now, ...(compat ? { compat } : {}) });
      k.noDelay(1, 10, 2, 1);
      k.input(seg(1, IKCP_CMD_WINS, 0, { wnd: 0 }), true, false);
      assert.equal(k.rmt_wnd, 0);
      k.send(new Uint8Array(10));
      k.flush(false);
      assert.equal(out.length, 0);
      assert.equal(k.probe_wait, first);
      now = first - 1;
      k.flush(false);
      assert.equal(out.length, 0);
      now = first;
      k.flush(false);
      assert.deepEqual(
        out.flatMap((p) => segments(p).map((s) => s.cmd)),
        [IKCP_CMD_WASK],
      );
      assert.equal(k.probe_wait, first * 1.5);
      out.length = 0;
      k.input(seg(1, IKCP_CMD_WASK, 0, { wnd: 0 }), true, false);
      k.flush(false);
      const [wins] = out.flatMap((p) => segments(p));
      assert.equal(wins!.cmd, IKCP_CMD_WINS);
      assert.equal(wins!.wnd, IKCP_WND_RCV);
    });
  }

  it('FEC-recovered input (regular=false) moves neither rmt_wnd nor RTT', () => {
    let now = 100;
    const k = new Kcp(1, () => {}, { clock: () => now });
    k.noDelay(-1, -1, -1, 1); // no congestion window: the first flush sends
    k.send(new Uint8Array(10));
    k.flush(false);
    assert.equal(k.snd_nxt, 1);
    now = 140;
    k.input(seg(1, IKCP_CMD_ACK, 0, { ts: 100, una: 1, wnd: 5 }), false, false);
    assert.equal(k.rmt_wnd, IKCP_WND_RCV);
    assert.equal(k.rx_srtt, 0);
    assert.equal(k.waitSnd(), 0, 'but una and the ACK still count');
  });

  it('ackNoDelay flushes ACKs from inside input(); ACKs below rcv_nxt are left out but the last', () => {
    const out: Uint8Array[] = [];
    const k = new Kcp(1, (p) => out.push(p.slice()), { clock: () => 0 });
    k.input(seg(1, IKCP_CMD_PUSH, 0, { ts: 77, data: new Uint8Array(3) }), true, false);
    assert.equal(out.length, 0);
    k.input(seg(1, IKCP_CMD_PUSH, 1, { ts: 78, data: new Uint8Array(3) }), true, true);
    assert.deepEqual(
      out.flatMap((p) => segments(p).map((s) => [s.cmd, s.sn, s.ts, s.una])),
      [[IKCP_CMD_ACK, 1, 78, 2]],
      'sn 0 is below rcv_nxt 2 and not the last: una covers it',
    );
    out.length = 0;
    k.input(seg(1, IKCP_CMD_PUSH, 1, { ts: 79, data: new Uint8Array(3) }), true, true);
    assert.deepEqual(
      out.flatMap((p) => segments(p).map((s) => [s.cmd, s.sn, s.ts, s.una])),
      [[IKCP_CMD_ACK, 1, 79, 2]],
      'a duplicate is acked again when it is the last',
    );
  });

  it('garbage, truncated and wrong-conv input return error codes and never throw', () => {
    const snmp = new Snmp();
    const k = new Kcp(5, () => {}, { clock: () => 0, snmp });
    const good = seg(5, IKCP_CMD_PUSH, 0, { data: new Uint8Array(4) });
    assert.equal(k.input(good, true, false), 0);
    assert.equal(k.input(good.subarray(0, 10), true, false), -1, 'short');
    assert.equal(k.input(good.subarray(0, 26), true, false), -2, 'truncated payload');
    assert.equal(k.input(seg(6, IKCP_CMD_PUSH, 1), true, false), -1, 'wrong conv');
    assert.equal(k.input(seg(5, 99, 1), true, false), -3, 'unknown command');
    const huge = seg(5, IKCP_CMD_PUSH, 1);
    new DataView(huge.buffer).setUint32(20, 0xffffffff, true);
    assert.equal(k.input(huge, true, false), -2, 'length beyond the packet');
    const inSegs = snmp.InSegs;
    assert.equal(k.input(new Uint8Array([...seg(5, IKCP_CMD_PUSH, 1, { data: new Uint8Array(2) }), ...seg(6, IKCP_CMD_PUSH, 2)]), true, false), -1);
    assert.equal(k.rcv_nxt, 2, 'the segment before the bad one was applied');
    assert.equal(snmp.InSegs, inSegs, 'kcp-go returns before counting InSegs');

    const rand = seededRandom(9);
    const valid = [
      seg(5, IKCP_CMD_PUSH, 3, { data: new Uint8Array(30).fill(1) }),
      seg(5, IKCP_CMD_ACK, 0, { ts: 5 }),
      seg(5, IKCP_CMD_WASK, 0),
      new Uint8Array([...seg(5, IKCP_CMD_PUSH, 4, { frg: 255, data: new Uint8Array(3) }), ...seg(5, IKCP_CMD_WINS, 0)]),
    ];
    for (let i = 0; i < 20_000; i++) {
      let junk: Uint8Array;
      if (i % 2 === 0) {
        junk = Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
        if (junk.length >= 4 && rand() < 0.7) junk.set([5, 0, 0, 0]);
      } else {
        // mutate a valid packet: flip bytes, cut it short
        junk = valid[i % valid.length]!.slice(0, 1 + Math.floor(rand() * 80));
        for (let f = Math.floor(rand() * 4); f > 0; f--) junk[Math.floor(rand() * junk.length)] ^= 1 << Math.floor(rand() * 8);
      }
      const rc = k.input(junk, rand() < 0.5, rand() < 0.5);
      assert.ok([0, -1, -2, -3].includes(rc));
      for (let n = k.peekSize(); n >= 0; n = k.peekSize()) assert.ok(k.recv(new Uint8Array(n)) >= 0);
      if (i % 100 === 0) k.update();
    }
  });

  it('wndSize ignores values ≤ 0; noDelay ignores negatives and clamps the interval', () => {
    const k = new Kcp(1, () => {}, { clock: () => 0 });
    k.wndSize(0, -1);
    assert.equal(k.snd_wnd, 32);
    assert.equal(k.rcv_wnd, IKCP_WND_RCV);
    k.noDelay(1, 1, 2, 1);
    assert.equal(k.interval, 10);
    k.noDelay(-1, 99999, -1, -1);
    assert.deepEqual([k.nodelay, k.interval, k.fastresend, k.nocwnd], [1, 5000, 2, true]);
  });

  it('releaseTX drops everything waiting to be sent', () => {
    const k = new Kcp(1, () => {}, { clock: () => 0 });
    k.send(new Uint8Array(5000));
    k.flush(false);
    k.send(new Uint8Array(10));
    assert.ok(k.waitSnd() > 0);
    k.releaseTX();
    assert.equal(k.waitSnd(), 0);
    assert.equal(k.send(new Uint8Array(10)), 0);
    assert.equal(k.waitSnd(), 1);
  });
});

// ---- what kcp-go v5.7 changed, next to v5.6.1 ---------------------------------

describe('KCP: kcp-go v5.7.6 next to v5.6.1 (compat)', () => {
  /** Sends `n` one-segment messages from a fresh Kcp (fast resend 2, no cwnd) and flushes them; the packets are returned. */
  function sender(compat: 'v5.6.1' | undefined, n: number, clock: () => number) {
    const out: Uint8Array[] = [];
    const k = new Kcp(1, (p) => out.push(p.slice()), { clock, ...(compat ? { compat } : {}) });
    k.noDelay(1, 10, 2, 1);
    for (let i = 0; i < n; i++) k.send(new Uint8Array(100).fill(i));
    k.flush(false);
    return { k, out };
  }
  const pushes = (out: Uint8Array[]) => out.flatMap((p) => segments(p)).filter((s) => s.cmd === IKCP_CMD_PUSH).map((s) => s.sn);

  for (const compat of [undefined, 'v5.6.1'] as const) {
    const v57 = compat === undefined;
    const label = v57 ? 'v5.7' : 'v5.6.1';

    it(`${label}: an ACK that brings a segment to the fast resend threshold ${v57 ? 'flushes inside input' : 'waits for the next flush'}`, () => {
      const now = 0;
      const { k, out } = sender(compat, 4, () => now);
      out.length = 0;
      // sn 0 lost: ACKs for 1 and 2 (una stays 0) give it fastack 2 = resend.
      k.input(seg(1, IKCP_CMD_ACK, 1, { ts: 0 }), true, false);
      k.input(seg(1, IKCP_CMD_ACK, 2, { ts: 0 }), true, false);
      assert.deepEqual(pushes(out), v57 ? [0] : []);
      if (!v57) {
        k.flush(false);
        assert.deepEqual(pushes(out), [0]);
      }
    });

    it(`${label}: after a fast retransmit ${v57 ? 'more ACKs do not resend the segment again before its RTO' : 'the ACK count starts over'}`, () => {
      let now = 0;
      const { k, out } = sender(compat, 6, () => now);
      k.input(seg(1, IKCP_CMD_ACK, 1, { ts: 0 }), true, false);
      k.input(seg(1, IKCP_CMD_ACK, 2, { ts: 0 }), true, false);
      k.flush(false); // fast retransmit of sn 0 (v5.7 already did it inside input)
      out.length = 0;
      now = 5;
      k.input(seg(1, IKCP_CMD_ACK, 3, { ts: 0 }), true, false);
      k.input(seg(1, IKCP_CMD_ACK, 4, { ts: 0 }), true, false);
      k.flush(false);
      // v5.6.1: two more ACKs make it due again (fast); v5.7: fastack stays 0xFFFFFFFF until the RTO.
      assert.deepEqual(pushes(out), v57 ? [] : [0]);
      if (v57) {
        now = 5 + k.rx_rto;
        k.flush(false);
        assert.deepEqual(pushes(out), [0], 'the RTO still resends it');
      }
    });

    it(`${label}: pending ACKs ${v57 ? 'go out once mtu/24 of them are queued' : 'wait for the flush however many'}`, () => {
      const out: Uint8Array[] = [];
      const k = new Kcp(1, (p) => out.push(p.slice()), { clock: () => 0, ...(compat ? { compat } : {}) });
      k.wndSize(128, 128);
      const threshold = Math.floor(k.mtu / IKCP_OVERHEAD); // 58 with the default mtu 1400
      // sn 0 missing: rcv_nxt stays 0, so no ACK is filtered as below it.
      for (let sn = 1; sn < threshold; sn++) k.input(seg(1, IKCP_CMD_PUSH, sn, { data: new Uint8Array(1) }), true, false);
      assert.equal(out.length, 0);
      k.input(seg(1, IKCP_CMD_PUSH, threshold, { data: new Uint8Array(1) }), true, false);
      assert.equal(out.length, v57 ? 1 : 0);
      if (v57) {
        assert.equal(segments(out[0]!).length, threshold);
        assert.equal(k.ackcount, 0);
      }
    });

    it(`${label}: an ACK-only flush ${v57 ? 'also sends a window probe answer and admits queued segments' : 'sends the ACKs only'}`, () => {
      const out: Uint8Array[] = [];
      const k = new Kcp(1, (p) => out.push(p.slice()), { clock: () => 0, ...(compat ? { compat } : {}) });
      k.noDelay(1, 10, 2, 1);
      k.send(new Uint8Array(10));
      k.input(seg(1, IKCP_CMD_WASK, 0), true, false);
      k.input(seg(1, IKCP_CMD_PUSH, 0, { data: new Uint8Array(1) }), true, false);
      k.flush(true);
      const cmds = out.flatMap((p) => segments(p).map((s) => s.cmd));
      assert.deepEqual(cmds, v57 ? [IKCP_CMD_ACK, IKCP_CMD_WINS] : [IKCP_CMD_ACK]);
      // v5.7 moved the segment into the window (sn given, not yet sent); v5.6.1 left it queued.
      assert.deepEqual([k.nsnd_que, k.nsnd_buf, k.snd_nxt], v57 ? [0, 1, 1] : [1, 0, 0]);
      assert.equal(pushes(out).length, 0);
    });

    it(`${label}: setMtu accepts ${v57 ? 'anything above the 24-byte header' : '50 and up'}`, () => {
      const k = new Kcp(1, () => {}, { clock: () => 0, ...(compat ? { compat } : {}) });
      assert.equal(k.setMtu(24), false);
      assert.equal(k.setMtu(25), v57);
      assert.equal(k.setMtu(49), v57);
      assert.equal(k.setMtu(50), true);
    });
  }
});
