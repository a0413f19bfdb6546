/**
 * Heap bytes allocated per datagram in steady state: two sessions in one
 * process over a synchronous in-memory wire, the clock moved by hand, 1000-
 * byte messages one way and ACKs the other. Run in a child process with a
 * 256 MiB young generation (--max-semi-space-size) and --expose-gc: after a
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
import { FakeRuntime } from '../test/helpers/fake-runtime.js';

export interface AllocRow {
  setup: string;
  bytesPerDatagram: number;
  datagrams: number;
}

const CASES: Array<[string, DialOptions]> = [
  ['no cipher, no FEC', {}],
  ['salsa20 (WebAssembly), FEC 10/3', { crypt: 'salsa20', key: 'k', dataShards: 10, parityShards: 3 }],
  ['aes (node:crypto), FEC 10/3', { crypt: 'aes', key: 'k', dataShards: 10, parityShards: 3 }],
];

async function measure(options: DialOptions): Promise<AllocRow & { gcs: number }> {
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
  const rt = new FakeRuntime();
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
  let gcs = 0;
  const obs = new PerformanceObserver((list) => void (gcs += list.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  (globalThis as { gc?: () => void }).gc!();
  const before = process.memoryUsage().heapUsed;
  const from = datagrams;
  for (let i = 0; i < 1000; i++) step();
  const grown = process.memoryUsage().heapUsed - before;
  const n = datagrams - from;
  a.close();
  b.close();
  // GC entries reach the observer asynchronously.
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return { setup: '', bytesPerDatagram: grown / n, datagrams: n, gcs };
}

/** Runs every case in a child with the flags the method needs; rows, or why not. */
export function allocationRows(): AllocRow[] | { skipped: string } {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-semi-space-size=256', '--import', 'tsx', fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8' });
  if (r.status !== 0) return { skipped: `allocation child failed: ${r.stderr.trim().split('\n').pop()}` };
  return JSON.parse(r.stdout) as AllocRow[];
}

if (process.argv.includes('--child')) {
  const rows: AllocRow[] = [];
  for (const [setup, options] of CASES) {
    // A GC inside the window would hide allocations: measure again (bounded) until a window has none.
    let row = await measure(options);
    for (let i = 0; i < 3 && row.gcs > 0; i++) row = await measure(options);
    if (row.gcs > 0) throw new Error(`${setup}: a GC ran inside every measuring window`);
    rows.push({ setup, bytesPerDatagram: Math.round(row.bytesPerDatagram), datagrams: row.datagrams });
  }
  console.log(JSON.stringify(rows));
}
