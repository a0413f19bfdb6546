/**
 * Who may open a session on the relay: a token or a signed ticket when one
 * is configured, then the caps on sessions in total and per client address.
 * A session is counted against its address from admission until it closes,
 * so concurrent requests cannot overrun the cap between check and open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ticketVerifier, type TicketCheck } from '../ticket.js';
import { requestUrl } from './http.js';

/** Why a session may not open: an HTTP status and a message. */
export type Refusal = [status: number, message: string];

export interface AdmissionOptions {
  token?: string;
  ticketPublicKey?: string;
  maxSessions: number;
  maxSessionsPerAddress: number;
}

/** Compares digests in constant time, so response timing says nothing about the token. */
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** How long a session admitted by the Go WebTransport helper keeps its address slot before its first datagram. */
const BRIDGE_GRACE_MS = 30_000;

export class Admission {
  private readonly checkTicket: ((ticket: string) => TicketCheck) | null;
  private readonly perAddress = new Map<string, number>();
  private readonly bridged = new Map<number, { release: () => void; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly options: AdmissionOptions,
    /** Live sessions right now. */
    private readonly sessions: () => number,
  ) {
    this.checkTicket = options.ticketPublicKey !== undefined ? ticketVerifier(options.ticketPublicKey) : null;
  }

  /** The credential a request carries: Authorization: Bearer …, else ?token=…. */
  credentialOf(req: IncomingMessage): string | null {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Bearer ')) return auth.slice(7);
    return requestUrl(req).searchParams.get('token');
  }

  /** Why a session with `credential` from `address` may not open, or null if it may. */
  check(credential: string | null, address: string): Refusal | null {
    const { token, maxSessions, maxSessionsPerAddress } = this.options;
    if (token !== undefined || this.checkTicket) {
      const tokenOk = token !== undefined && credential !== null && sameSecret(credential, token);
      if (!tokenOk) {
        if (credential === null || credential === '') return [401, `a valid ${this.checkTicket ? 'ticket' : 'token'} is required`];
        if (!this.checkTicket) return [401, 'a valid token is required'];
        const t = this.checkTicket(credential);
        if (!t.ok) return [403, t.reason];
      }
    }
    if (this.sessions() >= maxSessions) return [503, `relay full (${maxSessions} sessions)`];
    if ((this.perAddress.get(address) ?? 0) >= maxSessionsPerAddress) return [429, `too many sessions from this address (${maxSessionsPerAddress})`];
    return null;
  }

  /** check() for an HTTP request, by its credential and its peer's address. */
  checkRequest(req: IncomingMessage): Refusal | null {
    return this.check(this.credentialOf(req), req.socket.remoteAddress ?? '');
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
  holdForBridge(port: number, address: string): void {
    if (!Number.isInteger(port) || port <= 0 || port > 65535 || this.bridged.has(port)) return;
    const release = this.hold(address);
    const timer = setTimeout(() => {
      this.bridged.delete(port);
      release();
    }, BRIDGE_GRACE_MS);
    timer.unref();
    this.bridged.set(port, { release, timer });
  }

  /** The address hold of the bridged session on `port`, handed to its session. */
  takeBridgeHold(port: number | undefined): (() => void) | undefined {
    const b = port === undefined ? undefined : this.bridged.get(port);
    if (!b) return undefined;
    clearTimeout(b.timer);
    this.bridged.delete(port!);
    return b.release;
  }
}
