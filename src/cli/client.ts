/**
 * `kcp-web client`: kcptun's client. Accepts TCP connections on --localaddr
 * and carries each as a smux stream over a KCP session to --remoteaddr
 * (kcptun's server, or `kcp-web server`).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { dialUdp } from '../index.node.js';
import type { SessionOptions } from '../core/options.js';
import type { SmuxSession } from '../smux/session.js';
import { FlagError, sessionOptionsFromFlags } from './kcp-flags.js';
import { parsePortRange, parseTunnelFlags, TUNNEL_FLAGS_HELP, type TunnelFlags } from './tunnel-flags.js';
import { pipeBoth } from './pipe.js';
import { closeOnSignal, logTunnelSettings, tunnelLayers } from './tunnel-layers.js';
import { makeLog, type Log } from './tunnel-log.js';

export const CLIENT_HELP = `Usage: kcp-web client --localaddr HOST:PORT --remoteaddr HOST:PORT [options]

kcptun's client: TCP connections to --localaddr travel as smux streams over
KCP to --remoteaddr (a kcptun server or kcp-web server).
  --localaddr, -l HOST:PORT   TCP address to listen on (default :12948)
  --remoteaddr, -r HOST:PORT  KCP server, or HOST:MINPORT-MAXPORT (default vps:29900)
  --conn N                    KCP sessions to spread connections over (default 1)
  --autoexpire SEC            replace a session after SEC seconds, 0 never (default 0)
  --scavengettl SEC           how long an expired session may live on (default 600)
  --closewait SEC             seconds to wait before tearing a connection down (default 0)

${TUNNEL_FLAGS_HELP}`;

interface Slot {
  session: SmuxSession | null;
  pending: Promise<SmuxSession> | null;
  expires: number;
}

export interface TunnelClient {
  /** The TCP address it listens on. */
  address: string;
  close(): Promise<void>;
}

export async function startTunnelClient(flags: TunnelFlags, log: Log = makeLog(flags.log)): Promise<TunnelClient> {
  const v = flags.values;
  const cmd = 'client';
  const local = parsePortRange(String(v.localaddr), 'localaddr', cmd);
  if (local.min !== local.max) throw new FlagError(`--localaddr takes one port; got ${JSON.stringify(v.localaddr)}`);
  const remote = parsePortRange(String(v.remoteaddr), 'remoteaddr', cmd);
  const numConn = Number(v.conn);
  if (!Number.isInteger(numConn) || numConn < 1 || numConn > 65535) throw new FlagError(`--conn must be an integer from 1 to 65535; got ${JSON.stringify(v.conn)}`);
  const autoExpire = Number(v.autoexpire);
  const scavengeTtl = Number(v.scavengettl);
  for (const [name, n] of [['autoexpire', autoExpire], ['scavengettl', scavengeTtl]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new FlagError(`--${name} must be an integer ≥ 0; got ${JSON.stringify(v[name])}`);
  }
  const options: SessionOptions = sessionOptionsFromFlags(v);

  const layers = tunnelLayers(flags, log);

  const remoteHost = remote.host.includes(':') ? `[${remote.host}]` : remote.host || '127.0.0.1';
  const pickRemote = () => `${remoteHost}:${remote.min + Math.floor(Math.random() * (remote.max - remote.min + 1))}`;

  const sessions = new Set<SmuxSession>();
  let closing = false;

  async function createConn(): Promise<SmuxSession> {
    const kcp = await dialUdp(pickRemote(), { ...options, udp: { bufferSize: flags.sockbuf } });
    log('smux version:', flags.smux.Version, 'on connection:', kcp.remote, '->', String(v.remoteaddr));
    const mux = layers.mux(kcp, 'client');
    sessions.add(mux);
    void mux.closed.then((e) => {
      sessions.delete(mux);
      if (e && !closing) log('session closed:', e);
    });
    return mux;
  }

  /** kcptun's waitConn: retry every second until a session comes up. */
  async function waitConn(): Promise<SmuxSession> {
    for (;;) {
      try {
        return await createConn();
      } catch (e) {
        if (closing) throw e;
        log('re-connecting:', e);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  const slots: Slot[] = Array.from({ length: numConn }, () => ({ session: null, pending: null, expires: 0 }));
  let rr = 0;

  async function sessionFor(slot: Slot): Promise<SmuxSession> {
    const now = Date.now();
    const s = slot.session;
    if (s && !s.isClosed && !(autoExpire > 0 && now > slot.expires)) return s;
    if (!slot.pending) {
      if (s && !s.isClosed && autoExpire > 0) {
        // An expired session lives on for scavengettl, then closes (kcptun's scavenger).
        const old = s;
        setTimeout(() => old.close(), scavengeTtl * 1000).unref();
      }
      slot.pending = waitConn().then((m) => {
        slot.session = m;
        slot.expires = Date.now() + autoExpire * 1000;
        slot.pending = null;
        return m;
      });
    }
    return slot.pending;
  }

  async function handleClient(p1: Socket): Promise<void> {
    const slot = slots[rr++ % numConn]!;
    let stream;
    try {
      const mux = await sessionFor(slot);
      stream = await mux.openStream();
    } catch (e) {
      log(e);
      p1.destroy();
      return;
    }
    const p2 = layers.duplex(stream);
    const id = `${p1.remoteAddress}:${p1.remotePort}`;
    if (!flags.quiet) log('stream opened', 'in:', id, 'out:', `${String(v.remoteaddr)}(${stream.id})`);
    await pipeBoth(p1, p2, flags.closeWait);
    if (!flags.quiet) log('stream closed', 'in:', id, 'out:', `${String(v.remoteaddr)}(${stream.id})`);
  }

  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (sock) => {
    sock.on('error', () => {});
    void handleClient(sock);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`--localaddr ${String(v.localaddr)}: ${e.message}`)));
    server.listen({ host: local.host || undefined, port: local.min }, () => resolve());
  });
  const addr = server.address();
  const address = typeof addr === 'object' && addr ? `${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}` : String(v.localaddr);
  log('listening on:', address);
  log('remote address:', String(v.remoteaddr));
  logTunnelSettings(log, flags, options, 'nodelay parameters:');
  return {
    address,
    close: async () => {
      closing = true;
      await new Promise<void>((r) => server.close(() => r()));
      for (const s of sessions) s.close();
    },
  };
}

export async function runClient(args: string[]): Promise<void> {
  const flags = parseTunnelFlags('client', args, CLIENT_HELP);
  if (!flags) return;
  closeOnSignal(await startTunnelClient(flags));
}
