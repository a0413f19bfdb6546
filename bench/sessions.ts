/**
 * How many concurrent sessions one Node process holds at 20 messages/s each:
 * the server runs in its own process (bench/sessions-server.ts) and reports
 * its CPU and memory; this process opens N client sessions, each on its own
 * UDP socket (the server tells sessions apart by address, as kcp-go does),
 * and sends 32-byte messages at 20/s per session. Bounded: each level runs
 * `seconds` and everything is closed.
 */
import { dialUdp, type Session } from '../src/index.node.js';
import { startServer, ROOT } from '../test/helpers/kcppeer.js';
import { createInterface } from 'node:readline';
import { SESSION_OPTIONS } from './sessions-options.js';

export interface SessionsResult {
  sessions: number;
  msgsPerSec: number;
  serverCpuPct: number;
  serverRssMB: number;
}

export async function sessionsLevel(n: number, seconds: number, progress: (m: string) => void): Promise<SessionsResult> {
  // BENCH_PROFILE_DIR: write a V8 CPU profile of the server (node --cpu-prof) there.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const server = await startServer(process.execPath, [...profile, '--import', 'tsx', `${ROOT}bench/sessions-server.ts`], /^listening (\S+)/);
  const reports: Array<{ sessions: number; msgs: number; cpu: number; rssMB: number }> = [];
  createInterface({ input: server.child.stdout! }).on('line', (l) => {
    if (l.startsWith('{')) reports.push(JSON.parse(l));
  });
  const sessions: Session[] = [];
  try {
    for (let i = 0; i < n; i++) {
      sessions.push(await dialUdp(server.address, { ...SESSION_OPTIONS, udp: { bufferSize: 64 * 1024 } }));
      if (i % 1000 === 999) progress(`sessions: ${i + 1}/${n} open`);
    }
    const msg = new Uint8Array(32);
    // One loop for all senders: each session sends once per 50 ms, spread across the period.
    let k = 0;
    const slice = Math.ceil(n / 10);
    const timer = setInterval(() => {
      for (let j = 0; j < slice; j++) sessions[(k + j) % n]!.send(msg);
      k = (k + slice) % n;
    }, 5);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(timer);
    // The last few whole seconds, once every session is up and sending.
    const steady = reports.slice(-Math.max(1, seconds - 3), -1).filter((r) => r.sessions >= n);
    const avg = (f: (r: (typeof reports)[number]) => number) => (steady.length ? steady.reduce((a, r) => a + f(r), 0) / steady.length : NaN);
    return { sessions: Math.max(0, ...reports.map((r) => r.sessions)), msgsPerSec: avg((r) => r.msgs), serverCpuPct: avg((r) => r.cpu), serverRssMB: avg((r) => r.rssMB) };
  } finally {
    for (const s of sessions) s.close();
    if (profile.length) {
      // A clean exit writes the profile.
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
    }
    server.stop();
  }
}

/**
 * The same load without KCP: n plain UDP sockets sending 60-byte datagrams at
 * 20/s each to bench/udp-floor-server.ts, which answers each with one small
 * datagram. What Node's dgram costs per message, before any protocol work.
 */
export async function udpFloor(n: number, seconds: number): Promise<SessionsResult> {
  const { createSocket } = await import('node:dgram');
  const server = await startServer(process.execPath, ['--import', 'tsx', `${ROOT}bench/udp-floor-server.ts`], /^listening (\S+)/);
  const reports: Array<{ msgs: number; cpu: number; rssMB: number }> = [];
  createInterface({ input: server.child.stdout! }).on('line', (l) => {
    if (l.startsWith('{')) reports.push(JSON.parse(l));
  });
  const port = Number(server.address.split(':')[1]);
  const sockets = await Promise.all(
    Array.from({ length: n }, () => new Promise<import('node:dgram').Socket>((resolve) => {
      const s = createSocket('udp4');
      s.on('message', () => {});
      s.bind(0, '127.0.0.1', () => s.connect(port, '127.0.0.1', () => resolve(s)));
    })),
  );
  try {
    const msg = Buffer.alloc(60);
    let k = 0;
    const slice = Math.ceil(n / 10);
    const timer = setInterval(() => {
      for (let j = 0; j < slice; j++) sockets[(k + j) % n]!.send(msg);
      k = (k + slice) % n;
    }, 5);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(timer);
    const steady = reports.slice(-Math.max(1, seconds - 3), -1);
    const avg = (f: (r: (typeof reports)[number]) => number) => (steady.length ? steady.reduce((a, r) => a + f(r), 0) / steady.length : NaN);
    return { sessions: n, msgsPerSec: avg((r) => r.msgs), serverCpuPct: avg((r) => r.cpu), serverRssMB: avg((r) => r.rssMB) };
  } finally {
    for (const s of sockets) s.close();
    server.stop();
  }
}
