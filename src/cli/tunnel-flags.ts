/**
 * kcptun's client and server flags: names, aliases and defaults of its last
 * release (smux v2, 8 KiB frames, snappy on, QPP off), parsed the way its CLI library
 * takes them (`-mode fast` and `--mode=fast` alike), plus its JSON config
 * file (-c). Flags kcp-web does not implement name themselves and exit 2
 * when set to anything but their default.
 */
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { FlagError, KCP_FLAGS, KCP_FLAGS_HELP } from './kcp-flags.js';
import { parseFlags } from './parse.js';
import { verifySmuxConfig, type SmuxConfig } from '../smux/config.js';

type FlagTable = NonNullable<ParseArgsConfig['options']>;

/** Shared by client and server (kcptun's values; the windows differ, see below). */
const TUNNEL_FLAGS = {
  ...KCP_FLAGS,
  nocomp: { type: 'boolean', default: false },
  smuxver: { type: 'string', default: '2' },
  smuxbuf: { type: 'string', default: '4194304' },
  streambuf: { type: 'string', default: '2097152' },
  framesize: { type: 'string', default: '8192' },
  keepalive: { type: 'string', default: '10' },
  sockbuf: { type: 'string', default: '4194304' },
  quiet: { type: 'boolean', default: false },
  log: { type: 'string', default: '' },
  c: { type: 'string', default: '' },
  QPP: { type: 'boolean', default: false },
  QPPCount: { type: 'string', default: '61' },
  // Accepted so kcptun command lines parse; refused unless left at the default.
  ratelimit: { type: 'string', default: '0' },
  dscp: { type: 'string', default: '0' },
  snmplog: { type: 'string', default: '' },
  snmpperiod: { type: 'string', default: '60' },
  tcp: { type: 'boolean', default: false },
  pprof: { type: 'boolean', default: false },
} satisfies FlagTable;

export const CLIENT_FLAGS = {
  ...TUNNEL_FLAGS,
  localaddr: { type: 'string', default: ':12948' },
  remoteaddr: { type: 'string', default: 'vps:29900' },
  sndwnd: { type: 'string', default: '128' },
  rcvwnd: { type: 'string', default: '512' },
  conn: { type: 'string', default: '1' },
  autoexpire: { type: 'string', default: '0' },
  scavengettl: { type: 'string', default: '600' },
  closewait: { type: 'string', default: '0' },
} satisfies FlagTable;

export const SERVER_FLAGS = {
  ...TUNNEL_FLAGS,
  listen: { type: 'string', default: ':29900' },
  target: { type: 'string', default: '127.0.0.1:12948' },
  closewait: { type: 'string', default: '30' },
} satisfies FlagTable;

/** kcptun's short and alternative names. */
const ALIASES: Record<'client' | 'server', Record<string, string>> = {
  client: { l: 'localaddr', r: 'remoteaddr', ds: 'datashard', ps: 'parityshard' },
  server: { l: 'listen', t: 'target', ds: 'datashard', ps: 'parityshard' },
};

/** Why each unimplemented flag is refused. */
const UNSUPPORTED: Record<string, string> = {
  ratelimit: 'packet pacing is not implemented',
  dscp: 'DSCP marking is not implemented',
  snmplog: 'SNMP logging to a file is not implemented',
  snmpperiod: 'SNMP logging to a file is not implemented',
  tcp: "kcptun's TCP emulation (tcpraw) is not implemented",
  pprof: 'Go profiling has no equivalent',
};

export const TUNNEL_FLAGS_HELP = `Tunnel options (kcptun's names and defaults; -name and --name both work):
  --nocomp            no snappy compression (must match the peer)
  --smuxver N         smux version, 1 or 2 (default 2; Debian's 2021 kcptun uses 1)
  --smuxbuf BYTES     overall de-mux buffer (default 4194304)
  --streambuf BYTES   per-stream receive window, smux v2 (default 2097152)
  --framesize BYTES   largest smux frame sent (default 8192)
  --keepalive SEC     seconds between smux keepalives, at most 30 (default 10)
  --sockbuf BYTES     UDP socket buffers (default 4194304)
  --QPP               Quantum Permutation Pads on every stream, keyed by the raw
                      --key (must match the peer; kcptun wants a key of 211+ bytes)
  --QPPCount N        number of pads, a prime such as the default 61 (default 61)
  --quiet             no 'stream open/close' lines
  --log FILE          append the log to FILE instead of stderr
  -c FILE             kcptun JSON config; its values override the flags
  --datashard/-ds, --parityshard/-ps as below.
Refused unless left at their defaults: --ratelimit --dscp
  --snmplog --snmpperiod --tcp --pprof

${KCP_FLAGS_HELP.replace('(default 1024)', '(default: client 128, server 1024)').replace('(default 1024)', '(default: client 512, server 1024)')}`;

/** `-mode fast` → `--mode fast`, `-ds 10` → `--datashard 10`, `-l :1` → `--localaddr :1`. */
export function normalizeArgs(args: string[], side: 'client' | 'server'): string[] {
  const aliases = ALIASES[side];
  return args.map((a) => {
    const m = /^--?([A-Za-z][\w-]*)(=.*)?$/.exec(a);
    if (!m) return a;
    const name = aliases[m[1]!] ?? m[1]!;
    return `--${name}${m[2] ?? ''}`;
  });
}

/** kcptun's JSON config keys that differ from the flag names. */
const JSON_KEYS: Record<string, string> = { qpp: 'QPP', 'qpp-count': 'QPPCount' };

function applyJsonConfig(values: Record<string, string | boolean | undefined>, file: string, table: FlagTable, cmd: string): void {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FlagError(`-c ${file}: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new FlagError(`-c ${file}: expected a JSON object`);
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    const name = JSON_KEYS[k] ?? k;
    const spec = table[name];
    if (!spec || name === 'c') throw new FlagError(`-c ${file}: unknown key ${JSON.stringify(k)}`);
    if (spec.type === 'boolean') {
      if (typeof v !== 'boolean') throw new FlagError(`-c ${file}: ${k} must be true or false`);
      values[name] = v;
    } else {
      if (typeof v !== 'string' && typeof v !== 'number') throw new FlagError(`-c ${file}: ${k} must be a string or number`);
      values[name] = String(v);
    }
  }
}

export interface TunnelFlags {
  values: Record<string, string | boolean | undefined>;
  smux: SmuxConfig;
  compress: boolean;
  closeWait: number;
  quiet: boolean;
  sockbuf: number;
  log: string;
  /** QPP's pad count when --QPP is on, else null. */
  qppCount: number | null;
}

function int(values: Record<string, unknown>, name: string, min: number, max: number, cmd: string): number {
  const raw = values[name];
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw) || n < min || n > max) throw new FlagError(`--${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(raw)}`);
  return n;
}

/** Parses kcptun flags for `side`; null when --help was printed. */
export function parseTunnelFlags(side: 'client' | 'server', args: string[], help: string): TunnelFlags | null {
  const table: FlagTable = side === 'client' ? CLIENT_FLAGS : SERVER_FLAGS;
  const parsed = parseFlags(normalizeArgs(args, side), table, help);
  if (!parsed) return null;
  const values = { ...parsed };
  if (typeof values.c === 'string' && values.c !== '') applyJsonConfig(values, values.c, table, side);
  // kcptun reads the key from KCPTUN_KEY when --key is not given.
  const env = process.env.KCPTUN_KEY;
  if (env && !args.some((a) => /^--?key(=|$)/.test(a))) values.key = env;
  for (const [name, why] of Object.entries(UNSUPPORTED)) {
    if (values[name] !== table[name]!.default) throw new FlagError(`--${name} is not supported (${why})`);
  }
  const cmd = side;
  const version = int(values, 'smuxver', 1, 2, cmd) as 1 | 2;
  const keepalive = int(values, 'keepalive', 1, 30, cmd);
  let smux: SmuxConfig;
  try {
    smux = verifySmuxConfig({
      Version: version,
      MaxReceiveBuffer: int(values, 'smuxbuf', 1, 2147483647, cmd),
      MaxStreamBuffer: int(values, 'streambuf', 1, 2147483647, cmd),
      MaxFrameSize: int(values, 'framesize', 1, 65535, cmd),
      KeepAliveInterval: keepalive * 1000,
      // kcptun leaves smux's default 30 s, which is why --keepalive stops at 30.
      KeepAliveTimeout: 30_000,
    });
  } catch (e) {
    const names: Record<string, string> = { 'smux MaxReceiveBuffer': '--smuxbuf', 'smux MaxStreamBuffer': '--streambuf', 'smux MaxFrameSize': '--framesize' };
    throw new FlagError((e as Error).message.replace(/^smux \w+/, (m) => names[m] ?? m));
  }
  return {
    values,
    smux,
    compress: values.nocomp !== true,
    closeWait: int(values, 'closewait', 0, 86400, cmd),
    quiet: values.quiet === true,
    sockbuf: int(values, 'sockbuf', 1024, 1 << 30, cmd),
    log: typeof values.log === 'string' ? values.log : '',
    qppCount: values.QPP === true ? int(values, 'QPPCount', 1, 65535, cmd) : null,
  };
}

/** kcptun's address forms: "HOST:PORT" or "HOST:MIN-MAX" (a port range); an empty host is all interfaces. */
export function parsePortRange(addr: string, flag: string, cmd: string): { host: string; min: number; max: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]*)):(\d{1,5})(?:-(\d{1,5}))?$/.exec(addr);
  const min = m ? Number(m[3]) : NaN;
  const max = m ? Number(m[4] ?? m[3]) : NaN;
  if (!m || max > 65535 || min > max) throw new FlagError(`--${flag} must be HOST:PORT or HOST:MINPORT-MAXPORT; got ${JSON.stringify(addr)}`);
  return { host: m[1] ?? m[2] ?? '', min, max };
}

/** --target: "HOST:PORT" for TCP, anything else a unix socket path (as kcptun decides with SplitHostPort). */
export function parseHostPortFlag(target: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:\s\/]*)):(\d{1,5})$/.exec(target);
  if (!m || Number(m[3]) > 65535) return null;
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
}
