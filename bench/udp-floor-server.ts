/**
 * The floor under bench/sessions.ts: Node's dgram alone, receiving each
 * message and answering it with one 24-byte datagram (as a KCP server sends
 * about one ACK datagram per message at 20 messages/s and a 40 ms interval).
 * Reports its CPU each second in the same format as sessions-server.ts.
 */
import dgram from 'node:dgram';

const socket = dgram.createSocket('udp4');
const ack = Buffer.alloc(24);
let msgs = 0;
socket.on('message', (_m, r) => {
  msgs++;
  socket.send(ack, r.port, r.address);
});
socket.bind(0, '127.0.0.1', () => console.log(`listening 127.0.0.1:${socket.address().port}`));
let cpu = process.cpuUsage();
let t = performance.now();
setInterval(() => {
  const c = process.cpuUsage(cpu);
  const now = performance.now();
  console.log(JSON.stringify({ sessions: 0, msgs, cpu: ((c.user + c.system) / 1000 / (now - t)) * 100, rssMB: process.memoryUsage().rss / 2 ** 20 }));
  msgs = 0;
  cpu = process.cpuUsage();
  t = now;
}, 1000);
