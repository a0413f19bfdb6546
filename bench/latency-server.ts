/** Echo servers for bench/latency.ts, run inside its network namespace: kcp-web (FEC off and 10/3) and a WebSocket over TCP. */
import { WebSocketServer } from 'ws';
import { listenUdp } from '../src/index.node.js';
import { LATENCY_KCP } from './latency-options.js';

const plain = await listenUdp('127.0.0.1:0', LATENCY_KCP);
const fec = await listenUdp('127.0.0.1:0', { ...LATENCY_KCP, dataShards: 10, parityShards: 3 });
for (const l of [plain, fec]) {
  l.onsession = (s) => {
    s.onmessage = (m) => void s.send(m);
  };
}
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (ws) => {
  ws.on('message', (m) => ws.send(m as Buffer));
});
await new Promise((r) => wss.once('listening', r));
const port = (wss.address() as { port: number }).port;
console.log(JSON.stringify({ kcp: plain.address, kcpFec: fec.address, ws: `ws://127.0.0.1:${port}/` }));
