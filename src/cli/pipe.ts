/**
 * kcptun's Pipe: copy both ways between a TCP connection and a smux stream.
 * When one direction ends, its end is passed on (TCP FIN ↔ smux FIN) and,
 * after closeWait seconds or once the other direction ends too, both are
 * closed — as kcptun tears a pair down when either side is done.
 */
import type { Duplex } from 'node:stream';

function direction(src: Duplex, dst: Duplex): Promise<void> {
  return new Promise((resolve) => {
    src.pipe(dst);
    // 'finish': dst was ended and flushed; 'close'/'error': one of them is gone without that.
    dst.once('finish', () => resolve());
    for (const s of [src, dst]) {
      s.once('close', () => resolve());
      s.once('error', () => resolve());
    }
  });
}

export async function pipeBoth(a: Duplex, b: Duplex, closeWaitSeconds: number): Promise<void> {
  const ab = direction(a, b);
  const ba = direction(b, a);
  await Promise.race([ab, ba]);
  if (closeWaitSeconds > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all([ab, ba]), new Promise((r) => (timer = setTimeout(r, closeWaitSeconds * 1000)))]);
    clearTimeout(timer);
  }
  a.destroy();
  b.destroy();
}
