/**
 * The one dial/listen builder every entry uses: `dial` a peer over a
 * datagram transport, or `listen` for sessions on one. Entries differ only
 * in how a cipher name becomes a cipher ('kcp-web' knows all fourteen,
 * 'kcp-web/lite' takes descriptors, so a page bundles what it uses) and in
 * the cipher backend (the Node entry passes node:crypto).
 */
import { deriveKey } from './core/crypt/kdf.js';
import { buildCipher, type Cipher } from './core/crypt/ciphers.js';
import type { CipherBackend, CryptName } from './core/crypt/types.js';
import { OptionError, resolveOptions, type ResolvedOptions, type SessionOptions } from './core/options.js';
import { Session } from './core/session.js';
import { Listener, MAX_SESSIONS } from './core/listener.js';
import type { Runtime } from './core/runtime.js';
import type { DatagramTransport } from './core/transport.js';
import { defaultRuntime } from './default-runtime.js';

/** What dial and listen both take: the session's settings plus the host it runs on. */
export interface EndpointOptions extends SessionOptions {
  /** Clock, randomness and timers; defaults to the platform's. */
  runtime?: Runtime;
  /** A faster implementation for some ciphers (the Node entry passes node:crypto). */
  cipherBackend?: CipherBackend;
}

export interface ListenOptions extends EndpointOptions {
  /** Most live sessions at once; new ones beyond it are refused and counted (default 10000). */
  maxSessions?: number;
}

export interface DialOptions extends EndpointOptions {
  /** Conversation id; random by default, as kcp-go's Dial. */
  conv?: number;
  /** Close the transport when the session closes (default true: one transport per session). */
  closeTransport?: boolean;
}

const OWN_OPTIONS = ['runtime', 'cipherBackend'] as const;

/** Turns a cipher name into its descriptor. */
export type CipherLookup = (name: Exclude<CryptName, 'null'>) => Cipher;

function resolve(lookup: CipherLookup, options: EndpointOptions, extra: readonly string[]): ResolvedOptions {
  const backend = options.cipherBackend;
  const makeBlock = (cipher: Exclude<CryptName, 'null'> | Cipher, key: string | Uint8Array) =>
    buildCipher(typeof cipher === 'string' ? lookup(cipher) : cipher, typeof key === 'string' ? deriveKey(key) : key, backend);
  return resolveOptions(options as SessionOptions & Record<string, unknown>, makeBlock, [...OWN_OPTIONS, ...extra]);
}

function dialWith(lookup: CipherLookup, transport: DatagramTransport, options: DialOptions): Session {
  const resolved = resolve(lookup, options, ['conv', 'closeTransport']);
  const runtime = options.runtime ?? defaultRuntime();
  let conv = options.conv;
  if (conv === undefined) {
    const b = new Uint8Array(4);
    runtime.random(b);
    conv = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  } else if (!Number.isInteger(conv) || conv < 0 || conv > 0xffffffff) {
    throw new OptionError('conv', 'an integer from 0 to 4294967295', conv);
  }
  const closeTransport = options.closeTransport ?? true;
  const session = new Session({
    conv,
    remote: 'peer',
    options: resolved,
    runtime,
    output: (d) => transport.send(d),
    sendCopies: transport.sendCopies === true,
    transportMtu: transport.mtu,
    ...(transport.sendRoom ? { sendRoom: () => transport.sendRoom!() } : {}),
    passive: false,
    onClose: () => {
      if (closeTransport) transport.close();
    },
  });
  transport.receive(
    (d) => session._packetInput(d),
    (e) => session._transportError(e),
  );
  transport.whenDrained?.(() => session._drained());
  return session;
}

function listenWith(lookup: CipherLookup, transport: DatagramTransport, options: ListenOptions): Listener {
  const max = options.maxSessions ?? MAX_SESSIONS;
  if (!Number.isInteger(max) || max < 1) throw new OptionError('maxSessions', 'an integer ≥ 1', max);
  return new Listener(transport, resolve(lookup, options, ['maxSessions']), options.runtime ?? defaultRuntime(), max);
}

export interface Endpoint {
  /** Opens a session to the peer at the other end of `transport` (kcp-go DialWithOptions). */
  dial(transport: DatagramTransport, options?: DialOptions): Session;
  /** Accepts sessions arriving on `transport` (kcp-go ServeConn). */
  listen(transport: DatagramTransport, options?: ListenOptions): Listener;
}

/** dial and listen with `lookup` for cipher names and `defaults` under each call's options. */
export function endpoint(lookup: CipherLookup, defaults: Pick<EndpointOptions, 'cipherBackend'> = {}): Endpoint {
  return {
    dial: (transport, options = {}) => dialWith(lookup, transport, { ...defaults, ...options }),
    listen: (transport, options = {}) => listenWith(lookup, transport, { ...defaults, ...options }),
  };
}
