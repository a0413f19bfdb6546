/**
 * kcptun's KCP flags, names and defaults (its server's): the CLI contract in
 * DESIGN.md. Turned into kcp-web session options with every value checked.
 */
import type { ParseArgsConfig } from 'node:util';
import { parseHostPort } from '../transports/udp.js';
import { CRYPT_NAMES, isCryptName } from '../core/crypt/index.js';
import { MODES, MTU_LIMIT, type Mode, type SessionOptions } from '../core/options.js';

export const KCP_FLAGS = {
  crypt: { type: 'string', default: 'aes' },
  key: { type: 'string', default: "it's a secrect" }, // kcptun's default, spelling included
  mode: { type: 'string', default: 'fast' },
  datashard: { type: 'string', default: '10' },
  parityshard: { type: 'string', default: '3' },
  mtu: { type: 'string', default: '1350' },
  sndwnd: { type: 'string', default: '1024' },
  rcvwnd: { type: 'string', default: '1024' },
  nodelay: { type: 'string', default: '0' },
  interval: { type: 'string', default: '50' },
  resend: { type: 'string', default: '0' },
  nc: { type: 'string', default: '0' },
  acknodelay: { type: 'boolean', default: false },
} satisfies ParseArgsConfig['options'];

export const KCP_FLAGS_HELP = `KCP options (kcptun's names and defaults):
  --crypt NAME        ${CRYPT_NAMES.join(', ')} (default aes)
  --key SECRET        pre-shared passphrase (default "it's a secrect")
  --mode MODE         ${MODES.join(', ')} (default fast)
  --datashard N       FEC data shards, 0..255 (default 10)
  --parityshard N     FEC parity shards, 0..255 (default 3); as in kcptun, FEC
                      is off when either count is 0, and the start-up line says so
  --mtu N             packet size on the wire, 50..${MTU_LIMIT} (default 1350)
  --sndwnd N          send window in packets (default 1024)
  --rcvwnd N          receive window in packets (default 1024)
  --nodelay N --interval MS --resend N --nc 0|1
                      used with --mode manual (defaults 0, 50, 0, 0)
  --acknodelay        acknowledge every packet at once`;

/**
 * A usage error: the message starts with the flag it is about (`--mtu must
 * be …`); the command prints it as `kcp-web <command>: <message>` and exits 2.
 */
export class FlagError extends Error {
  override name = 'FlagError';
}

function intFlag(values: Record<string, unknown>, name: string, min: number, max: number): number {
  const raw = values[name];
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < min || n > max) {
    throw new FlagError(`--${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Session options from parsed kcptun flags (as kcptun: stream mode, no write delay). */
export function sessionOptionsFromFlags(values: Record<string, unknown>): SessionOptions {
  const crypt = String(values.crypt);
  if (!isCryptName(crypt)) throw new FlagError(`--crypt must be one of ${CRYPT_NAMES.join(', ')}; got ${JSON.stringify(crypt)}`);
  const mode = String(values.mode);
  if (!(MODES as readonly string[]).includes(mode)) throw new FlagError(`--mode must be one of ${MODES.join(', ')}; got ${JSON.stringify(mode)}`);
  const dataShards = intFlag(values, 'datashard', 0, 255);
  const parityShards = intFlag(values, 'parityshard', 0, 255);
  // kcp-go turns FEC off when either count is 0.
  const fec = dataShards > 0 && parityShards > 0;
  const opts: SessionOptions = {
    crypt,
    dataShards: fec ? dataShards : 0,
    parityShards: fec ? parityShards : 0,
    mode: mode as Mode,
    mtu: intFlag(values, 'mtu', 50, MTU_LIMIT),
    sndwnd: intFlag(values, 'sndwnd', 1, 65535),
    rcvwnd: intFlag(values, 'rcvwnd', 1, 65535),
    nodelay: intFlag(values, 'nodelay', 0, 2),
    interval: intFlag(values, 'interval', 1, 5000),
    resend: intFlag(values, 'resend', 0, 255),
    nc: intFlag(values, 'nc', 0, 1),
    ackNoDelay: values.acknodelay === true,
    streamMode: true,
    writeDelay: false,
  };
  if (crypt !== 'null') opts.key = String(values.key);
  return opts;
}

/** The HOST:PORT flag `name`, parsed; a FlagError naming it otherwise. */
export function checkHostPort(values: Record<string, unknown>, name: string): { host: string; port: number } {
  try {
    return parseHostPort(String(values[name]), `--${name}`);
  } catch (e) {
    throw new FlagError((e as Error).message);
  }
}
