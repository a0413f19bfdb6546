/**
 * Who may open a session on the relay, and to which upstream: a token or a
 * signed ticket when one is configured, the ticket's upstream checked
 * against the operator's allow-list (else the relay's default upstream),
 * then the caps on sessions in total and per client address.
 * A session is counted against its address from admission until it closes,
 * so concurrent requests cannot overrun the cap between check and open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ticketVerifier, type TicketCheck } from '../ticket.js';
import { requestUrl } from './http.js';
import { parseTicketUpstream, upstreamKey, type AllowList, type Upstream } from './upstreams.js';

/** Why a session may not open: an HTTP status and a message. */
export type Refusal = [status: number, message: string];

/** A session admitted, and where its datagrams go; or why not. */
export type Verdict = { upstream: Upstream } | { refusal: Refusal; badUpstream?: true };

export interface AdmissionOptions {
  token?: string;
  ticketPublicKey?: string;
  maxSessions: number;
  maxSessionsPerAddress: number;
  /** Where sessions go whose credential names no upstream; none: every ticket must name one. */
  upstream?: Upstream;
  /** Upstreams a ticket may name. */
  allow?: AllowList;
}

/** Refusals, counted where they are decided (GET /kcp-web/stats shows them). */
export interface AdmissionCounters {
  /** All refused requests: no or bad token or ticket, a refused upstream, or over a session cap. */
  refused: number;
  /** Of those, tickets whose upstream was malformed or outside the allow-list, or missing with no default. */
  refusedUpstream: number;
}

/** Compares digests in constant time, so response timing says nothing about the token. */
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** How long a session admitted by the Go WebTransport helper keeps its address slot before its first datagram. */
const BRIDGE_GRACE_MS = 30_000;

export class Admission {
  private readonly checkTicket: ((ticket: string) => TicketCheck) | null;
  private readonly perAddress = new Map<string, number>();
  private readonly bridged = new Map<number, { release: () => void; upstream: Upstream; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly options: AdmissionOptions,
    /** Live sessions right now. */
    private readonly sessions: () => number,
    readonly counters: AdmissionCounters = { refused: 0, refusedUpstream: 0 },
  ) {
    this.checkTicket = options.ticketPublicKey !== undefined ? ticketVerifier(options.ticketPublicKey) : null;
  }

  /** The credential a request carries: Authorization: Bearer …, else ?token=…. */
  credentialOf(req: IncomingMessage): string | null {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Bearer ')) return auth.slice(7);
    return requestUrl(req).searchParams.get('token');
  }

  /**
   * The upstream `credential` may reach, or why it may not open a session:
   * the token or ticket, then the ticket's upstream (IP:PORT inside the
   * allow-list; the default upstream when it names none). Not counted.
   */
  route(credential: string | null): Verdict {
    const { token, upstream, allow } = this.options;
    let named: unknown;
    if (token !== undefined || this.checkTicket) {
      const tokenOk = token !== undefined && credential !== null && sameSecret(credential, token);
      if (!tokenOk) {
        if (credential === null || credential === '') return { refusal: [401, `a valid ${this.checkTicket ? 'ticket' : 'token'} is required`] };
        if (!this.checkTicket) return { refusal: [401, 'a valid token is required'] };
        const t = this.checkTicket(credential);
        if (!t.ok) return { refusal: [403, t.reason] };
        named = t.claims.up;
      }
    }
    if (named === undefined) return upstream ? { upstream } : { refusal: [403, 'no upstream: the ticket names none, and this relay has no default one'], badUpstream: true };
    const u = parseTicketUpstream(named);
    if (typeof u === 'string') return { refusal: [403, u], badUpstream: true };
    const isDefault = upstream !== undefined && upstreamKey(upstream) === upstreamKey(u);
    if (!isDefault && !allow?.permits(u)) return { refusal: [403, `upstream ${upstreamKey(u)} is not in this relay's allow-list`], badUpstream: true };
    return { upstream: u };
  }

  /** route() and then the caps for a session from `address`; refusals are counted. */
  admit(credential: string | null, address: string): Verdict {
    const { maxSessions, maxSessionsPerAddress } = this.options;
    const v = this.route(credential);
    const refusal: Refusal | null =
      'refusal' in v ? v.refusal
      : this.sessions() >= maxSessions ? [503, `relay full (${maxSessions} sessions)`]
      : (this.perAddress.get(address) ?? 0) >= maxSessionsPerAddress ? [429, `too many sessions from this address (${maxSessionsPerAddress})`]
      : null;
    if (!refusal) return v;
    this.counters.refused++;
    if ('badUpstream' in v) this.counters.refusedUpstream++;
    return { refusal };
  }

  /** admit() for an HTTP request, by its credential and its peer's address. */
  admitRequest(req: IncomingMessage): Verdict {
    return this.admit(this.credentialOf(req), req.socket.remoteAddress ?? '');
  }

  /** Counts a session against its client address; the function returned uncounts it. */
  hold(address: string): () => void {
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    return () => {
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, n);
    };
  }

  /**
   * Holds an address slot for a session the Go helper admitted, keyed by the
   * port of its bridge socket: its session takes the hold over at its first
   * datagram (takeBridgeHold), or the slot frees itself after a grace period.
   */
  holdForBridge(port: number, address: string, upstream: Upstream): void {
    if (!Number.isInteger(port) || port <= 0 || port > 65535 || this.bridged.has(port)) return;
    const release = this.hold(address);
    const timer = setTimeout(() => {
      this.bridged.delete(port);
      release();
    }, BRIDGE_GRACE_MS);
    timer.unref();
    this.bridged.set(port, { release, upstream, timer });
  }

  /** The address hold and upstream of the bridged session on `port`, handed to its session; undefined if it was never admitted. */
  takeBridgeHold(port: number): { release: () => void; upstream: Upstream } | undefined {
    const b = this.bridged.get(port);
    if (!b) return undefined;
    clearTimeout(b.timer);
    this.bridged.delete(port);
    return b;
  }
}
