/**
 * How many concurrent sessions one process holds at 20 messages/s each, for
 * kcp-web's Node server (bench/sessions-server.ts) and, as the anchor, kcp-go's
 * (interop/kcppeer sessions-server): the server runs in its own process and
 * reports its CPU and memory each second. The load is the same for both:
 * kcp-go clients (kcppeer sessions-load, one Go process, lighter than Node
 * clients), every session on its own UDP socket (servers tell sessions apart
 * by address), sending 32-byte messages at 20/s. The generator shares the
 * machine with the server, so its CPU is reported too. Bounded: each level
 * runs `seconds` once every session is open, then every process is killed.
 *
 * Standalone: node --import tsx bench/sessions.ts 1000,5000 [seconds]
 * (SESSIONS_SERVER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/x" profiles kcp-web's server).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startServer, ROOT, KCPPEER } from '../test/helpers/kcppeer.js';
import { SESSION_FLAGS } from './sessions-options.js';

export type SessionsServer = 'kcp-web' | 'kcp-go';

export interface SessionsResult {
  /** node:dgram: the floor, no KCP. */
  server: SessionsServer | 'node:dgram';
  sessions: number;
  msgsPerSec: number;
  serverCpuPct: number;
  serverRssMB: number;
  /** The load generator, % of one core. */
  generatorCpuPct: number;
}

interface ServerReport {
  sessions: number;
  msgs: number;
  cpu: number;
  rssMB: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function startSessionsServer(kind: SessionsServer, nodeArgs: string[]) {
  return kind === 'kcp-go'
    ? startServer(KCPPEER, ['sessions-server', '--listen', '127.0.0.1:0', ...SESSION_FLAGS], /^listening (\S+)/)
    : startServer(process.execPath, [...nodeArgs, '--import', 'tsx', `${ROOT}bench/sessions-server.ts`], /^listening (\S+)/);
}

export async function sessionsLevel(
  kind: SessionsServer,
  n: number,
  seconds: number,
  progress: (m: string) => void,
  serverArgs: string[] = (process.env.SESSIONS_SERVER_ARGS ?? '').split(' ').filter(Boolean),
): Promise<SessionsResult> {
  const nodeArgs = kind === 'kcp-web' ? serverArgs : [];
  const server = await startSessionsServer(kind, nodeArgs);
  const reports: ServerReport[] = [];
  createInterface({ input: server.child.stdout! }).on('line', (l) => {
    if (l.startsWith('{')) reports.push(JSON.parse(l));
  });
  // Generous upper bound on the generator's life: opening, warm-up, measuring.
  const load = spawn(KCPPEER, ['sessions-load', '--remote', server.address, '--count', String(n), '--seconds', String(120 + seconds), ...SESSION_FLAGS], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const loadCpu: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      load.once('exit', (code) => reject(new Error(`load generator exited with ${code} before its sessions were open`)));
      createInterface({ input: load.stdout! }).on('line', (l) => {
        if (l === 'open') resolve();
        else if (l.startsWith('{')) loadCpu.push((JSON.parse(l) as { cpu: number }).cpu);
      });
    });
    progress(`sessions: ${n} open to ${kind}'s server`);
    // Warm-up: the last sessions start sending, and the server's per-second report lines up.
    await sleep(3000);
    const from = reports.length;
    const cpuFrom = loadCpu.length;
    await sleep(seconds * 1000);
    const steady = reports.slice(from);
    return {
      server: kind,
      sessions: Math.max(0, ...steady.map((r) => r.sessions)),
      msgsPerSec: mean(steady.map((r) => r.msgs)),
      serverCpuPct: mean(steady.map((r) => r.cpu)),
      serverRssMB: mean(steady.map((r) => r.rssMB)),
      generatorCpuPct: mean(loadCpu.slice(cpuFrom)),
    };
  } finally {
    load.kill('SIGKILL');
    // SIGINT lets a profiling server write its profile; it exits on its own then.
    if (nodeArgs.length) {
      server.child.kill('SIGINT');
      await new Promise((r) => server.child.once('exit', r));
    } else server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const levels = (process.argv[2] ?? '1000').split(',').map(Number);
  const seconds = Number(process.argv[3] ?? 10);
  console.log('| server | sessions | messages/s received | server CPU (% of one core) | server CPU µs per message | server RSS | load generator CPU |');
  console.log('|---|---|---|---|---|---|---|');
  for (const n of levels) {
    for (const kind of ['kcp-web', 'kcp-go'] as const) {
      const r = await sessionsLevel(kind, n, seconds, (m) => console.error(m));
      console.log(`| ${kind} | ${r.sessions} | ${r.msgsPerSec.toFixed(0)} of ${n * 20} | ${r.serverCpuPct.toFixed(0)}% | ${((r.serverCpuPct * 1e4) / r.msgsPerSec).toFixed(1)} | ${r.serverRssMB.toFixed(0)} MB | ${r.generatorCpuPct.toFixed(0)}% |`);
    }
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
    return { server: 'node:dgram', sessions: n, msgsPerSec: avg((r) => r.msgs), serverCpuPct: avg((r) => r.cpu), serverRssMB: avg((r) => r.rssMB), generatorCpuPct: NaN };
  } finally {
    for (const s of sockets) s.close();
    server.stop();
  }
}
