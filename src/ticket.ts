/**
 * Short-lived signed tickets: the game's back end mints one per player with
 * its Ed25519 secret key; the relay, which holds only the public key, checks
 * it before any UDP socket opens. No shared secret on the relay, no call to
 * the back end per session.
 *
 * Format: base64url(JSON payload) "." base64url(Ed25519 signature of the
 * first part's bytes). Payload: { exp: unix seconds, sub?: string, up?: "HOST:PORT" }.
 * Keys are raw 32-byte Ed25519 keys in base64, as libsodium and Go's
 * crypto/ed25519 hold them (a 64-byte libsodium secret key works too: its
 * first half is the seed). node:crypto has Ed25519 built in.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

export interface TicketClaims {
  /** Expiry, unix seconds. */
  exp: number;
  /** Who it was minted for (a player id); the relay only logs it. */
  sub?: string;
  /**
   * The UDP server this session goes to, "IP:PORT" ("[IPv6]:PORT"); the relay
   * forwards there only if it lies inside its allow-list (`--allow`). Absent:
   * the relay's own `--upstream`.
   */
  up?: string;
}

/** Seconds a ticket's exp may lie in the past and still pass (clocks drift). */
export const CLOCK_SKEW = 30;

const b64url = (b: Uint8Array | Buffer): string => Buffer.from(b).toString('base64url');

function rawKey(key: string | Uint8Array, what: string, lengths: number[]): Buffer {
  const b = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.from(key);
  if (!lengths.includes(b.length)) throw new TypeError(`${what} must be a base64 Ed25519 key of ${lengths.join(' or ')} bytes; got ${b.length}`);
  return b;
}

function publicKeyObject(key: string | Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(rawKey(key, 'the ticket public key', [32])) }, format: 'jwk' });
}

/** PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

function secretKeyObject(key: string | Uint8Array): KeyObject {
  const seed = rawKey(key, 'the ticket secret key', [32, 64]).subarray(0, 32);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

/** A new key pair, raw keys in base64: the secret one for the back end, the public one for the relay. */
export function ticketKeyPair(): { publicKey: string; secretKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'jwk' }) as { x: string };
  const sec = privateKey.export({ format: 'jwk' }) as { d: string };
  return { publicKey: Buffer.from(pub.x, 'base64url').toString('base64'), secretKey: Buffer.from(sec.d, 'base64url').toString('base64') };
}

/**
 * Checks an upstream for a ticket: an IP address (a name would be resolved
 * only after the relay's allow-list check) and a port from 1 to 65535.
 */
export function checkTicketUpstream(upstream: string): string {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(upstream);
  const host = m ? (m[1] ?? m[2]!) : '';
  const port = m ? Number(m[3]) : 0;
  if (!m || isIP(host) !== (m[1] !== undefined ? 6 : 4) || port < 1 || port > 65535) {
    throw new TypeError(`upstream must be IP:PORT or [IPv6]:PORT, port 1-65535 (e.g. 10.0.0.7:29900); got ${JSON.stringify(upstream)}`);
  }
  return upstream;
}

/** Mints a ticket valid for `ttlSeconds` from `now` (ms), for the session's `upstream` if given. */
export function mintTicket(secretKey: string | Uint8Array, options: { ttlSeconds: number; subject?: string; upstream?: string; now?: number }): string {
  if (!(options.ttlSeconds > 0)) throw new RangeError(`ttlSeconds must be > 0; got ${options.ttlSeconds}`);
  const claims: TicketClaims = {
    exp: Math.floor((options.now ?? Date.now()) / 1000) + Math.ceil(options.ttlSeconds),
    ...(options.subject !== undefined ? { sub: options.subject } : {}),
    ...(options.upstream !== undefined ? { up: checkTicketUpstream(options.upstream) } : {}),
  };
  const body = b64url(Buffer.from(JSON.stringify(claims)));
  return `${body}.${b64url(sign(null, Buffer.from(body), secretKeyObject(secretKey)))}`;
}

export type TicketCheck = { ok: true; claims: TicketClaims } | { ok: false; reason: string };

/** A verifier for one public key (the key is parsed once). */
export function ticketVerifier(publicKey: string | Uint8Array): (ticket: string, now?: number) => TicketCheck {
  const key = publicKeyObject(publicKey);
  return (ticket, now = Date.now()) => {
    const m = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{86})$/.exec(ticket);
    if (!m) return { ok: false, reason: 'malformed ticket' };
    if (!verify(null, Buffer.from(m[1]!), key, Buffer.from(m[2]!, 'base64url'))) return { ok: false, reason: 'bad ticket signature' };
    let claims: TicketClaims;
    try {
      claims = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as TicketClaims;
    } catch {
      return { ok: false, reason: 'malformed ticket' };
    }
    if (typeof claims?.exp !== 'number') return { ok: false, reason: 'ticket without exp' };
    if (claims.exp + CLOCK_SKEW < now / 1000) return { ok: false, reason: 'expired ticket' };
    return { ok: true, claims };
  };
}

/** Checks `ticket` against `publicKey` at `now` (ms). */
export function verifyTicket(publicKey: string | Uint8Array, ticket: string, now = Date.now()): TicketCheck {
  return ticketVerifier(publicKey)(ticket, now);
}
