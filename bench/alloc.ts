/**
 * Heap bytes allocated per datagram in steady state: two sessions in one
 * process over a synchronous in-memory wire, the clock moved by hand, 1000-
 * byte messages one way and ACKs the other. Run in a child process with a
 * fixed 128 MiB young generation (--min/max-semi-space-size) and --expose-gc: after a
 * full GC, the heap's growth over the measured steps divided by the
 * datagrams is what each datagram allocated — valid only if no GC ran
 * in between, which is checked (PerformanceObserver 'gc').
 *
 * The wire copies each datagram into buffers it reuses and says so
 * (sendCopies), as kcp-web's UDP, WebRTC, WebSocket and WebTransport
 * transports do; `keeps` rows give the wire of a transport that may keep
 * what it is sent, for which the session copies each datagram.
 *
 * Included: the message each receive hands to the application, and what
 * node:crypto returns for AES. Not included: the Buffer Node's dgram makes
 * for every received datagram (there is no socket here).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dial, type DialOptions } from '../src/index.node.js';
import type { DatagramTransport } from '../src/core/transport.js';
import { manualRuntime } from './manual-runtime.js';

export interface AllocRow {
  setup: string;
  /** JS heap growth per datagram: objects, views, small arrays. */
  heapPerDatagram: number;
  /** ArrayBuffer memory per datagram (backing stores live outside the JS heap). */
  buffersPerDatagram: number;
  datagrams: number;
}

const CASES: Array<[string, DialOptions, boolean]> = [
  ['no cipher, no FEC', {}, true],
  ['salsa20 (WebAssembly), FEC 10/3', { crypt: 'salsa20', key: 'k', dataShards: 10, parityShards: 3 }, true],
  ['aes (node:crypto), FEC 10/3', { crypt: 'aes', key: 'k', dataShards: 10, parityShards: 3 }, true],
  ['no cipher, no FEC; a transport that keeps what it is sent', {}, false],
];

async function measure(options: DialOptions, sendCopies: boolean, steps: number): Promise<AllocRow & { gcs: number }> {
  // In flight: parallel arrays, each datagram in a buffer of the wire's (reused) or as sent (kept).
  // The wire allocates nothing in steady state: its buffers keep a view per length.
  type Slot = { buf: Uint8Array; views: Map<number, Uint8Array> };
  const targets: Array<(d: Uint8Array, from: string) => void> = [];
  const inFlight: Uint8Array[] = [];
  const slots: Slot[] = [];
  const spare: Slot[] = [];
  const wire = () => {
    let peer: ((d: Uint8Array, from: string) => void) | null = null;
    const self: DatagramTransport & { connect(other: { deliver: (d: Uint8Array, from: string) => void }): void; deliver: (d: Uint8Array, from: string) => void } = {
      mtu: 1500,
      sendCopies,
      send: (d) => {
        if (!peer) return;
        targets.push(peer);
        if (!sendCopies) return void inFlight.push(d);
        const slot = spare.pop() ?? { buf: new Uint8Array(1500), views: new Map() };
        slot.buf.set(d);
        let view = slot.views.get(d.length);
        if (!view) slot.views.set(d.length, (view = slot.buf.subarray(0, d.length)));
        inFlight.push(view);
        slots.push(slot);
      },
      receive: (f) => void (self.deliver = f),
      close: () => {},
      deliver: () => {},
      connect: (other) => void (peer = (d, from) => other.deliver(d, from)),
    };
    return self;
  };
  const ta = wire();
  const tb = wire();
  ta.connect(tb);
  tb.connect(ta);
  const rt = manualRuntime();
  const o: DialOptions = { runtime: rt, conv: 1, mode: 'fast', sndwnd: 1024, rcvwnd: 1024, ...options };
  const a = dial(ta, o);
  const b = dial(tb, o);
  let received = 0;
  b.onmessage = (m) => void (received += m.length);
  const msg = new Uint8Array(1000);
  let datagrams = 0;
  const step = () => {
    for (let i = 0; i < 8; i++) a.send(msg);
    rt.advance(10);
    // Delivery may send more (ACKs): those go on the end and are delivered in this loop too.
    for (let i = 0; i < inFlight.length; i++) {
      datagrams++;
      targets[i]!(inFlight[i]!, 'peer');
    }
    while (slots.length > 0) spare.push(slots.pop()!);
    while (inFlight.length > 0) inFlight.pop();
    while (targets.length > 0) targets.pop();
  };
  for (let i = 0; i < 3000; i++) step();
  (globalThis as { gc?: () => void }).gc!();
  await new Promise((r) => setTimeout(r, 50));
  let gcs = 0;
  let t0 = Infinity;
  let t1 = Infinity;
  // Only collections inside the window count (idle-time ones may follow it).
  const obs = new PerformanceObserver((list) => void (gcs += list.getEntries().filter((e) => e.startTime >= t0 && e.startTime <= t1).length));
  obs.observe({ entryTypes: ['gc'] });
  t0 = performance.now();
  const m0 = process.memoryUsage();
  const from = datagrams;
  for (let i = 0; i < steps; i++) step();
  const m1 = process.memoryUsage();
  t1 = performance.now();
  const n = datagrams - from;
  a.close();
  b.close();
  // GC entries reach the observer asynchronously.
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return { setup: '', heapPerDatagram: (m1.heapUsed - m0.heapUsed) / n, buffersPerDatagram: (m1.arrayBuffers - m0.arrayBuffers) / n, datagrams: n, gcs };
}

/** Runs every case in a child with the flags the method needs; rows, or why not. */
export function allocationRows(): AllocRow[] | { skipped: string } {
  const r = spawnSync(process.execPath, ['--expose-gc', '--min-semi-space-size=128', '--max-semi-space-size=128', '--import', 'tsx', fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8' });
  if (r.status !== 0) return { skipped: `allocation child failed: ${r.stderr.trim().split('\n').pop()}` };
  return JSON.parse(r.stdout) as AllocRow[];
}

if (process.argv.includes('--child')) {
  const rows: AllocRow[] = [];
  for (const [setup, options, sendCopies] of CASES) {
    // A GC inside the window would hide allocations: measure again (bounded) until a window has none.
    // Node's Buffers (node:crypto's output) count as external memory, which triggers collections sooner: shorter windows then.
    let row = await measure(options, sendCopies, 1000);
    for (const steps of [1000, 300, 100, 100]) {
      if (row.gcs === 0) break;
      row = await measure(options, sendCopies, steps);
    }
    if (row.gcs > 0) throw new Error(`${setup}: a GC ran inside every measuring window (${row.gcs})`);
    rows.push({ setup, heapPerDatagram: Math.round(row.heapPerDatagram), buffersPerDatagram: Math.round(row.buffersPerDatagram), datagrams: row.datagrams });
  }
  console.log(JSON.stringify(rows));
}
