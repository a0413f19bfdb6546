/**
 * The program of kcp-web/worker's dedicated Worker: it opens the transport
 * (WebTransport and WebSocket exist in workers; a WebRTC data channel does
 * not, so its datagrams come from the page), runs the session, and trades
 * messages, writes and counters with the page's WorkerSession. Its timers
 * are a worker's, which Chromium does not throttle in a hidden page.
 */
import { connect, dial, type Session } from '../index.js';
import { BaseTransport } from '../transports/_base.js';
import { READ_AHEAD, FIGURES_MS, fromBytes, toBytes, type Bytes, type FromWorker, type SessionFigures, type ToWorker } from './protocol.js';

/** What this file needs of a DedicatedWorkerGlobalScope. */
interface WorkerScope {
  onmessage: ((ev: { data: ToWorker }) => void) | null;
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
}
const scope = globalThis as unknown as WorkerScope;

function post(message: FromWorker, data?: Bytes): void {
  scope.postMessage(message, data ? [data.buffer] : []);
}

/** Datagrams the page's data channel carries: out as messages to the page, in from it. */
class BridgeTransport extends BaseTransport {
  constructor(readonly mtu: number) {
    super();
  }
  send(datagram: Uint8Array): void {
    if (this.closed) return;
    const data = toBytes(datagram);
    post({ t: 'datagram', data }, data);
  }
  input(datagram: Uint8Array): void {
    this.deliver(datagram, 'peer');
  }
  protected release(): void {}
}

let session: Session | null = null;
let bridge: BridgeTransport | null = null;
/** Bytes delivered to the page and not yet handed back as credit. */
let unread = 0;
let creditArrived: (() => void) | null = null;
let writing: Promise<void> = Promise.resolve();

function figures(s: Session): SessionFigures {
  return { snmp: s.stats.copy(), srtt: s.srtt, rto: s.rto, waitSnd: s.waitSnd, stalls: s.stalls };
}

async function open(m: Extract<ToWorker, { t: 'open' }>): Promise<void> {
  try {
    let transport;
    if (m.kind === 'bridge') {
      transport = bridge = new BridgeTransport(m.mtu ?? 1200);
    } else {
      transport = (await connect(m.relay, { transports: [m.kind], ...(m.token ? { token: m.token } : {}), ...(m.timeout ? { timeout: m.timeout } : {}) })).transport;
    }
    session = dial(transport, m.options);
  } catch (e) {
    post({ t: 'open-failed', error: (e as Error).message });
    return;
  }
  const s = session;
  post({ t: 'opened', mss: s.mss, conv: s.conv });
  const timer = setInterval(() => post({ t: 'figures', ...figures(s) }), FIGURES_MS);
  void s.closed.then((error) => {
    clearInterval(timer);
    post({ t: 'closed', error: error ? error.message : null, ...figures(s) });
  });
  for (;;) {
    while (unread >= READ_AHEAD) await new Promise<void>((r) => (creditArrived = r));
    const message = await s.read().catch(() => null);
    if (!message) return;
    unread += message.length;
    const data = toBytes(message);
    post({ t: 'message', data }, data);
  }
}

scope.onmessage = ({ data: m }) => {
  switch (m.t) {
    case 'open':
      void open(m);
      return;
    case 'datagram':
      bridge?.input(fromBytes(m.data));
      return;
    case 'send':
      // The page checked the size against the mss it was told; a session closed meanwhile drops it, as send() would.
      try {
        session?.send(fromBytes(m.data));
      } catch {
        /* an empty or oversized message the page let through: dropped */
      }
      return;
    case 'write': {
      const s = session;
      const bytes = fromBytes(m.data);
      writing = writing.then(async () => {
        if (!s) return;
        await s.write(bytes).catch(() => {});
        post({ t: 'written', bytes: bytes.length });
      });
      return;
    }
    case 'credit':
      unread -= m.bytes;
      creditArrived?.();
      creditArrived = null;
      return;
    case 'close':
      session?.close();
      return;
  }
};
