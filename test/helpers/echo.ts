/** Writes `bytes` random bytes through a session to an echo server and checks what comes back. */
import { createHash, randomBytes } from 'node:crypto';
import type { Session } from '../../src/core/session.js';

export interface Echoed {
  /** All bytes came back and their sha256 equals what was sent. */
  ok: boolean;
  received: number;
  /** Why writing stopped, if it did (e.g. the session closed). */
  writeError?: unknown;
}

export async function echoed(session: Session, bytes: number, chunk = 4096): Promise<Echoed> {
  const payload = randomBytes(bytes);
  const hash = createHash('sha256');
  let received = 0;
  // Settled here, so a write failing after reading gave up is never an unhandled rejection.
  const writing = (async () => {
    for (let off = 0; off < bytes; off += chunk) await session.write(payload.subarray(off, off + chunk));
  })().then(
    () => undefined,
    (e: unknown) => e ?? new Error('write failed'),
  );
  while (received < bytes) {
    const m = await session.read();
    if (!m) break;
    hash.update(m);
    received += m.length;
  }
  const writeError = await writing;
  const ok = received === bytes && hash.digest('hex') === createHash('sha256').update(payload).digest('hex');
  return { ok, received, ...(writeError !== undefined ? { writeError } : {}) };
}

/** As echoed(), for tests that only need the verdict; a failed write throws. */
export async function echoChecked(session: Session, bytes: number): Promise<boolean> {
  const r = await echoed(session, bytes);
  if (r.writeError !== undefined) throw r.writeError;
  return r.ok;
}
