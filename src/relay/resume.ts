/**
 * Resume credentials: a session that asked for one (a `claim` on its first
 * ingress) can move to another ingress — any transport — and keep its
 * upstream UDP socket, so the kcp-go server sees one address, one session.
 *
 * A credential is base64url(JSON facts) "." base64url(HMAC-SHA256 of the
 * first part, keyed by a secret only this relay process holds). The facts
 * are the session's random id, the client IP it was admitted from, its
 * upstream, a generation and an expiry. It is refused, before anything is
 * forwarded, when the MAC fails (forged), past its expiry (expired), when
 * its generation was already used to attach or is older than one that was
 * (reused), when presented from another client IP than the admission's
 * (another address's: the IP the relay saw at admission, so a stolen
 * credential is useless from elsewhere; a player whose IP changes starts a
 * new session), or when its session has ended.
 *
 * The client never reads a credential out of a transport's handshake (no
 * browser exposes WebTransport's or WebSocket's response headers): it names
 * a random `claim` when it opens a transport, and picks up the fresh
 * credential filed under that claim with POST /kcp-web/resume, from the
 * same IP. The same request with a live credential refreshes it before it
 * expires, without using it up.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Refusal } from './admission.js';
import { upstreamKey, type Upstream } from './upstreams.js';

export interface ResumeCounters {
  /** Sessions that moved to a new ingress with their credential. */
  resumed: number;
  /** Credentials refused, for any of the reasons below (each also counts in `refused`). */
  resumeRefused: number;
  resumeForged: number;
  resumeExpired: number;
  resumeReused: number;
  resumeOtherAddress: number;
  /** Credentials whose session had already ended (closed, reaped, or its grace period over). */
  resumeEnded: number;
}

export const RESUME_COUNTERS: ResumeCounters = { resumed: 0, resumeRefused: 0, resumeForged: 0, resumeExpired: 0, resumeReused: 0, resumeOtherAddress: 0, resumeEnded: 0 };

interface Facts {
  /** Session id. */
  s: string;
  /** Client IP at admission. */
  a: string;
  /** Upstream, "host:port". */
  u: string;
  /** Generation. */
  g: number;
  /** Expiry, ms since the epoch. */
  e: number;
}

interface Entry<H> {
  address: string;
  upstream: Upstream;
  /** The last generation issued, and the last one used to attach. */
  issued: number;
  used: number;
  /** The session's forwarding, once its first ingress carries it. */
  handle?: H;
}

/** A picked-up or refreshed credential. */
export interface Issued {
  credential: string;
  /** Milliseconds it stays valid. */
  expiresIn: number;
}

const CLAIM = /^[A-Za-z0-9_-]{16,64}$/;
const CREDENTIAL = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/;
/** How long a claim waits for its pickup. */
const CLAIM_MS = 30_000;

/** One IP, however the socket reports it ("::ffff:1.2.3.4" is 1.2.3.4). */
export function clientIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Whether `claim` is a usable claim name (16 to 64 base64url characters). */
export const isClaim = (claim: string | null): claim is string => claim !== null && CLAIM.test(claim);

export class ResumeBook<H> {
  private readonly secret = randomBytes(32);
  private readonly sessions = new Map<string, Entry<H>>();
  private readonly claims = new Map<string, { credential: string; address: string; until: number }>();

  constructor(
    private readonly options: { ttlMs: number; now: () => number },
    readonly counters: ResumeCounters & { refused: number },
  ) {}

  /** A new session, admitted from `address` to `upstream`; its first credential waits under `claim`. Its id. */
  open(claim: string, address: string, upstream: Upstream): string {
    const id = randomBytes(16).toString('base64url');
    const entry: Entry<H> = { address: clientIp(address), upstream, issued: 0, used: 0 };
    this.sessions.set(id, entry);
    this.file(claim, id, entry);
    return id;
  }

  /**
   * Checks and uses up `credential`, presented from `address` by a new
   * ingress; a fresh one waits under `claim`. The session's id, or why not
   * (counted).
   */
  present(credential: string, claim: string, address: string): { id: string; upstream: Upstream } | { refusal: Refusal } {
    const checked = this.check(credential, address);
    if ('refusal' in checked) return checked;
    const { id, entry, g } = checked;
    entry.used = g;
    this.file(claim, id, entry);
    return { id, upstream: entry.upstream };
  }

  /** The credential filed under `claim` for `address`, once. */
  pickup(claim: string, address: string): Issued | null {
    this.sweep();
    const c = this.claims.get(claim);
    if (!c || c.address !== clientIp(address)) return null;
    this.claims.delete(claim);
    return { credential: c.credential, expiresIn: this.options.ttlMs };
  }

  /** A newer credential for a live one, which stays valid until it expires or a newer one is used. */
  refresh(credential: string, address: string): Issued | { refusal: Refusal } {
    const checked = this.check(credential, address);
    if ('refusal' in checked) return checked;
    return { credential: this.mint(checked.id, checked.entry), expiresIn: this.options.ttlMs };
  }

  bind(id: string, handle: H): void {
    const entry = this.sessions.get(id);
    if (entry) entry.handle = handle;
  }

  handle(id: string): H | undefined {
    return this.sessions.get(id)?.handle;
  }

  /** The session ended: its credentials are refused from now on. */
  forget(id: string): void {
    this.sessions.delete(id);
  }

  /** Drops claims nobody picked up. */
  sweep(): void {
    const now = this.options.now();
    for (const [k, c] of this.claims) if (c.until <= now) this.claims.delete(k);
  }

  private file(claim: string, id: string, entry: Entry<H>): void {
    this.sweep();
    this.claims.set(claim, { credential: this.mint(id, entry), address: entry.address, until: this.options.now() + CLAIM_MS });
  }

  private mint(id: string, entry: Entry<H>): string {
    const facts: Facts = { s: id, a: entry.address, u: upstreamKey(entry.upstream), g: ++entry.issued, e: this.options.now() + this.options.ttlMs };
    const body = Buffer.from(JSON.stringify(facts)).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(body).digest();
  }

  private check(credential: string, address: string): { id: string; entry: Entry<H>; g: number } | { refusal: Refusal } {
    const m = CREDENTIAL.exec(credential);
    let facts: Facts | null = null;
    if (m && timingSafeEqual(this.mac(m[1]!), Buffer.from(m[2]!, 'base64url'))) {
      try {
        facts = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as Facts;
      } catch {
        facts = null;
      }
    }
    if (!facts) return this.refuse('resumeForged', [403, 'forged resume credential']);
    if (facts.e <= this.options.now()) return this.refuse('resumeExpired', [403, 'expired resume credential']);
    if (facts.a !== clientIp(address)) return this.refuse('resumeOtherAddress', [403, 'resume credential issued to another address']);
    const entry = this.sessions.get(facts.s);
    if (!entry) return this.refuse('resumeEnded', [410, 'the session of this resume credential has ended']);
    if (facts.g <= entry.used) return this.refuse('resumeReused', [403, 'resume credential already used']);
    return { id: facts.s, entry, g: facts.g };
  }

  private refuse(reason: Exclude<keyof ResumeCounters, 'resumed' | 'resumeRefused'>, refusal: Refusal): { refusal: Refusal } {
    this.counters[reason]++;
    this.counters.resumeRefused++;
    this.counters.refused++;
    return { refusal };
  }
}
