/**
 * A hostile link for tests: a UDP relay on loopback that, per direction,
 * drops, duplicates, reorders, delays (jitter), truncates and bit-flips
 * datagrams, seeded so a failing case can be replayed. One upstream socket
 * per client address, so the server sees one peer per client, as behind
 * kcp-web's real relay. Every impairment it applies is counted.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';

/** Rates are fractions of datagrams (0..1); jitter is the largest added delay in ms. */
export interface Impairments {
  drop?: number;
  duplicate?: number;
  /** Held back and released after the datagrams behind it (up to `jitter` + 20 ms later). */
  reorder?: number;
  jitter?: number;
  /** Cut to a random shorter length. */
  truncate?: number;
  /**
   * One random bit flipped, in this fraction of datagrams — spread evenly
   * (one every 1/rate datagrams from a random phase) rather than by chance,
   * so that a short run still sees its share: 2% of ~150 datagrams by chance
   * was none at all about one run in twenty.
   */
  bitflip?: number;
}

export interface LinkStats {
  forwarded: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  truncated: number;
  /**
   * Flipped datagrams, and of those the ones any checksummed receiver must
   * reject: the bit lies past the 16-byte nonce (which kcp-go does not check)
   * in a datagram still at least a crypto header (20 bytes) long (kcp-go drops
   * shorter ones without counting). Counted as they are sent on, not when
   * a delayed one is still held.
   */
  flipped: number;
  flippedDetectable: number;
  /**
   * Flipped datagrams an AEAD receiver must reject: its tag covers every
   * byte, the nonce included, so any bit counts, in a datagram still at
   * least nonce + tag (28 bytes) long (kcp-go drops shorter ones without counting).
   */
  flippedAead: number;
}

export interface HostileLink {
  /** "127.0.0.1:port" to point the client at. */
  address: string;
  seed: number;
  up: LinkStats;
  down: LinkStats;
  /** Up and down together. */
  stats: LinkStats;
  close(): void;
}

/** xorshift32: deterministic, fast, good enough to pick impairments. */
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

const emptyStats = (): LinkStats => ({ forwarded: 0, dropped: 0, duplicated: 0, reordered: 0, truncated: 0, flipped: 0, flippedDetectable: 0, flippedAead: 0 });

export async function startHostileLink(upstream: string, impair: { up: Impairments; down: Impairments }, seed = 1): Promise<HostileLink> {
  const [uhost, uport] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
  const rand = seededRandom(seed);
  const up = emptyStats();
  const down = emptyStats();
  // Each direction's progress towards its next flip (spread evenly), from a random phase.
  const flipDue = new Map([
    [up, rand()],
    [down, rand()],
  ]);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;

  /** Applies one direction's impairments to `msg`, calling `send` for each copy that survives, now or later. */
  function pass(msg: Buffer, p: Impairments, st: LinkStats, send: (d: Buffer) => void): void {
    if (p.drop && rand() < p.drop) {
      st.dropped++;
      return;
    }
    const copies = p.duplicate && rand() < p.duplicate ? 2 : 1;
    if (copies === 2) st.duplicated++;
    for (let c = 0; c < copies; c++) {
      let d = Buffer.from(msg);
      if (p.truncate && d.length > 1 && rand() < p.truncate) {
        d = d.subarray(0, Math.floor(rand() * d.length));
        st.truncated++;
      }
      let detectable = false;
      let aeadDetectable = false;
      const due = p.bitflip && d.length > 0 ? flipDue.get(st)! + p.bitflip : 0;
      if (due > 0) flipDue.set(st, due >= 1 ? due - 1 : due);
      if (due >= 1) {
        const bit = Math.floor(rand() * d.length * 8);
        d[bit >> 3]! ^= 1 << (bit & 7);
        st.flipped++;
        detectable = bit >> 3 >= 16 && d.length >= 20;
        aeadDetectable = d.length >= 28;
      }
      // Counted when it really leaves: a delayed datagram still held when the link closes never reaches anyone.
      const out = (x: Buffer) => {
        if (detectable) st.flippedDetectable++;
        if (aeadDetectable) st.flippedAead++;
        send(x);
      };
      let delay = p.jitter ? rand() * p.jitter : 0;
      if (p.reorder && rand() < p.reorder) {
        delay += (p.jitter ?? 0) + 5 + rand() * 15;
        st.reordered++;
      }
      st.forwarded++;
      if (delay < 1) out(d);
      else {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!closed) out(d);
        }, delay);
        timers.add(t);
      }
    }
  }

  // Room for a window's burst (as our UDP transport and kcptun ask for): with the default ~200 KB the kernel itself dropped thousands of datagrams per MiB, and a '0% loss' case was not lossless.
  const socket = () => dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  const front = socket();
  front.bind(0, '127.0.0.1');
  await once(front, 'listening');
  const peers = new Map<string, dgram.Socket>();
  const sockets: dgram.Socket[] = [front];
  const sendUp = (s: dgram.Socket) => (d: Buffer) => {
    try {
      s.send(d);
    } catch {
      up.dropped++; // not connected yet: a drop, KCP resends
    }
  };
  front.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let s = peers.get(key);
    if (!s) {
      const sock = socket();
      sock.on('message', (back) => pass(back, impair.down, down, (d) => front.send(d, rinfo.port, rinfo.address)));
      sock.on('error', () => {});
      sock.connect(uport, uhost);
      peers.set(key, sock);
      sockets.push(sock);
      // connect() is async: the first datagram goes once it completes.
      sock.once('connect', () => pass(msg, impair.up, up, sendUp(sock)));
      return;
    }
    pass(msg, impair.up, up, sendUp(s));
  });
  front.on('error', () => {});
  return {
    address: `127.0.0.1:${front.address().port}`,
    seed,
    up,
    down,
    get stats() {
      const sum = emptyStats();
      for (const k of Object.keys(sum) as Array<keyof LinkStats>) sum[k] = up[k] + down[k];
      return sum;
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
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
