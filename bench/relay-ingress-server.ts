/**
 * The process measured by bench/relay-ingress.ts, alone in its own process
 * so that its CPU (every thread: libdatachannel's native ones too) and memory
 * are its own:
 *   relay STACK UPSTREAM — the kcp-web relay (WebRTC answered by STACK, and WebSocket);
 *   floor UPSTREAM       — the floor: a plain Node UDP forwarder, one socket
 *                          towards the upstream per client address, as the relay keeps.
 * Prints "listening URL-or-ADDRESS", then every second one JSON line:
 * { cpuUs, forwarded, rssMB, sessions } (CPU and datagrams since the last line).
 */
import dgram from 'node:dgram';
import { startRelay, type WebRtcStackChoice } from '../src/relay/index.js';

const [role, a, b] = process.argv.slice(2);
let count: () => { forwarded: number; sessions: number };

if (role === 'relay') {
  const relay = await startRelay({
    upstream: b!,
    listen: '127.0.0.1:0',
    webrtc: a as WebRtcStackChoice,
    websocket: true,
    webtransport: false,
    maxSessions: 100_000,
    maxSessionsPerAddress: 100_000,
    idleTimeout: 600_000,
  });
  console.error(`relay: WebRTC ${relay.webrtc}`);
  console.log(`listening ${relay.url}`);
  count = () => ({ forwarded: relay.stats.datagramsUp + relay.stats.datagramsDown, sessions: relay.stats.sessionsActive });
} else if (role === 'floor') {
  const [host, port] = [a!.slice(0, a!.lastIndexOf(':')), Number(a!.slice(a!.lastIndexOf(':') + 1))];
  const listener = dgram.createSocket('udp4');
  const upstreams = new Map<string, dgram.Socket>();
  let forwarded = 0;
  listener.on('message', (d, from) => {
    const key = `${from.address}:${from.port}`;
    let up = upstreams.get(key);
    if (!up) {
      const s = dgram.createSocket('udp4');
      s.on('message', (r) => {
        forwarded++;
        listener.send(r, from.port, from.address);
      });
      s.connect(port, host);
      upstreams.set(key, (up = s));
    }
    forwarded++;
    try {
      up.send(d);
    } catch {
      // still connecting: dropped, as the relay does
    }
  });
  await new Promise<void>((r) => listener.bind(0, '127.0.0.1', r));
  console.log(`listening 127.0.0.1:${listener.address().port}`);
  count = () => ({ forwarded, sessions: upstreams.size });
} else {
  throw new Error('usage: relay-ingress-server.ts relay STACK UPSTREAM | floor UPSTREAM');
}

let cpu = process.cpuUsage();
let last = count().forwarded;
setInterval(() => {
  const c = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const now = count();
  console.log(JSON.stringify({ cpuUs: c.user + c.system, forwarded: now.forwarded - last, rssMB: process.memoryUsage().rss / 2 ** 20, sessions: now.sessions }));
  last = now.forwarded;
}, 1000);
process.on('SIGTERM', () => process.exit(0));
