/** Writes `bytes` random bytes through a session to an echo server and checks what comes back. */
import { createHash, randomBytes } from 'node:crypto';
import type { Session } from '../../src/core/session.js';

export async function echoChecked(session: Session, bytes: number): Promise<boolean> {
  const payload = randomBytes(bytes);
  const hash = createHash('sha256');
  let got = 0;
  const writing = (async () => {
    for (let off = 0; off < bytes; off += 4096) await session.write(payload.subarray(off, off + 4096));
  })();
  while (got < bytes) {
    const m = await session.read();
    if (!m) break;
    hash.update(m);
    got += m.length;
  }
  await writing;
  return got === bytes && hash.digest('hex') === createHash('sha256').update(payload).digest('hex');
}
