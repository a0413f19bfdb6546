/**
 * Browser ⇄ relay ⇄ kcp-go throughput against the raw data channel on the
 * same link: headless Chromium opens the relay's unordered, no-retransmit
 * WebRTC data channel and (1) pushes raw 1200-byte datagrams for a while —
 * what arrives at a UDP counter behind the relay is the raw channel's
 * goodput — then (2) sends `bytes` through KCP (kcp-go's sink settings, no
 * crypto) to a real kcp-go sink behind the relay, until all is acknowledged.
 * Three rounds of both, alternating; the medians are the measure.
 * BENCH_RELAY_DEBUG=1 prints each KCP run's counters (resends, drops, RTT).
 */
import dgram from 'node:dgram';
import { startRelay } from '../src/relay/relay.js';
import { hasChromium } from '../test/helpers/browser.js';
import { withBenchPage } from './bench-page.js';
import { startServer, KCPPEER } from '../test/helpers/kcppeer.js';

/** The relay's per-session budgets would cap the measure: lift them. */
const UNLIMITED = { datagramsPerSecond: 1e9, bytesPerSecond: 1e12 };

/**
 * The send window for this path (~10–20 ms RTT through Chromium, werift and
 * kcp-go at ~9 MB/s): measured here (3 rounds each, bench/relay-throughput.ts
 * with other windows) 128 is window-bound (KCP ~5 MB/s, ~0.6× the raw
 * channel), 1024 queues in the channel (~0.7×), 256 ~0.87×. A user tunes it
 * the same way for a path's bandwidth × delay, as with kcptun's --sndwnd.
 */
export const RELAY_SNDWND = 256;

export async function relayThroughput(bytes: number, rawMs: number, rounds = 3, sndwnd = RELAY_SNDWND, maxBuffered = 0): Promise<{ rawMBps: number; kcpMBps: number; raw: number[]; kcp: number[] } | { skipped: string }> {
  if (!hasChromium) return { skipped: '/usr/bin/chromium missing' };
  const counter = dgram.createSocket('udp4');
  let counted = 0;
  counter.on('message', (m) => (counted += m.length));
  await new Promise<void>((r) => counter.bind(0, '127.0.0.1', r));
  const sink = await startServer(KCPPEER, ['sink', '--listen', '127.0.0.1:0'], /^listening (\S+)/);
  const rawRelay = await startRelay({ upstream: `127.0.0.1:${counter.address().port}`, listen: '127.0.0.1:0', webtransport: false, limits: UNLIMITED });
  const kcpRelay = await startRelay({ upstream: sink.address, listen: '127.0.0.1:0', webtransport: false, limits: UNLIMITED });
  try {
    return await withBenchPage('runKcpSink', async (page) => {
      type Fns = { runRawChannel(u: string, ms: number): Promise<number>; runKcpSink(u: string, b: number, w: number, m: number): Promise<number> };
      // Both swing by ±20% from run to run (werift's SCTP on 2 cores): alternate them, report the medians.
      const raw: number[] = [];
      const kcp: number[] = [];
      for (let i = 0; i < rounds; i++) {
        counted = 0;
        // The page times its own sending (connect excluded, as for KCP), until its buffer is empty.
        const sendMs = await page.evaluate(([u, ms]) => (globalThis as unknown as Fns).runRawChannel(u, ms), [`${rawRelay.url}kcp-web/rtc`, rawMs] as [string, number]);
        raw.push(counted / 1e6 / (sendMs / 1000));
        const ms = await page.evaluate(([u, b, w, m]) => (globalThis as unknown as Fns).runKcpSink(u, b, w, m), [`${kcpRelay.url}kcp-web/rtc`, bytes, sndwnd, maxBuffered] as [string, number, number, number]);
        kcp.push(bytes / 1e6 / (ms / 1000));
        if (process.env.BENCH_RELAY_DEBUG) console.error(JSON.stringify(await page.evaluate(() => (globalThis as { lastKcpStats?: unknown }).lastKcpStats)));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
      return { rawMBps: median(raw), kcpMBps: median(kcp), raw, kcp };
    });
  } finally {
    await rawRelay.close();
    await kcpRelay.close();
    sink.stop();
    counter.close();
  }
}
