/**
 * The server end of bench/latency.ts, inside the server's network
 * namespace: one listener per flow (kcp-web, a WebSocket server, a plain UDP
 * socket), each on its own port. Once a client opens a flow, the server
 * sends its own stream back at the flow's rate and records the one-way
 * delay of what arrives.
 *
 *   latency-server.ts HOST FULL   prints {"ports":[...]} once listening
 *   stdin "start SECONDS"         a new round: records cleared, streams last SECONDS
 *   stdin "report"                prints {"received":[...]} (one per flow) and closes every session
 */
import { createSocket, type Socket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenUdp } from '../src/index.node.js';
import type { Session } from '../src/core/session.js';
import { latencyFlows, MESSAGE_BYTES, paced, Recorder, stamp, monoMs, WARMUP_S } from './latency-options.js';

const [host = '127.0.0.1', full = '0'] = process.argv.slice(2);
const flows = latencyFlows(full === '1');
let seconds = 10;

interface Served {
  recorder: Recorder;
  /** Closes what this round opened. */
  closers: Array<() => void>;
}
const served: Served[] = flows.map((f) => ({ recorder: new Recorder(f.hz * WARMUP_S), closers: [] }));

/** Starts this flow's stream toward a client that just opened it. */
function stream(i: number, send: (m: Uint8Array) => void): () => void {
  const s = served[i]!;
  const p = paced(flows[i]!.hz, seconds, (seq) => {
    const m = new Uint8Array(MESSAGE_BYTES);
    stamp(m, seq, monoMs());
    send(m);
    s.recorder.sent++;
  });
  return () => p.stop();
}

const ports: number[] = [];
for (const [i, f] of flows.entries()) {
  const s = served[i]!;
  if (f.kind === 'kcp') {
    const l = await listenUdp(`${host}:0`, { ...f.options! });
    l.onsession = (session: Session) => {
      session.onmessage = (m) => s.recorder.add(m);
      const stop = stream(i, (m) => void session.send(m));
      s.closers.push(() => {
        stop();
        session.close();
      });
    };
    ports.push(Number(l.address.split(':').at(-1)));
  } else if (f.kind === 'ws') {
    const wss = new WebSocketServer({ host, port: 0, perMessageDeflate: false });
    wss.on('connection', (ws: WebSocket) => {
      ws.on('message', (m: Buffer) => s.recorder.add(new Uint8Array(m.buffer, m.byteOffset, m.byteLength)));
      const stop = stream(i, (m) => ws.send(m));
      s.closers.push(() => {
        stop();
        ws.terminate();
      });
    });
    await new Promise((r) => wss.once('listening', r));
    ports.push((wss.address() as { port: number }).port);
  } else {
    const sock: Socket = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, host, r));
    let peer: string | null = null;
    sock.on('message', (m, rinfo) => {
      s.recorder.add(new Uint8Array(m.buffer, m.byteOffset, m.byteLength));
      const from = `${rinfo.address}:${rinfo.port}`;
      if (peer === from) return;
      peer = from;
      const stop = stream(i, (out) => sock.send(out, rinfo.port, rinfo.address));
      s.closers.push(() => {
        stop();
        peer = null;
      });
    });
    ports.push(sock.address().port);
  }
}
console.log(JSON.stringify({ ports }));

createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'start') {
    seconds = Number(arg);
    for (const [i, f] of flows.entries()) served[i]!.recorder = new Recorder(f.hz * WARMUP_S);
  } else if (cmd === 'report') {
    const received = served.map((s) => s.recorder.result());
    for (const s of served) {
      for (const c of s.closers.splice(0)) c();
    }
    console.log(JSON.stringify({ received }));
  }
});
