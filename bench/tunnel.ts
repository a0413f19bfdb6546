/**
 * Stream throughput through a kcptun tunnel on loopback, kcp-web against
 * kcptun in the same run: a TCP source writes `bytes` of random data (so
 * snappy stores it) into the tunnel's client, the server forwards it to a
 * TCP sink, and the time runs until the sink has it all. Pairs: kcptun ↔
 * kcptun (interop/bin/kcptun2026, the anchor), kcp-web client → kcptun
 * server and kcptun client → kcp-web server; each side its own process,
 * kcptun's defaults (aes, fast, FEC 10/3, snappy, smux v2), alternating
 * rounds, the median reported.
 */
import { createServer, connect, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, freeUdpPort, hasKcptun2026, KCPTUN2026, startKcptun, type KcptunProcess } from '../test/helpers/tunnel.js';

const CLI = fileURLToPath(new URL('./tunnel-cli.ts', import.meta.url));
const FLAGS = ['--key', 'kcp-web bench', '--quiet'];

export type TunnelPair = 'kcptun → kcptun' | 'kcp-web → kcptun' | 'kcptun → kcp-web';
export const TUNNEL_PAIRS: TunnelPair[] = ['kcptun → kcptun', 'kcp-web → kcptun', 'kcptun → kcp-web'];

function start(impl: 'kcptun' | 'kcp-web', side: 'client' | 'server', args: string[]): Promise<KcptunProcess> {
  // Node with tsx takes seconds to start on a loaded machine.
  return impl === 'kcptun' ? startKcptun(KCPTUN2026, [side, ...args, ...FLAGS], 60_000) : startKcptun(process.execPath, ['--import', 'tsx', CLI, side, ...args, ...FLAGS], 60_000);
}

/** A TCP sink that resolves, per connection, once `bytes` have arrived. */
async function startSink(bytes: number): Promise<{ port: number; server: Server; next: () => Promise<void> }> {
  let waiting: (() => void) | null = null;
  const server = createServer((s) => {
    let n = 0;
    s.on('data', (d: Buffer) => {
      n += d.length;
      if (n >= bytes) {
        s.destroy();
        waiting?.();
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    server,
    next: () => new Promise<void>((r) => (waiting = r)),
  };
}

/** One run: MB/s (10^6 bytes) from the first byte written to the last one at the sink. */
async function oneRun(pair: TunnelPair, data: Buffer, sink: Awaited<ReturnType<typeof startSink>>): Promise<number> {
  const [clientImpl, serverImpl] = pair.split(' → ') as Array<'kcptun' | 'kcp-web'>;
  const udp = await freeUdpPort();
  const tcp = await freeTcpPort();
  const server = await start(serverImpl!, 'server', ['-l', `127.0.0.1:${udp}`, '-t', `127.0.0.1:${sink.port}`]);
  const client = await start(clientImpl!, 'client', ['-l', `127.0.0.1:${tcp}`, '-r', `127.0.0.1:${udp}`]).catch(async (e) => {
    await server.stop();
    throw e;
  });
  try {
    const done = sink.next();
    const sock = connect({ port: tcp, host: '127.0.0.1', noDelay: true });
    sock.on('error', () => {});
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const t0 = performance.now();
    sock.write(data);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${pair}: ${data.length} bytes not through in 120 s`)), 120_000).unref());
    await Promise.race([done, timeout]);
    const s = (performance.now() - t0) / 1000;
    sock.destroy();
    return data.length / 1e6 / s;
  } finally {
    await client.stop();
    await server.stop();
  }
}

export interface TunnelResult {
  pair: TunnelPair;
  mbps: number;
  runs: number[];
}

export async function tunnelThroughput(bytes: number, rounds: number, progress: (m: string) => void): Promise<TunnelResult[] | { skipped: string }> {
  if (!hasKcptun2026) return { skipped: 'interop/bin/kcptun2026 is missing (node scripts/setup.mjs builds it)' };
  const data = randomBytes(bytes);
  const sink = await startSink(bytes);
  const runs = new Map<TunnelPair, number[]>(TUNNEL_PAIRS.map((p) => [p, []]));
  try {
    for (let i = 0; i < rounds; i++) {
      for (const pair of TUNNEL_PAIRS) {
        const mbps = await oneRun(pair, data, sink);
        progress(`tunnel: ${pair}, round ${i + 1}: ${mbps.toFixed(1)} MB/s`);
        runs.get(pair)!.push(mbps);
      }
    }
  } finally {
    sink.server.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return TUNNEL_PAIRS.map((pair) => ({ pair, mbps: median(runs.get(pair)!), runs: runs.get(pair)! }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await tunnelThroughput(Number(process.env.BENCH_TUNNEL_MB ?? 32) << 20, Number(process.env.BENCH_TUNNEL_ROUNDS ?? 3), (m) => process.stderr.write(`[tunnel] ${m}\n`));
  console.log(JSON.stringify(r, null, 2));
}
