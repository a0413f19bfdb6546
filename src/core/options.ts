/**
 * Session options: kcp-go's setter names as option names, kcptun's presets,
 * and validation that names the bad option and what it accepts.
 *
 * Library defaults are kcp-go's library defaults (no crypto, no FEC, message
 * mode, nodelay 0/100/0/0, windows 32/32, MTU 1400), so `dial()` with no
 * options talks to `kcp.DialWithOptions(addr, nil, 0, 0)`. The CLI uses
 * kcptun's defaults instead (aes, 10/3, fast, windows 1024) — see src/cli.
 */
import { CRYPT_NAMES, isCryptName, type BlockCrypt, type CryptName } from './crypt/types.js';
import type { Cipher } from './crypt/ciphers.js';

export const MODES = ['normal', 'fast', 'fast2', 'fast3', 'manual'] as const;
export type Mode = (typeof MODES)[number];

/** kcptun's --mode presets: [nodelay, interval, resend, nc]. */
export const MODE_PRESETS: Record<Exclude<Mode, 'manual'>, readonly [number, number, number, number]> = {
  normal: [0, 40, 2, 1],
  fast: [0, 30, 2, 1],
  fast2: [1, 20, 2, 1],
  fast3: [1, 10, 2, 1],
};

export const PROFILES = ['game'] as const;
export type Profile = (typeof PROFILES)[number];

/**
 * Named sets of options, each a plain kcp-go setting a kcptun or kcp-go
 * server can match (README, "A game profile"). 'game': small messages at a
 * fixed rate that must arrive within a frame or two under loss. Every
 * segment is sent three times over (FEC 1/2: each packet and two parity
 * copies), so a message is late only when all three are lost; at 20
 * messages/s a wider group would wait for later messages before any parity
 * could leave. ACKs leave as soon as input is read (acknodelay) and nodelay
 * with a 10 ms clock resends what still goes missing within a few frames.
 * Explicit options override the profile's.
 */
export const PROFILE_OPTIONS: Record<Profile, Readonly<SessionOptions>> = {
  game: { nodelay: 1, interval: 10, resend: 2, nc: 1, dataShards: 1, parityShards: 2, sndwnd: 128, rcvwnd: 128, ackNoDelay: true },
};

/** kcp-go refuses MTUs above this (sess.go mtuLimit); it is also its read buffer size. */
export const MTU_LIMIT = 1500;

/**
 * The largest datagram a session sends: kcp-go since v5.7 reads into
 * 1472-byte buffers (1500 less IPv4 and UDP headers) and clamps its own MTU
 * there, so a longer datagram reaches it truncated. Older kcp-go reads up to
 * MTU_LIMIT, so this bound suits both.
 */
export const MAX_PACKET_SIZE = 1472;

export interface SessionOptions {
  /**
   * Cipher name as kcptun spells it ('null': no crypto header at all), or a
   * descriptor from 'kcp-web/ciphers' (`crypt: aes`), which lets a bundle
   * carry that one cipher only. Default: 'aes' if `key` is given, else 'null'.
   */
  crypt?: CryptName | Cipher;
  /** A passphrase (derived with kcptun's pbkdf2-sha1, salt "kcp-go", 4096 rounds) or the 32-byte derived key itself. */
  key?: string | Uint8Array;
  /** A ready cipher object instead of crypt+key (as kcp-go's BlockCrypt argument). */
  block?: BlockCrypt;
  /** FEC data shards (kcp-go dataShards); 0 disables FEC. */
  dataShards?: number;
  /** FEC parity shards (kcp-go parityShards); 0 disables FEC. */
  parityShards?: number;
  /** kcptun preset; overrides nodelay/interval/resend/nc unless 'manual'. */
  mode?: Mode;
  /** A named set of the options below (PROFILE_OPTIONS); options given explicitly, mode included, win. */
  profile?: Profile;
  nodelay?: number;
  interval?: number;
  resend?: number;
  nc?: number;
  /** Whole packet size on the wire (SetMtu); capped by the transport's MTU. */
  mtu?: number;
  sndwnd?: number;
  rcvwnd?: number;
  /** Byte stream instead of messages (SetStreamMode). */
  streamMode?: boolean;
  /** Acknowledge every packet at once (SetACKNoDelay). */
  ackNoDelay?: boolean;
  /** Let writes wait for the next interval flush (SetWriteDelay). */
  writeDelay?: boolean;
  /** Close a session that has received nothing for this many ms (0: never, as kcp-go). */
  idleTimeout?: number;
  /** Close the session when KCP declares the link dead (too many retransmissions). Default true. */
  closeOnDeadLink?: boolean;
  /**
   * What the idle timeout and the dead-link check count as the peer's
   * silence. 'running' (default): only time this session's timers could
   * run — a frozen background tab, a timer throttled for a minute or a
   * suspended laptop is not the peer's silence, so the session flushes and
   * listens again before judging. 'wall': all elapsed time.
   */
  idleClock?: IdleClock;
}

export const IDLE_CLOCKS = ['running', 'wall'] as const;
export type IdleClock = (typeof IDLE_CLOCKS)[number];

export interface ResolvedOptions {
  crypt: CryptName | 'custom';
  block: BlockCrypt | null;
  dataShards: number;
  parityShards: number;
  nodelay: number;
  interval: number;
  resend: number;
  nc: number;
  mtu: number;
  sndwnd: number;
  rcvwnd: number;
  streamMode: boolean;
  ackNoDelay: boolean;
  writeDelay: boolean;
  idleTimeout: number;
  closeOnDeadLink: boolean;
  idleClock: IdleClock;
}

export class OptionError extends TypeError {
  constructor(
    readonly option: string,
    accepted: string,
    got: unknown,
  ) {
    super(`option '${option}' must be ${accepted}; got ${describe(got)}`);
    this.name = 'OptionError';
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return String(v);
}

function omitTimers(o: Readonly<SessionOptions>): SessionOptions {
  const { nodelay: _n, interval: _i, resend: _r, nc: _c, ...rest } = o;
  return rest;
}

/** `{ dataShards: undefined }` means "not given", as a missing key does, so it leaves a profile's value alone. */
function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function int(o: Record<string, unknown>, name: string, min: number, max: number, dflt: number): number {
  const v = o[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new OptionError(name, `an integer from ${min} to ${max}`, v);
  }
  return v;
}

function oneOf<T extends string>(o: Record<string, unknown>, name: string, values: readonly T[], dflt: T): T {
  const v = o[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new OptionError(name, `one of ${values.join(', ')}`, v);
  return v as T;
}

function bool(o: Record<string, unknown>, name: string, dflt: boolean): boolean {
  const v = o[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new OptionError(name, 'true or false', v);
  return v;
}

const KNOWN = new Set<string>([
  'crypt', 'key', 'block', 'dataShards', 'parityShards', 'mode', 'profile', 'nodelay', 'interval', 'resend', 'nc',
  'mtu', 'sndwnd', 'rcvwnd', 'streamMode', 'ackNoDelay', 'writeDelay', 'idleTimeout', 'closeOnDeadLink', 'idleClock',
]);

/**
 * Checks every option and fills defaults. `makeBlock` turns crypt+key into a
 * cipher (it is injected so the Node entry can pass its node:crypto backend).
 * `extraKeys` are option names the caller handles itself (e.g. 'conv').
 */
export function resolveOptions(
  options: SessionOptions & Record<string, unknown>,
  makeBlock: (cipher: Exclude<CryptName, 'null'> | Cipher, key: string | Uint8Array) => BlockCrypt,
  extraKeys: readonly string[] = [],
): ResolvedOptions {
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k) && !extraKeys.includes(k)) {
      throw new OptionError(k, `one of the known options (${[...KNOWN, ...extraKeys].join(', ')})`, 'an unknown option');
    }
  }
  const profile = (options as Record<string, unknown>).profile;
  if (profile !== undefined && (typeof profile !== 'string' || !(PROFILES as readonly string[]).includes(profile))) {
    throw new OptionError('profile', `one of ${PROFILES.join(', ')}`, profile);
  }
  // A mode given explicitly replaces the profile's nodelay/interval/resend/nc, as it would replace explicit ones.
  const base = profile ? PROFILE_OPTIONS[profile as Profile] : {};
  const o = { ...(options.mode !== undefined && options.mode !== 'manual' ? omitTimers(base) : base), ...withoutUndefined(options) } as Record<string, unknown>;

  let crypt: CryptName | 'custom';
  let block: BlockCrypt | null = null;
  if (o.block !== undefined) {
    const b = o.block as BlockCrypt;
    if (typeof b !== 'object' || b === null || typeof b.encrypt !== 'function' || typeof b.decrypt !== 'function') {
      throw new OptionError('block', 'an object with encrypt(dst, src) and decrypt(dst, src)', o.block);
    }
    if (o.crypt !== undefined || o.key !== undefined) {
      throw new OptionError('block', 'given alone, without crypt or key', 'block together with crypt/key');
    }
    crypt = 'custom';
    block = b;
  } else {
    const c = o.crypt ?? (o.key !== undefined ? 'aes' : 'null');
    const isCipher = typeof c === 'object' && c !== null && typeof (c as Cipher).create === 'function' && isCryptName(String((c as Cipher).name));
    if (!isCipher && (typeof c !== 'string' || !isCryptName(c))) {
      throw new OptionError('crypt', `one of ${CRYPT_NAMES.join(', ')}, or a cipher from 'kcp-web/ciphers'`, c);
    }
    crypt = isCipher ? (c as Cipher).name : (c as CryptName);
    const key = o.key;
    if (key !== undefined && typeof key !== 'string' && !(key instanceof Uint8Array)) {
      throw new OptionError('key', 'a passphrase string or a Uint8Array key', key);
    }
    if (crypt !== 'null') {
      if (key === undefined) throw new OptionError('key', `given when crypt is '${crypt}'`, undefined);
      if (key instanceof Uint8Array && key.length !== 32) throw new OptionError('key', 'a passphrase string or a 32-byte Uint8Array key', key);
      block = makeBlock(isCipher ? (c as Cipher) : (crypt as Exclude<CryptName, 'null'>), key);
    }
  }

  const dataShards = int(o, 'dataShards', 0, 255, 0);
  const parityShards = int(o, 'parityShards', 0, 255, 0);
  if ((dataShards === 0) !== (parityShards === 0) || dataShards + parityShards > 256) {
    throw new OptionError('dataShards/parityShards', 'both 0 (FEC off) or both ≥ 1 with a sum ≤ 256', `${dataShards}/${parityShards}`);
  }

  const mode = o.mode ?? 'manual';
  if (typeof mode !== 'string' || !(MODES as readonly string[]).includes(mode)) throw new OptionError('mode', `one of ${MODES.join(', ')}`, mode);
  // kcp-go's NewKCP defaults when no preset applies: nodelay 0, interval 100, resend 0, nc 0.
  let nodelay = int(o, 'nodelay', 0, 2, 0);
  let interval = int(o, 'interval', 1, 5000, 100);
  let resend = int(o, 'resend', 0, 255, 0);
  let nc = int(o, 'nc', 0, 1, 0);
  if (mode !== 'manual') [nodelay, interval, resend, nc] = MODE_PRESETS[mode as Exclude<Mode, 'manual'>];

  return {
    crypt,
    block,
    dataShards,
    parityShards,
    nodelay,
    interval,
    resend,
    nc,
    mtu: int(o, 'mtu', 50, MTU_LIMIT, 1400),
    sndwnd: int(o, 'sndwnd', 1, 65535, 32),
    rcvwnd: int(o, 'rcvwnd', 1, 65535, 32),
    streamMode: bool(o, 'streamMode', false),
    ackNoDelay: bool(o, 'ackNoDelay', false),
    writeDelay: bool(o, 'writeDelay', false),
    idleTimeout: int(o, 'idleTimeout', 0, 2 ** 31 - 1, 0),
    closeOnDeadLink: bool(o, 'closeOnDeadLink', true),
    idleClock: oneOf(o, 'idleClock', IDLE_CLOCKS, 'running'),
  };
}
