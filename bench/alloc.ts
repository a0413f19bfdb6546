/**
 * Heap bytes allocated per datagram in steady state: two sessions in one
 * process over a synchronous in-memory wire, the clock moved by hand, 1000-
 * byte messages one way and ACKs the other. Run in a child process with a
 * fixed 128 MiB young generation (--min/max-semi-space-size) and --expose-gc: after a
 * full GC, the heap's growth over the measured steps divided by the
 * datagrams is what each datagram allocated — valid only if no GC ran
 * in between, which is checked (PerformanceObserver 'gc').
 *
 * Included: the datagram copy each send makes (the transport may send
 * later), the message each receive hands to the application, and what
 * node:crypto returns for AES. Not included: the Buffer Node's dgram makes
 * for every received datagram (there is no wire here).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dial, type DialOptions } from '../src/index.node.js';
import type { DatagramTransport } from '../src/transports/transport.js';
import { TimerQueue, type TimerHandle } from '../src/core/timer-queue.js';
import type { Runtime } from '../src/core/runtime.js';

/** A clock moved by hand over the core's own timer queue (the test FakeRuntime allocates per step). */
function manualRuntime(): Runtime & { advance(ms: number): void } {
  const q = new TimerQueue();
  let t = 0;
  return {
    now: () => t,
    random: (b) => b.fill(7),
    setTimer: (fn, ms) => q.schedule(t + Math.max(0, ms), fn),
    clearTimer: (h) => q.cancel(h as TimerHandle),
    advance(ms) {
      t += ms;
      q.runDue(t);
    },
  };
}

export interface AllocRow {
  setup: string;
  /** JS heap growth per datagram: objects, views, small arrays. */
  heapPerDatagram: number;
  /** ArrayBuffer memory per datagram (backing stores live outside the JS heap). */
  buffersPerDatagram: number;
  datagrams: number;
}

const CASES: Array<[string, DialOptions]> = [
  ['no cipher, no FEC', {}],
  ['salsa20 (WebAssembly), FEC 10/3', { crypt: 'salsa20', key: 'k', dataShards: 10, parityShards: 3 }],
  ['aes (node:crypto), FEC 10/3', { crypt: 'aes', key: 'k', dataShards: 10, parityShards: 3 }],
];

async function measure(options: DialOptions, steps: number): Promise<AllocRow & { gcs: number }> {
  const queue: Array<[(d: Uint8Array, from: string) => void, Uint8Array]> = [];
  const wire = () => {
    let peer: ((d: Uint8Array, from: string) => void) | null = null;
    const self: DatagramTransport & { connect(other: { deliver: (d: Uint8Array, from: string) => void }): void; deliver: (d: Uint8Array, from: string) => void } = {
      mtu: 1500,
      send: (d) => void (peer && queue.push([peer, d])),
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
    while (queue.length > 0) {
      const [to, d] = queue.shift()!;
      datagrams++;
      to(d, 'peer');
    }
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
  for (const [setup, options] of CASES) {
    // A GC inside the window would hide allocations: measure again (bounded) until a window has none.
    // Node's Buffers (node:crypto's output) count as external memory, which triggers collections sooner: shorter windows then.
    let row = await measure(options, 1000);
    for (const steps of [1000, 300, 100, 100]) {
      if (row.gcs === 0) break;
      row = await measure(options, steps);
    }
    if (row.gcs > 0) throw new Error(`${setup}: a GC ran inside every measuring window (${row.gcs})`);
    rows.push({ setup, heapPerDatagram: Math.round(row.heapPerDatagram), buffersPerDatagram: Math.round(row.buffersPerDatagram), datagrams: row.datagrams });
  }
  console.log(JSON.stringify(rows));
}
