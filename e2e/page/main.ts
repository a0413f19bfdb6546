/**
 * The e2e page: imports kcp-web as a user would (the browser entry), dials
 * a kcp-go echo server through the relay over a WebRTC data channel, echoes
 * random bytes and reports whether the sha256 of what came back matches.
 * Driven by e2e/echo.spec.ts (Chromium) and test/firefox.test.ts through window.runEcho.
 */
import { connect, dial } from '../../src/lite.js';
import { connectWebRTC } from '../../src/transports/webrtc.js';
import { aes, aes128gcm, none, salsa20 } from '../../src/core/crypt/ciphers.js';
import { echo, randomBytes, sessionOptions, type EchoCase, type Echoed } from './common.js';

// The lite entry with the four ciphers this page uses: the bundle carries no others.
const CIPHERS = { aes, salsa20, none, 'aes-128-gcm': aes128gcm } as const;

let progress: () => object = () => ({ running: false });

async function runEcho(c: EchoCase): Promise<Echoed & { kind?: string; ms: number }> {
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
    ...sessionOptions(c.fec),
  });
  let received = 0;
  // What a failed case dumps: whether datagrams still arrive and the session's timers still run.
  progress = () => ({ received, sent: session.stats.BytesSent, stalls: session.stalls, ms: performance.now() - start, snmp: session.stats.copy() });
  try {
    return { ...(await echo(session, randomBytes(c.bytes), 4096, (n) => (received = n))), kind, ms: performance.now() - start };
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
