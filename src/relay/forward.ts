/**
 * The relay's datagram pump: each browser session's transport is paired
 * with a UDP socket of its own connected to its upstream (admission chose
 * it), so the kcp-go
 * listener sees one address per session. Datagrams pass untouched, within
 * the session's budgets and through the test-only netem (loss, delay).
 */
import dgram from 'node:dgram';
import type { DatagramTransport } from '../core/transport.js';
import { directionBudget, type SessionLimits } from './limits.js';
import { upstreamKey, type Upstream } from './upstreams.js';

export interface ForwardStats {
  sessionsOpened: number;
  sessionsActive: number;
  sessionsReaped: number;
  datagramsUp: number;
  datagramsDown: number;
  bytesUp: number;
  bytesDown: number;
  /** Datagrams lost to netem or to a send that failed. */
  dropped: number;
  /** UDP sockets open towards the upstream (one per live session). */
  upstreamSockets: number;
  /** Datagrams dropped for going over a session's rate budget. */
  rateLimited: number;
  /** Sessions closed for going over their total byte cap. */
  byteCapped: number;
  /** Sessions opened per upstream ("host:port"). */
  sessionsByUpstream: Record<string, number>;
}

/** Emulated loss (a fraction) and one-way delay (ms), each direction; changeable at run time. */
export interface Netem {
  loss: number;
  delay: number;
}

interface Forwarded {
  lastActive: number;
  close(): void;
}

/** Which ingress carries a session's datagrams. */
export type IngressKind = 'webtransport' | 'webrtc' | 'websocket';

export interface ForwardOptions {
  /** Called once when the session ends (its address slot). */
  release?: () => void;
  /** The transport is a TCP one (WebSocket), whose loss netem emulates as TCP sees it. */
  stream?: boolean;
  kind?: IngressKind;
  /**
   * Keep the upstream socket this long (ms) after the transport ends, for a
   * new ingress to take over (attach); without it the session ends with its transport.
   */
  graceMs?: number;
}

/** A session's forwarding: another transport can take it over, keeping the upstream socket and the budgets. */
export interface ForwardHandle {
  /** Carries the session over `transport` from now on; the one before is closed. */
  attach(transport: DatagramTransport, kind?: IngressKind, stream?: boolean): void;
  close(): void;
}

/** A path that drops a `loss` fraction and delays the rest by `delay` ms: UDP under loss. */
function datagramPath(netem: Netem, stats: ForwardStats): (send: () => void) => void {
  return (send) => {
    if (netem.loss > 0 && Math.random() < netem.loss) {
      stats.dropped++;
      return;
    }
    if (netem.delay > 0) setTimeout(send, netem.delay);
    else send();
  };
}

/** TCP under loss: delivery stays in order, and a loss holds the stream for a retransmission timeout. */
function streamPath(netem: Netem, stats: ForwardStats): (send: () => void) => void {
  let blockedUntil = 0;
  return (send) => {
    const now = Date.now();
    let at = Math.max(now + netem.delay, blockedUntil);
    if (netem.loss > 0 && Math.random() < netem.loss) {
      stats.dropped++;
      at += Math.max(200, 2 * netem.delay + 200); // TCP's minimum RTO, or more on a slow link
    }
    blockedUntil = at;
    if (at <= now) send();
    else setTimeout(send, at - now);
  };
}

export class Forwarder {
  readonly stats: ForwardStats = { sessionsOpened: 0, sessionsActive: 0, sessionsReaped: 0, datagramsUp: 0, datagramsDown: 0, bytesUp: 0, bytesDown: 0, dropped: 0, upstreamSockets: 0, rateLimited: 0, byteCapped: 0, sessionsByUpstream: {} };
  private readonly sessions = new Set<Forwarded>();

  constructor(
    private readonly limits: SessionLimits,
    readonly netem: Netem,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Test aid: every datagram to or from a transport of this kind is dropped, as by a middlebox that stopped passing them. */
  readonly blackholed = new Set<IngressKind>();

  /**
   * Pumps `transport` to and from `upstream` until either side fails (then,
   * with `graceMs`, until no transport took over in time), a budget ends it,
   * or it is reaped; then calls `release`.
   */
  forward(transport: DatagramTransport, upstream: Upstream, options: ForwardOptions = {}): ForwardHandle {
    const { stats, limits, blackholed } = this;
    const socket = dgram.createSocket(upstream.host.includes(':') ? 'udp6' : 'udp4');
    stats.upstreamSockets++;
    const budgetUp = directionBudget(limits, Date.now());
    const budgetDown = directionBudget(limits, Date.now());
    let carried = 0;
    /** The transport carrying the session now (null between one and the next), its kind and netem paths. */
    let current: DatagramTransport | null = null;
    let kind: IngressKind | undefined;
    let upPath = datagramPath(this.netem, stats);
    let downPath = upPath;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const session: Forwarded = {
      lastActive: Date.now(),
      close: () => {
        if (!this.sessions.delete(session)) return;
        clearTimeout(grace);
        stats.sessionsActive--;
        current?.close();
        current = null;
        try {
          socket.close();
        } catch {
          /* closed */
        }
        options.release?.();
      },
    };
    /** Whether `d` fits the session's budgets; over the total cap, the session ends. */
    const within = (budget: (n: number, now: number) => boolean, d: Uint8Array): boolean => {
      session.lastActive = Date.now();
      if (!budget(d.length, session.lastActive)) {
        stats.rateLimited++;
        return false;
      }
      carried += d.length;
      if (carried > limits.totalBytes) {
        stats.byteCapped++;
        session.close();
        return false;
      }
      return true;
    };
    /** The transport ended: the session waits for another one, or ends. */
    const lost = (t: DatagramTransport) => {
      if (t !== current) return;
      current = null;
      t.close(); // the forwarder owns what it carries: whatever the transport still holds goes now
      if (options.graceMs === undefined) return session.close();
      grace = setTimeout(() => session.close(), options.graceMs);
      grace.unref?.();
    };
    const attach = (t: DatagramTransport, k?: IngressKind, stream = false) => {
      clearTimeout(grace);
      const before = current;
      current = t;
      kind = k;
      upPath = stream ? streamPath(this.netem, stats) : datagramPath(this.netem, stats);
      downPath = stream ? streamPath(this.netem, stats) : datagramPath(this.netem, stats);
      before?.close();
      t.receive(
        (d) => {
          if (t !== current) return;
          if (kind && blackholed.has(kind)) return void stats.dropped++;
          if (!within(budgetUp, d)) return;
          upPath(() => {
            stats.datagramsUp++;
            stats.bytesUp += d.length;
            // The socket may still be connecting: a datagram before that is a drop, KCP resends.
            try {
              socket.send(d);
            } catch {
              stats.dropped++;
            }
          });
        },
        () => lost(t),
      );
    };
    socket.on('error', () => session.close());
    socket.on('close', () => stats.upstreamSockets--);
    socket.connect(upstream.port, upstream.host);
    socket.on('message', (d) => {
      if (!within(budgetDown, d)) return;
      // Between transports (or behind a blackhole) the datagram is lost; KCP resends it over the next.
      const to = current;
      if (!to || (kind && blackholed.has(kind))) return void stats.dropped++;
      downPath(() => {
        stats.datagramsDown++;
        stats.bytesDown += d.length;
        to.send(d);
      });
    });
    attach(transport, options.kind, options.stream);
    this.sessions.add(session);
    const key = upstreamKey(upstream);
    stats.sessionsByUpstream[key] = (stats.sessionsByUpstream[key] ?? 0) + 1;
    stats.sessionsOpened++;
    stats.sessionsActive++;
    return { attach, close: () => session.close() };
  }

  /** Closes the sessions idle for longer than `idleMs`. */
  reap(idleMs: number): void {
    const now = Date.now();
    for (const s of this.sessions) {
      if (now - s.lastActive > idleMs) {
        this.stats.sessionsReaped++;
        s.close();
      }
    }
  }

  closeAll(): void {
    for (const s of [...this.sessions]) s.close();
  }
}
