/**
 * The worker e2e page: imports kcp-web/worker as an app would, opens the
 * session in a dedicated Worker through the relay to a kcp-go echo, echoes
 * random bytes and reports whether the sha256 of what came back matches.
 * Driven by e2e/worker.spec.ts through window.runWorkerEcho.
 */
import { connectInWorker } from '../../src/worker.js';
import { echo, randomBytes, sessionOptions, type EchoCase, type Echoed } from '../page/common.js';

async function runWorkerEcho(c: EchoCase): Promise<Echoed & { kind?: string; ms: number; outSegs?: number }> {
  const start = performance.now();
  let session;
  try {
    session = await connectInWorker(c.relay, {
      transports: [c.transport],
      crypt: c.crypt,
      ...(c.crypt === 'null' ? {} : { key: c.key }),
      ...sessionOptions(c.fec),
    });
  } catch (e) {
    return { ok: false, received: 0, ms: 0, error: String(e) };
  }
  try {
    const r = await echo(session, randomBytes(c.bytes), 4096);
    if (r.error !== undefined) return { ...r, kind: session.kind, ms: performance.now() - start };
    // The counters come from the worker every 200 ms: wait for them to show the session's output.
    for (let i = 0; i < 50 && session.stats.OutSegs === 0; i++) await new Promise((r) => setTimeout(r, 100));
    return { ...r, kind: session.kind, ms: performance.now() - start, outSegs: session.stats.OutSegs };
  } finally {
    session.close();
  }
}

Object.assign(window, { runWorkerEcho });
