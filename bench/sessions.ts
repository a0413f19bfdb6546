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
  const server = await startServer(process.execPath, ['--import', 'tsx', `${ROOT}bench/sessions-server.ts`], /^listening (\S+)/);
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
    server.stop();
  }
}
