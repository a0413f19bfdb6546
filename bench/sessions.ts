/**
 * How many concurrent sessions one Node process holds at 20 messages/s each:
 * the server runs in its own process (bench/sessions-server.ts) and reports
 * its CPU and memory each second; the load comes from child processes
 * (bench/sessions-client.ts, up to PER_CLIENT sessions each), every session
 * on its own UDP socket (the server tells sessions apart by address, as
 * kcp-go does), sending 32-byte messages at 20/s. The generator shares the
 * machine with the server, so its CPU is reported too. Bounded: each level
 * runs `seconds` once every session is open, then every process is killed.
 *
 * Standalone: node --import tsx bench/sessions.ts 1000,5000,10000 [seconds]
 * (SESSIONS_SERVER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/x" profiles the server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startServer, ROOT } from '../test/helpers/kcppeer.js';

export interface SessionsResult {
  sessions: number;
  msgsPerSec: number;
  serverCpuPct: number;
  serverRssMB: number;
  /** All load-generator processes together, % of one core. */
  generatorCpuPct: number;
}

/** Sessions per load-generator process (one Node process saturates a core at a few thousand). */
export const PER_CLIENT = 2500;

interface ServerReport {
  sessions: number;
  msgs: number;
  cpu: number;
  rssMB: number;
}

function startClient(server: string, count: number, maxSeconds: number): { child: ChildProcess; open: Promise<void>; cpu: number[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}bench/sessions-client.ts`, server, String(count), String(maxSeconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const cpu: number[] = [];
  const open = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code} before its sessions were open`)));
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l === 'open') resolve();
      else if (l.startsWith('{')) cpu.push((JSON.parse(l) as { cpu: number }).cpu);
    });
  });
  return { child, open, cpu };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export async function sessionsLevel(
  n: number,
  seconds: number,
  progress: (m: string) => void,
  serverArgs: string[] = (process.env.SESSIONS_SERVER_ARGS ?? '').split(' ').filter(Boolean),
): Promise<SessionsResult> {
  const server = await startServer(process.execPath, [...serverArgs, '--import', 'tsx', `${ROOT}bench/sessions-server.ts`], /^listening (\S+)/);
  const reports: ServerReport[] = [];
  createInterface({ input: server.child.stdout! }).on('line', (l) => {
    if (l.startsWith('{')) reports.push(JSON.parse(l));
  });
  const clients: Array<ReturnType<typeof startClient>> = [];
  try {
    // Generous upper bound on a child's life: opening, warm-up, measuring.
    const maxSeconds = 120 + seconds;
    for (let left = n; left > 0; left -= PER_CLIENT) clients.push(startClient(server.address, Math.min(PER_CLIENT, left), maxSeconds));
    await Promise.all(clients.map((c) => c.open));
    progress(`sessions: ${n} open in ${clients.length} load-generator processes`);
    // Warm-up: the last sessions start sending, and the server's per-second report lines up.
    await sleep(3000);
    const from = reports.length;
    const cpuFrom = clients.map((c) => c.cpu.length);
    await sleep(seconds * 1000);
    const steady = reports.slice(from);
    const generatorCpuPct = clients.reduce((a, c, i) => a + mean(c.cpu.slice(cpuFrom[i])), 0);
    return {
      sessions: Math.max(0, ...steady.map((r) => r.sessions)),
      msgsPerSec: mean(steady.map((r) => r.msgs)),
      serverCpuPct: mean(steady.map((r) => r.cpu)),
      serverRssMB: mean(steady.map((r) => r.rssMB)),
      generatorCpuPct,
    };
  } finally {
    for (const c of clients) c.child.kill('SIGKILL');
    // SIGINT lets a profiling server write its profile; it exits on its own then.
    if (serverArgs.length) {
      server.child.kill('SIGINT');
      await new Promise((r) => server.child.once('exit', r));
    } else server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const levels = (process.argv[2] ?? '1000').split(',').map(Number);
  const seconds = Number(process.argv[3] ?? 10);
  console.log('| sessions | messages/s received | server CPU (% of one core) | server CPU µs per message | server RSS | load generator CPU |');
  console.log('|---|---|---|---|---|---|');
  for (const n of levels) {
    const r = await sessionsLevel(n, seconds, (m) => console.error(m));
    console.log(`| ${r.sessions} | ${r.msgsPerSec.toFixed(0)} of ${n * 20} | ${r.serverCpuPct.toFixed(0)}% | ${((r.serverCpuPct * 1e4) / r.msgsPerSec).toFixed(1)} | ${r.serverRssMB.toFixed(0)} MB | ${r.generatorCpuPct.toFixed(0)}% |`);
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
    return { sessions: n, msgsPerSec: avg((r) => r.msgs), serverCpuPct: avg((r) => r.cpu), serverRssMB: avg((r) => r.rssMB), generatorCpuPct: NaN };
  } finally {
    for (const s of sockets) s.close();
    server.stop();
  }
}
