/**
 * The load and the upstream for bench/relay-ingress.ts, in processes other
 * than the one measured:
 *   echo                    — the upstream: a UDP echo; prints "listening ADDRESS";
 *   load KIND TARGET N RATE — N sessions of KIND (webrtc: node-datachannel peer
 *     connections with the relay's channel, websocket, or udp straight to
 *     TARGET); prints "open MS" once all are open. On "start" each sends
 *     RATE 100-byte datagrams/s until "stop".
 * Both answer "read" on stdin with one JSON line of cumulative counters
 * (EchoCounters, LoadCounters), so the caller can read every process at the
 * same quiet moment and the counts of one hop can be checked against the next.
 */
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { loadNodeDataChannel, type NdcDataChannel } from '../src/adapter/node/datachannel.js';

const [role, kind, target, nArg, rateArg] = process.argv.slice(2);
const PAYLOAD = Buffer.alloc(100, 7);
const cpuOf = (c: NodeJS.CpuUsage) => c.user + c.system;

export interface EchoCounters {
  received: number;
}

export interface LoadCounters {
  /** Datagrams handed to a session's send. */
  sent: number;
  /** Sends that threw: the session's channel or connection had gone. */
  failed: number;
  received: number;
  /** Bytes sent but still queued inside this process (WebSocket and data channel buffers). */
  queued: number;
  /** Time spent sending (between "start" and "stop"), and the CPU this process used meanwhile. */
  sendingMs: number;
  cpuUs: number;
}

/** Answers each "read" on stdin with `read()`, and passes other commands to `on`; exits when stdin closes (the bench is gone). */
function commands(read: () => object, on: (command: string) => void = () => {}): void {
  createInterface({ input: process.stdin })
    .on('line', (l) => (l === 'read' ? console.log(JSON.stringify(read())) : on(l)))
    .on('close', () => process.exit(0));
}

if (role === 'echo') {
  const s = dgram.createSocket('udp4');
  let received = 0;
  s.on('message', (d, from) => {
    received++;
    s.send(d, from.port, from.address);
  });
  s.bind(0, '127.0.0.1', () => {
    // A stand-in for a game server: a burst should queue here, not be lost before it is counted.
    s.setRecvBufferSize(4 << 20);
    console.log(`listening 127.0.0.1:${s.address().port}`);
  });
  commands((): EchoCounters => ({ received }));
} else if (role === 'load') {
  const n = Number(nArg);
  const rate = Number(rateArg);
  let received = 0;
  let sent = 0;
  let failed = 0;
  const senders: Array<() => void> = [];
  /** Each session's bytes queued in this process, not yet handed to the kernel. */
  const queues: Array<() => number> = [];
  const t0 = performance.now();

  const openUdp = async () => {
    const i = target!.lastIndexOf(':');
    const [host, port] = [target!.slice(0, i), Number(target!.slice(i + 1))];
    const s = dgram.createSocket('udp4');
    s.on('message', () => received++);
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => s.connect(port, host, () => r())));
    senders.push(() => s.send(PAYLOAD));
  };
  const openWs = async () => {
    const ws = new WebSocket(`${target!.replace(/^http/, 'ws')}kcp-web/ws`);
    ws.binaryType = 'nodebuffer';
    ws.on('message', () => received++);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    senders.push(() => ws.send(PAYLOAD));
    queues.push(() => ws.bufferedAmount);
  };
  const ndc = kind === 'webrtc' ? await loadNodeDataChannel() : null;
  let made = 0;
  /** node-datachannel closes a peer connection whose JavaScript object is collected: keep every one reachable. */
  const peers: unknown[] = [];
  const openRtc = async () => {
    if (!ndc || 'reason' in ndc) throw new Error(`no WebRTC client: ${ndc?.reason}`);
    const pc = new ndc.PeerConnection(`load-${++made}`, { iceServers: [] });
    peers.push(pc);
    // The channel the relay expects (src/transports/webrtc.ts DATA_CHANNEL_INIT); creating it makes the offer.
    const dc: NdcDataChannel = pc.createDataChannel('kcp', { negotiated: true, id: 0, unordered: true, maxRetransmits: 0 });
    const opened = new Promise<void>((r) => dc.onOpen(r));
    dc.onMessage(() => received++);
    for (let i = 0; pc.gatheringState() !== 'complete'; i++) {
      if (i > 500) throw new Error('ICE gathering timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
    const res = await fetch(`${target}kcp-web/rtc`, { method: 'POST', body: pc.localDescription()!.sdp, headers: { 'content-type': 'application/sdp' } });
    if (!res.ok) throw new Error(`relay refused the offer: ${res.status} ${await res.text()}`);
    pc.setRemoteDescription(await res.text(), 'answer');
    await opened;
    senders.push(() => dc.sendMessageBinary(PAYLOAD));
    queues.push(() => dc.bufferedAmount());
  };
  const open = kind === 'udp' ? openUdp : kind === 'websocket' ? openWs : openRtc;
  // A few at a time: DTLS handshakes are CPU-heavy on both sides.
  const CONCURRENT = 20;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      while (next < n) {
        next++;
        await open();
      }
    }),
  );
  console.log(`open ${Math.round(performance.now() - t0)}`);
  // Spread over the period: every 5 ms a slice of the sessions sends one datagram each.
  const ticks = Math.max(1, Math.round(1000 / rate / 5));
  let tick = 0;
  let sender: ReturnType<typeof setInterval> | undefined;
  let sendingMs = 0;
  let since = 0;
  let cpuUs = 0;
  let cpuSince = process.cpuUsage();
  commands(
    (): LoadCounters => ({ sent, failed, received, queued: queues.reduce((a, q) => a + q(), 0), sendingMs: sendingMs + (sender ? performance.now() - since : 0), cpuUs: cpuUs + (sender ? cpuOf(process.cpuUsage(cpuSince)) : 0) }),
    (command) => {
      if (command === 'start' && !sender) {
        since = performance.now();
        cpuSince = process.cpuUsage();
        sender = setInterval(() => {
          for (let i = tick % ticks; i < senders.length; i += ticks) {
            try {
              senders[i]!();
              sent++;
            } catch {
              failed++;
            }
          }
          tick++;
        }, 5);
      } else if (command === 'stop' && sender) {
        clearInterval(sender);
        sender = undefined;
        sendingMs += performance.now() - since;
        cpuUs += cpuOf(process.cpuUsage(cpuSince));
      }
      console.log(command); // the command's acknowledgement
    },
  );
} else {
  throw new Error('usage: relay-ingress-load.ts echo | load KIND TARGET N RATE');
}
process.on('SIGTERM', () => process.exit(0));
