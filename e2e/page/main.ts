/**
 * The e2e page: imports kcp-web as a user would (the browser entry), dials
 * a kcp-go echo server through the relay over a WebRTC data channel, echoes
 * random bytes and reports whether the sha256 of what came back matches.
 * Driven by e2e/echo.spec.ts (Chromium) and test/firefox.test.ts through window.runEcho.
 */
import { connect, dial, type CryptName, type TransportKind } from '../../src/lite.js';
import { connectWebRTC } from '../../src/transports/webrtc.js';
import { aes, aes128gcm, none, salsa20 } from '../../src/core/crypt/ciphers.js';

// The lite entry with the four ciphers this page uses: the bundle carries no others.
const CIPHERS = { aes, salsa20, none, 'aes-128-gcm': aes128gcm } as const;

interface EchoCase {
  relay: string;
  transport: TransportKind;
  crypt: CryptName;
  key: string;
  fec: boolean;
  bytes: number;
  /** The relay's token or signed ticket, if it wants one. */
  token?: string;
}

async function sha256(b: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', b.slice()));
  return Array.from(h, (x) => x.toString(16).padStart(2, '0')).join('');
}

let progress: () => object = () => ({ running: false });

async function runEcho(c: EchoCase): Promise<{ ok: boolean; kind?: string; received: number; ms: number; error?: string }> {
  const start = performance.now();
  let connected;
  try {
    connected = await connect(c.relay, { transports: [c.transport], ...(c.token ? { token: c.token } : {}) });
  } catch (e) {
    return { ok: false, received: 0, ms: 0, error: String(e) };
  }
  const { transport, kind } = connected;
  const session = dial(transport, {
    ...(c.crypt === 'null' ? { crypt: 'null' as const } : { crypt: CIPHERS[c.crypt as keyof typeof CIPHERS], key: c.key }),
    ...(c.fec ? { dataShards: 10, parityShards: 3 } : {}),
    mode: 'fast',
    streamMode: true,
    mtu: 1200,
    sndwnd: 256,
    rcvwnd: 256,
  });
  const payload = new Uint8Array(c.bytes);
  for (let off = 0; off < payload.length; off += 65536) crypto.getRandomValues(payload.subarray(off, off + 65536));
  const got = new Uint8Array(c.bytes);
  let n = 0;
  // What a failed case dumps: whether datagrams still arrive and the session's timers still run.
  progress = () => ({ received: n, sent: session.stats.BytesSent, stalls: session.stalls, ms: performance.now() - start, snmp: session.stats.copy() });
  try {
    const writing = (async () => {
      for (let off = 0; off < payload.length; off += 4096) await session.write(payload.subarray(off, off + 4096));
    })();
    while (n < c.bytes) {
      const m = await session.read();
      if (!m) break;
      got.set(m.subarray(0, c.bytes - n), n);
      n += m.length;
    }
    await writing;
    return { ok: n === c.bytes && (await sha256(got)) === (await sha256(payload)), kind, received: n, ms: performance.now() - start };
  } catch (e) {
    return { ok: false, kind, received: n, ms: performance.now() - start, error: String(e) };
  } finally {
    session.close();
  }
}

async function tryConnect(url: string): Promise<string> {
  try {
    await connectWebRTC(url, { timeout: 3000 });
    return 'connected';
  } catch (e) {
    return (e as Error).message;
  }
}

Object.assign(window, { runEcho, tryConnect, echoProgress: () => progress() });
