/**
 * The measuring side of bench/latency.ts, inside its network namespace: the
 * same 64-byte numbered messages every 20 ms over KCP (FEC off, FEC 10/3)
 * and a WebSocket, all at once on the same lossy link; round-trip time per
 * message. Prints one JSON line of results.
 */
import WebSocket from 'ws';
import { dialUdp } from '../src/index.node.js';
import { LATENCY_KCP } from './latency-options.js';

interface Flow {
  send(m: Uint8Array): void;
  onEcho(cb: (m: Uint8Array) => void): void;
  close(): void;
}

const [addrsJson, secondsArg] = process.argv.slice(2);
const addrs = JSON.parse(addrsJson!) as { kcp: string; kcpFec: string; ws: string };
const seconds = Number(secondsArg ?? 15);

async function kcpFlow(address: string, fec: boolean): Promise<Flow> {
  const s = await dialUdp(address, { ...LATENCY_KCP, ...(fec ? { dataShards: 10, parityShards: 3 } : {}) });
  return { send: (m) => void s.send(m), onEcho: (cb) => (s.onmessage = cb), close: () => s.close() };
}

async function wsFlow(url: string): Promise<Flow> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.binaryType = 'nodebuffer';
  return { send: (m) => ws.send(m), onEcho: (cb) => ws.on('message', (d: Buffer) => cb(new Uint8Array(d))), close: () => ws.close() };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
}

async function measure(flow: Flow): Promise<{ p50: number; p99: number; max: number; sent: number; missing: number }> {
  const sentAt: number[] = [];
  const rtts: number[] = [];
  flow.onEcho((m) => {
    const n = new DataView(m.buffer, m.byteOffset, m.byteLength).getUint32(0);
    if (sentAt[n] !== undefined) rtts.push(performance.now() - sentAt[n]!);
  });
  const msg = new Uint8Array(64);
  const count = Math.round((seconds * 1000) / 20);
  for (let i = 0; i < count; i++) {
    new DataView(msg.buffer).setUint32(0, i);
    sentAt[i] = performance.now();
    flow.send(msg.slice());
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 3000)); // stragglers
  flow.close();
  const sorted = [...rtts].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, sent: count, missing: count - rtts.length };
}

const [kcp, kcpFec, ws] = await Promise.all([kcpFlow(addrs.kcp, false), kcpFlow(addrs.kcpFec, true), wsFlow(addrs.ws)]);
const [a, b, c] = await Promise.all([measure(kcp), measure(kcpFec), measure(ws)]);
console.log(JSON.stringify({ kcp: a, kcpFec: b, ws: c }));
process.exit(0);
