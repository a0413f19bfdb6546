/**
 * The process measured by bench/relay-ingress.ts, alone in its own process
 * so that its CPU (every thread: libdatachannel's native ones too, and its
 * child processes: the Go WebTransport helper) and memory are its own:
 *   relay STACK UPSTREAM [go] — the kcp-web relay (WebRTC answered by STACK, and
 *                               WebSocket; with `go`, WebTransport too, by the Go helper);
 *   floor UPSTREAM            — the floor: a plain Node UDP forwarder, one socket
 *                               towards the upstream per client address, as the relay keeps.
 * Prints "listening URL-or-ADDRESS", then answers each "read" line on stdin
 * with one JSON line of cumulative counters (Counters): the caller reads them
 * when it chooses, at quiet moments, instead of trusting a timer in a process
 * whose event loop the load may stall.
 */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { startRelay, type WebRtcStackChoice } from '../src/relay/index.js';
import { childPids, procStat } from './proc.js';

const [role, a, b, wt] = process.argv.slice(2);
export interface Counters {
  /** performance.now() of this process when read. */
  ms: number;
  /** CPU (user + system, every thread) since the process started, its child processes' included. */
  cpuUs: number;
  /** The child processes' part of cpuUs (the Go WebTransport helper's). */
  childCpuUs: number;
  /** Datagrams sent on towards the upstream, and back towards clients. */
  up: number;
  down: number;
  /** Datagrams the server received and did not forward (budgets, failed sends). */
  dropped: number;
  /** This process's RSS and its children's. */
  rssMB: number;
  sessions: number;
}

let count: () => Pick<Counters, 'up' | 'down' | 'dropped' | 'sessions'>;

if (role === 'relay') {
  const relay = await startRelay({
    upstream: b!,
    listen: '127.0.0.1:0',
    webrtc: a as WebRtcStackChoice,
    websocket: true,
    webtransport: wt === 'go',
    webtransportServer: 'go',
    maxSessions: 100_000,
    maxSessionsPerAddress: 100_000,
    idleTimeout: 600_000,
  });
  console.error(`relay: WebRTC ${relay.webrtc}; WebTransport ${relay.webtransport}`);
  if (wt === 'go' && !relay.webtransport.startsWith('quic-go')) throw new Error(`no WebTransport ingress: ${relay.webtransport}`);
  console.log(`listening ${relay.url}`);
  const st = relay.stats;
  count = () => ({ up: st.datagramsUp, down: st.datagramsDown, dropped: st.dropped + st.rateLimited, sessions: st.sessionsActive });
} else if (role === 'floor') {
  const [host, port] = [a!.slice(0, a!.lastIndexOf(':')), Number(a!.slice(a!.lastIndexOf(':') + 1))];
  const listener = dgram.createSocket('udp4');
  const upstreams = new Map<string, dgram.Socket>();
  let up = 0;
  let down = 0;
  let dropped = 0;
  listener.on('message', (d, from) => {
    const key = `${from.address}:${from.port}`;
    let socket = upstreams.get(key);
    if (!socket) {
      const s = dgram.createSocket('udp4');
      s.on('message', (r) => {
        down++;
        listener.send(r, from.port, from.address);
      });
      s.connect(port, host);
      upstreams.set(key, (socket = s));
    }
    try {
      socket.send(d);
      up++;
    } catch {
      dropped++; // still connecting: dropped, as the relay does
    }
  });
  await new Promise<void>((r) => listener.bind(0, '127.0.0.1', r));
  console.log(`listening 127.0.0.1:${listener.address().port}`);
  count = () => ({ up, down, dropped, sessions: upstreams.size });
} else {
  throw new Error('usage: relay-ingress-server.ts relay STACK UPSTREAM [go] | floor UPSTREAM');
}

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const PAGE_MB = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' })) / 2 ** 20;

/** CPU (user + system) and RSS of this process's children, from /proc: a child's threads are not in process.cpuUsage(). */
function children(): { cpuUs: number; rssMB: number } {
  let cpuUs = 0;
  let rssMB = 0;
  for (const pid of childPids('self')) {
    const st = procStat(pid);
    if (!st) continue; // exited meanwhile
    cpuUs += st.ticks * TICK_US;
    rssMB += st.rssPages * PAGE_MB;
  }
  return { cpuUs, rssMB };
}

createInterface({ input: process.stdin }).on('line', (l) => {
  if (l !== 'read') return;
  const c = process.cpuUsage();
  const child = children();
  const now: Counters = { ms: performance.now(), cpuUs: c.user + c.system + child.cpuUs, childCpuUs: child.cpuUs, ...count(), rssMB: process.memoryUsage().rss / 2 ** 20 + child.rssMB };
  console.log(JSON.stringify(now));
}).on('close', () => process.exit(0)); // the bench is gone: so is the relay (and its helper, whose stdin it holds)
process.on('SIGTERM', () => process.exit(0));
