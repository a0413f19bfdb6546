/**
 * bench/worker-main-thread.ts's page: one session through the relay to a
 * kcp-go echo, either on the page (kcp-web) or in a Worker
 * (kcp-web/worker), then game-sized messages echoed with a fixed number in
 * flight. The bench reads the page's main-thread time around `exchange`.
 */
import { connect, dial } from '../../src/index.js';
import { connectInWorker } from '../../src/worker.js';

interface Echoing {
  send(m: Uint8Array): boolean;
  onmessage: ((m: Uint8Array) => void) | null;
  close(): void;
}

const OPTIONS = { crypt: 'aes', key: 'bench', mode: 'fast', dataShards: 10, parityShards: 3, mtu: 1200, sndwnd: 256, rcvwnd: 256 } as const;
let session: Echoing | null = null;

async function open(mode: 'page' | 'worker', relay: string): Promise<string> {
  if (mode === 'worker') {
    const s = await connectInWorker(relay, { ...OPTIONS, transports: ['webtransport'] });
    session = s;
    return s.kind;
  }
  const { transport, kind } = await connect(relay, { transports: ['webtransport'] });
  session = dial(transport, OPTIONS);
  return kind;
}

/** Echoes `count` messages of `size` bytes, `inFlight` at a time; resolves when every echo is back. */
function exchange(count: number, size: number, inFlight: number): Promise<number> {
  const s = session!;
  const message = new Uint8Array(size).fill(7);
  let sent = 0;
  let back = 0;
  return new Promise((resolve) => {
    s.onmessage = () => {
      back++;
      if (sent < count) {
        s.send(message);
        sent++;
      }
      if (back === count) resolve(back);
    };
    for (; sent < Math.min(inFlight, count); sent++) s.send(message);
  });
}

function close(): void {
  session?.close();
  session = null;
}

Object.assign(window, { workerBench: { open, exchange, close } });
