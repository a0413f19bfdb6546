/**
 * A UDP relay for tests that drops datagrams at a given rate in each
 * direction (seeded, so a failing case can be replayed). One upstream
 * socket per client address, so the server sees one peer per client, as
 * behind kcp-web's real relay.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';

export interface LossyRelay {
  /** "127.0.0.1:port" to point the client at. */
  address: string;
  stats: { forwarded: number; dropped: number };
  close(): void;
}

/** xorshift32: deterministic, fast, good enough to pick drops. */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

export async function startLossyRelay(upstream: string, loss: { up: number; down: number }, seed = 1): Promise<LossyRelay> {
  const [uhost, uport] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
  const rand = seededRandom(seed);
  const stats = { forwarded: 0, dropped: 0 };
  const front = dgram.createSocket('udp4');
  front.bind(0, '127.0.0.1');
  await once(front, 'listening');
  const peers = new Map<string, dgram.Socket>();
  const sockets: dgram.Socket[] = [front];
  const pass = (rate: number) => {
    if (rate > 0 && rand() < rate) {
      stats.dropped++;
      return false;
    }
    stats.forwarded++;
    return true;
  };
  front.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let up = peers.get(key);
    if (!up) {
      const s = dgram.createSocket('udp4');
      s.on('message', (back) => {
        if (pass(loss.down)) front.send(back, rinfo.port, rinfo.address);
      });
      s.on('error', () => {});
      s.connect(uport, uhost);
      peers.set(key, s);
      sockets.push(s);
      up = s;
      // connect() is async: queue this first datagram until it completes.
      s.once('connect', () => {
        if (pass(loss.up)) s.send(msg);
      });
      return;
    }
    if (pass(loss.up)) {
      try {
        up.send(msg);
      } catch {
        /* not connected yet: counts as a drop */
        stats.dropped++;
      }
    }
  });
  front.on('error', () => {});
  return {
    address: `127.0.0.1:${front.address().port}`,
    stats,
    close() {
      for (const s of sockets) {
        try {
          s.close();
        } catch {
          /* closed */
        }
      }
    },
  };
}
