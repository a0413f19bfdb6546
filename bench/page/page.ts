/** Runs the micro benchmarks in the browser (pure TypeScript ciphers) for bench/run.ts. */
import { runMicro } from '../micro.js';

/** `only`: BENCH_ONLY's pattern (case-insensitive), to time just those rows. */
(globalThis as { runBench?: (ms: number, only?: string) => unknown }).runBench = (ms: number, only?: string) => runMicro({ ms, ...(only ? { only: new RegExp(only, 'i') } : {}) });

import { connectWebRTC } from '../../src/transports/webrtc.js';
import { dial } from '../../src/lite.js';

/** Raw datagrams over the relay's unordered, no-retransmit data channel for `ms`: what the link carries without KCP. Returns the ms from the first send until the channel's buffer is empty. */
async function runRawChannel(signalingUrl: string, ms: number): Promise<number> {
  const t = await connectWebRTC(signalingUrl);
  const d = new Uint8Array(1200);
  const start = performance.now();
  const end = start + ms;
  // Best case for the raw channel: keep its send buffer fed (up to the transport's own bound), never past it.
  while (performance.now() < end) {
    while (t.channel.bufferedAmount < 48 * 1024) t.send(d);
    await new Promise((r) => setTimeout(r, 1));
  }
  // Until the channel's buffer is empty: the time the link took to carry what was sent.
  while (t.channel.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 1));
  const elapsed = performance.now() - start;
  await new Promise((r) => setTimeout(r, 300)); // stragglers still reach the counter
  t.close();
  return elapsed;
}

/** KCP (no crypto, no FEC, kcp-go's sink settings) through the relay to a kcp-go sink: ms until `bytes` are written and acknowledged. */
async function runKcpSink(signalingUrl: string, bytes: number, sndwnd: number, maxBufferedAmount?: number): Promise<number> {
  const t = await connectWebRTC(signalingUrl, maxBufferedAmount ? { maxBufferedAmount } : {});
  // The session sends no new segments past the channel's buffer (sendRoom) and resumes when it drains.
  const s = dial(t, { crypt: 'null', sndwnd, rcvwnd: 1024, nodelay: 1, interval: 10, resend: 2, nc: 1, mtu: 1200, streamMode: true });
  const chunk = new Uint8Array(65536);
  const start = performance.now();
  for (let n = 0; n < bytes; n += chunk.length) await s.write(chunk);
  while (s.waitSnd > 0) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - start;
  (globalThis as { lastKcpStats?: unknown }).lastKcpStats = { retrans: s.stats.RetransSegs, lost: s.stats.LostSegs, fast: s.stats.FastRetransSegs, early: s.stats.EarlyRetransSegs, out: s.stats.OutSegs, dropped: t.dropped, srtt: s.srtt, rto: s.rto };
  s.close();
  return ms;
}

Object.assign(globalThis, { runRawChannel, runKcpSink });
