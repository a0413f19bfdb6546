/**
 * The client end of bench/latency.ts, inside the client's network
 * namespace: opens every flow to the server at once, sends each one's stream
 * for SECONDS at its rate while recording the one-way delay of the server's
 * stream, listens GRACE_S more for stragglers, then prints one JSON line.
 *
 *   latency-client.ts HOST PORTS_JSON SECONDS FULL
 */
import { createSocket } from 'node:dgram';
import WebSocket from 'ws';
import { dialUdp } from '../src/index.node.js';
import { latencyFlows, MESSAGE_BYTES, paced, Recorder, stamp, monoMs, WARMUP_S, GRACE_S } from './latency-options.js';

const [host = '127.0.0.1', portsJson = '[]', secondsArg = '10', full = '0'] = process.argv.slice(2);
const ports = JSON.parse(portsJson) as number[];
const seconds = Number(secondsArg);
const flows = latencyFlows(full === '1');

interface Open {
  send(m: Uint8Array): void;
  close(): void;
}

const recorders = flows.map((f) => new Recorder(f.hz * WARMUP_S));
const opened: Open[] = await Promise.all(
  flows.map(async (f, i): Promise<Open> => {
    const r = recorders[i]!;
    const port = ports[i]!;
    if (f.kind === 'kcp') {
      const s = await dialUdp(`${host}:${port}`, { ...f.options! });
      s.onmessage = (m) => r.add(m);
      return { send: (m) => void s.send(m), close: () => s.close() };
    }
    if (f.kind === 'ws') {
      const ws = new WebSocket(`ws://${host}:${port}/`, { perMessageDeflate: false });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      ws.on('message', (m: Buffer) => r.add(new Uint8Array(m.buffer, m.byteOffset, m.byteLength)));
      return { send: (m) => ws.send(m), close: () => ws.terminate() };
    }
    const sock = createSocket('udp4');
    sock.on('message', (m) => r.add(new Uint8Array(m.buffer, m.byteOffset, m.byteLength)));
    sock.on('error', () => {});
    await new Promise<void>((resolve) => sock.connect(port, host, resolve));
    return { send: (m) => sock.send(m), close: () => sock.close() };
  }),
);

// Let the dials' key derivations and first compilations finish before any message is timed.
await new Promise((r) => setTimeout(r, 500));
await Promise.all(
  opened.map(
    (o, i) =>
      paced(flows[i]!.hz, seconds, (seq) => {
        const m = new Uint8Array(MESSAGE_BYTES);
        stamp(m, seq, monoMs());
        o.send(m);
        recorders[i]!.sent++;
      }).done,
  ),
);
await new Promise((r) => setTimeout(r, GRACE_S * 1000));
for (const o of opened) o.close();
// Exit only once the line is out: stdout is a pipe, and exiting would cut a long line short.
process.stdout.write(`${JSON.stringify({ received: recorders.map((r) => r.result()) })}\n`, () => process.exit(0));
