/**
 * Browser ⇄ relay ⇄ kcp-go throughput against the raw data channel on the
 * same link: headless Chromium opens the relay's unordered, no-retransmit
 * WebRTC data channel and (1) pushes raw 1200-byte datagrams for a while —
 * what arrives at a UDP counter behind the relay is the raw channel's
 * goodput — then (2) sends `bytes` through KCP (kcp-go's sink settings, no
 * crypto) to a real kcp-go sink behind the relay, until all is acknowledged
 * — the measure — and (3) the same to a kcp-web sink in this process, the
 * relay's own (as `npm start` runs its server): on 2 cores, kcp-go's
 * process is a third busy one beside Chromium and the relay, and (3) shows
 * the path without it. Three rounds, alternating; the medians are reported.
 * BENCH_RELAY_DEBUG=1 prints each run's CPU use and datagram counts, and
 * each KCP run's counters (resends, drops, RTT).
 */
import dgram from 'node:dgram';
import { readdirSync } from 'node:fs';
import { startRelay } from '../src/relay/index.js';
import { hasChromium } from '../test/helpers/browser.js';
import { withBenchPage } from './bench-page.js';
import { startServer, KCPPEER } from '../test/helpers/kcppeer.js';
import { listenUdp } from '../src/index.node.js';
import { procStat } from './proc.js';

/** CPU ticks (1/100 s) used so far by the processes whose name matches, by name (Linux /proc). */
function ticksByName(names: RegExp): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const st = procStat(pid);
    if (st && names.test(st.name)) out.set(st.name, (out.get(st.name) ?? 0) + st.ticks);
  }
  return out;
}

/**
 * For BENCH_RELAY_DEBUG: returns a function that tells what happened since
 * — the CPU of this process (the relays run here), of Chromium and of the
 * kcp-go sink (2 cores share all three), and the relays' datagram counts.
 */
function relayLoad(relays: Array<{ stats: { datagramsUp: number; datagramsDown: number; dropped: number } }>): () => string {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const peers = ticksByName(/^(chromium|kcppeer)$/);
  const count = () => relays.reduce((a, r) => ({ up: a.up + r.stats.datagramsUp, down: a.down + r.stats.datagramsDown, dropped: a.dropped + r.stats.dropped }), { up: 0, down: 0, dropped: 0 });
  const before = count();
  return () => {
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const now = count();
    const others = [...ticksByName(/^(chromium|kcppeer)$/)].map(([name, t]) => `${name} ${Math.round(((t - (peers.get(name) ?? 0)) * 1000) / ms)}%`);
    return `CPU: relays ${Math.round((used.user + used.system) / 10 / ms)}%, ${others.join(', ')}; datagrams up ${now.up - before.up}, down ${now.down - before.down}, dropped ${now.dropped - before.dropped}`;
  };
}

/** The relay's per-session budgets would cap the measure: lift them. */
const UNLIMITED = { datagramsPerSecond: 1e9, bytesPerSecond: 1e12 };

/**
 * The send window for this path (~10–20 ms RTT through Chromium, werift and
 * kcp-go at ~9 MB/s): measured here (3 rounds each, bench/relay-throughput.ts
 * with other windows) 128 is window-bound (KCP ~5 MB/s, ~0.6× the raw
 * channel), 1024 queues in the channel (~0.7×), 256 ~0.87× in that series
 * (0.54–0.71× in later ones: ±20% run to run). A user tunes it the same way
 * for a path's bandwidth × delay, as with kcptun's --sndwnd.
 */
export const RELAY_SNDWND = 256;

export interface RelayThroughput {
  rawMBps: number;
  /** To kcp-go's sink (the measure), and to a kcp-web sink in this process (as `npm start` runs its server). */
  kcpMBps: number;
  kcpWebMBps: number;
  raw: number[];
  kcp: number[];
  kcpWeb: number[];
}

export async function relayThroughput(bytes: number, rawMs: number, rounds = 3, sndwnd = RELAY_SNDWND, maxBuffered = 0): Promise<RelayThroughput | { skipped: string }> {
  if (!hasChromium) return { skipped: '/usr/bin/chromium missing' };
  const counter = dgram.createSocket('udp4');
  let counted = 0;
  counter.on('message', (m) => (counted += m.length));
  await new Promise<void>((r) => counter.bind(0, '127.0.0.1', r));
  const sink = await startServer(KCPPEER, ['sink', '--listen', '127.0.0.1:0'], /^listening (\S+)/);
  // kcp-go's sink settings (interop/kcppeer/sink.go), read and discarded.
  const webSink = await listenUdp('127.0.0.1:0', { crypt: 'null', sndwnd: 4096, rcvwnd: 4096, nodelay: 1, interval: 10, resend: 2, nc: 1, mtu: 1400, streamMode: true });
  webSink.onsession = (s) => void (async () => {
    for await (const _ of s);
  })();
  const rawRelay = await startRelay({ upstream: `127.0.0.1:${counter.address().port}`, listen: '127.0.0.1:0', webtransport: false, limits: UNLIMITED });
  const kcpRelay = await startRelay({ upstream: sink.address, listen: '127.0.0.1:0', webtransport: false, limits: UNLIMITED });
  const webRelay = await startRelay({ upstream: webSink.address, listen: '127.0.0.1:0', webtransport: false, limits: UNLIMITED });
  const relays = [rawRelay, kcpRelay, webRelay];
  try {
    return await withBenchPage('runKcpSink', async (page) => {
      type Fns = { runRawChannel(u: string, ms: number): Promise<number>; runKcpSink(u: string, b: number, w: number, m: number): Promise<number> };
      const kcpRun = async (relayUrl: string, label: string): Promise<number> => {
        const debug = process.env.BENCH_RELAY_DEBUG ? relayLoad(relays) : null;
        const ms = await page.evaluate(([u, b, w, m]) => (globalThis as unknown as Fns).runKcpSink(u, b, w, m), [`${relayUrl}kcp-web/rtc`, bytes, sndwnd, maxBuffered] as [string, number, number, number]);
        if (debug) console.error(`${label}: ${debug()} ${JSON.stringify(await page.evaluate(() => (globalThis as { lastKcpStats?: unknown }).lastKcpStats))}`);
        return bytes / 1e6 / (ms / 1000);
      };
      // All swing by ±20% from run to run (werift's SCTP on 2 cores): alternate them, report the medians.
      const raw: number[] = [];
      const kcp: number[] = [];
      const kcpWeb: number[] = [];
      for (let i = 0; i < rounds; i++) {
        counted = 0;
        const debug = process.env.BENCH_RELAY_DEBUG ? relayLoad(relays) : null;
        // The page times its own sending (connect excluded, as for KCP), until its buffer is empty.
        const sendMs = await page.evaluate(([u, ms]) => (globalThis as unknown as Fns).runRawChannel(u, ms), [`${rawRelay.url}kcp-web/rtc`, rawMs] as [string, number]);
        raw.push(counted / 1e6 / (sendMs / 1000));
        if (debug) console.error(`raw: ${debug()}`);
        kcp.push(await kcpRun(kcpRelay.url, 'kcp-go sink'));
        kcpWeb.push(await kcpRun(webRelay.url, 'kcp-web sink'));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
      return { rawMBps: median(raw), kcpMBps: median(kcp), kcpWebMBps: median(kcpWeb), raw, kcp, kcpWeb };
    });
  } finally {
    for (const r of relays) await r.close();
    sink.stop();
    webSink.close();
    counter.close();
  }
}
