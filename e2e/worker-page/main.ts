/**
 * The worker e2e page: imports kcp-web/worker as an app would, opens the
 * session in a dedicated Worker through the relay to a kcp-go echo, echoes
 * random bytes and reports whether the sha256 of what came back matches.
 * Driven by e2e/worker.spec.ts through window.runWorkerEcho.
 */
import { connectInWorker, type TransportKind } from '../../src/worker.js';
import type { CryptName } from '../../src/core/crypt/types.js';

interface EchoCase {
  relay: string;
  transport: TransportKind;
  crypt: CryptName;
  key: string;
  fec: boolean;
  bytes: number;
}

async function sha256(b: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', b.slice()));
  return Array.from(h, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function runWorkerEcho(c: EchoCase): Promise<{ ok: boolean; kind?: string; received: number; ms: number; outSegs?: number; error?: string }> {
  const start = performance.now();
  let session;
  try {
    session = await connectInWorker(c.relay, {
      transports: [c.transport],
      crypt: c.crypt,
      ...(c.crypt === 'null' ? {} : { key: c.key }),
      ...(c.fec ? { dataShards: 10, parityShards: 3 } : {}),
      mode: 'fast',
      streamMode: true,
      mtu: 1200,
      sndwnd: 256,
      rcvwnd: 256,
    });
  } catch (e) {
    return { ok: false, received: 0, ms: 0, error: String(e) };
  }
  const payload = new Uint8Array(c.bytes);
  for (let off = 0; off < payload.length; off += 65536) crypto.getRandomValues(payload.subarray(off, off + 65536));
  const got = new Uint8Array(c.bytes);
  let n = 0;
  try {
    const writing = (async () => {
      for (let off = 0; off < payload.length; off += 4096) await session.write(payload.subarray(off, off + 4096));
    })();
    for await (const m of session) {
      got.set(m.subarray(0, c.bytes - n), n);
      n += m.length;
      if (n >= c.bytes) break;
    }
    await writing;
    // The counters come from the worker every 200 ms: wait for them to show the session's output.
    for (let i = 0; i < 50 && session.stats.OutSegs === 0; i++) await new Promise((r) => setTimeout(r, 100));
    return { ok: n === c.bytes && (await sha256(got)) === (await sha256(payload)), kind: session.kind, received: n, ms: performance.now() - start, outSegs: session.stats.OutSegs };
  } catch (e) {
    return { ok: false, kind: session.kind, received: n, ms: performance.now() - start, error: String(e) };
  } finally {
    session.close();
  }
}

Object.assign(window, { runWorkerEcho });
