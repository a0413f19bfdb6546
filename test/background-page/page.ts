/**
 * A page whose session test/background.test.ts hides and freezes: it opens
 * one session through the relay to a kcp-go echo (with the timer source and
 * idle clock the test asks for), echoes on demand, reports the session's
 * state, and counts its own page and Worker timer ticks so the test can see
 * what the browser gives each.
 */
import { connect, defaultRuntime, dial, type Session } from '../../src/index.js';

interface OpenCase {
  relay: string;
  timers: 'worker' | 'setTimeout';
  idleClock: 'running' | 'wall';
  idleTimeout: number;
}

let session: Session | null = null;
const ticks = { page: 0, worker: 0 };

function countTicks(): void {
  const loop = (): void => {
    ticks.page++;
    setTimeout(loop, 10);
  };
  loop();
  const worker = new Worker(URL.createObjectURL(new Blob(['setInterval(() => postMessage(0), 10)'], { type: 'text/javascript' })));
  worker.onmessage = () => ticks.worker++;
}

async function open(c: OpenCase): Promise<string> {
  const { transport, kind } = await connect(c.relay, { transports: ['webrtc'] });
  session = dial(transport, {
    runtime: defaultRuntime({ timers: c.timers }),
    crypt: 'aes',
    key: 'background',
    mode: 'fast',
    streamMode: true,
    mtu: 1200,
    sndwnd: 256,
    rcvwnd: 256,
    idleTimeout: c.idleTimeout,
    idleClock: c.idleClock,
  });
  return kind;
}

/** Echoes `bytes` random bytes; resolves with what came back, or the error that closed the session. */
async function echo(bytes: number): Promise<{ ok: boolean; received: number; ms: number; error?: string }> {
  const s = session!;
  const start = performance.now();
  const sent = new Uint8Array(bytes);
  for (let off = 0; off < bytes; off += 65536) crypto.getRandomValues(sent.subarray(off, Math.min(bytes, off + 65536)));
  let received = 0;
  let same = true;
  try {
    const writing = (async () => {
      for (let off = 0; off < bytes; off += 4096) await s.write(sent.subarray(off, Math.min(bytes, off + 4096)));
    })();
    while (received < bytes) {
      const m = await s.read();
      if (!m) break;
      for (let i = 0; i < m.length; i++) same &&= m[i] === sent[received + i];
      received += m.length;
    }
    await writing;
    return { ok: same && received === bytes, received, ms: performance.now() - start };
  } catch (e) {
    return { ok: false, received, ms: performance.now() - start, error: String(e) };
  }
}

function state(): { open: boolean; stalls: number; error: string | null; visibility: string; ticks: typeof ticks } {
  return { open: session?.isOpen ?? false, stalls: session?.stalls ?? 0, error: session?.error?.message ?? null, visibility: document.visibilityState, ticks: { ...ticks } };
}

function close(): void {
  session?.close();
  session = null;
}

countTicks();
Object.assign(window, { kcpBackground: { open, echo, state, close } });
