/**
 * What the e2e pages share: the echo case the specs hand them, the
 * sessions' settings, random payloads, sha256, and the echo itself — written in chunks while the
 * echo is read back, then compared. No kcp-web import, so each page
 * bundles only the entry it means to test.
 */
import type { CryptName } from '../../src/core/crypt/types.js';
import type { TransportKind } from '../../src/transports/connect.js';

/** One echo through the relay, as e2e/echo.spec.ts and e2e/worker.spec.ts describe it. */
export interface EchoCase {
  relay: string;
  transport: TransportKind;
  crypt: CryptName;
  key: string;
  fec: boolean;
  bytes: number;
  /** The relay's token or signed ticket, if it wants one. */
  token?: string;
}

/** How an echo went: `ok` when every byte came back with the sha256 it left with. */
export interface Echoed {
  ok: boolean;
  received: number;
  error?: string;
}

/** What an echo needs of a session (Session and kcp-web/worker's WorkerSession alike). */
export interface EchoSession extends AsyncIterable<Uint8Array> {
  write(data: Uint8Array): Promise<void>;
}

/** The KCP settings of every e2e session, FEC 10/3 or none (the specs start kcp-go's echo to match). */
export const sessionOptions = (fec: boolean) => ({ ...(fec ? { dataShards: 10, parityShards: 3 } : {}), mode: 'fast' as const, streamMode: true, mtu: 1200, sndwnd: 256, rcvwnd: 256 });

export async function sha256(b: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', b.slice()));
  return Array.from(h, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** `bytes` random bytes (getRandomValues fills at most 64 KiB a call). */
export function randomBytes(bytes: number): Uint8Array {
  const payload = new Uint8Array(bytes);
  for (let off = 0; off < payload.length; off += 65536) crypto.getRandomValues(payload.subarray(off, off + 65536));
  return payload;
}

/**
 * Writes `payload` in `chunk`-byte writes while reading the echo back;
 * `onRead` sees the running count after each read. A failure is reported,
 * not thrown, with what had come back by then; the caller closes the session.
 */
export async function echo(session: EchoSession, payload: Uint8Array, chunk: number, onRead?: (received: number) => void): Promise<Echoed> {
  const bytes = payload.length;
  const got = new Uint8Array(bytes);
  let n = 0;
  try {
    const writing = (async () => {
      for (let off = 0; off < bytes; off += chunk) await session.write(payload.subarray(off, off + chunk));
    })();
    for await (const m of session) {
      got.set(m.subarray(0, bytes - n), n);
      n += m.length;
      onRead?.(n);
      if (n >= bytes) break;
    }
    await writing;
    return { ok: n === bytes && (await sha256(got)) === (await sha256(payload)), received: n };
  } catch (e) {
    return { ok: false, received: n, error: String(e) };
  }
}
