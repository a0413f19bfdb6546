/** The server side of bench/sessions.ts: holds sessions, counts messages, reports its CPU and memory each second. */
import { listenUdp } from '../src/index.node.js';
import { SESSION_OPTIONS } from './sessions-options.js';

const listener = await listenUdp('127.0.0.1:0', { ...SESSION_OPTIONS, maxSessions: 100_000, udp: { bufferSize: 4 << 20 } });
let msgs = 0;
listener.onsession = (s) => {
  s.onmessage = () => void msgs++;
};
console.log(`listening ${listener.address}`);
let cpu = process.cpuUsage();
let t = performance.now();
setInterval(() => {
  const c = process.cpuUsage(cpu);
  const now = performance.now();
  const pct = ((c.user + c.system) / 1000 / (now - t)) * 100;
  console.log(JSON.stringify({ sessions: listener.sessions.size, msgs, cpu: pct, rssMB: process.memoryUsage().rss / 2 ** 20 }));
  msgs = 0;
  cpu = process.cpuUsage();
  t = now;
}, 1000);
// A normal exit on SIGINT, so a --cpu-prof profile gets written.
process.on('SIGINT', () => process.exit(0));
