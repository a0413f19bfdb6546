/**
 * `kcp-web server`: kcptun's server. Accepts KCP sessions on --listen, each
 * carrying smux streams, and connects every stream to --target over TCP.
 */
import { connect, type Socket } from 'node:net';
import { listenUdp } from '../index.node.js';
import type { Session } from '../core/session.js';
import type { Listener } from '../core/listener.js';
import type { SessionOptions } from '../core/options.js';
import type { SmuxSession } from '../smux/session.js';
import type { SmuxStream } from '../smux/stream.js';
import { FlagError, sessionOptionsFromFlags } from './kcp-flags.js';
import { parsePortRange, parseHostPortFlag, parseTunnelFlags, TUNNEL_FLAGS_HELP, type TunnelFlags } from './tunnel-flags.js';
import { pipeBoth } from './pipe.js';
import { closeOnSignal, logTunnelSettings, tunnelLayers } from './tunnel-layers.js';
import { makeLog, type Log } from './tunnel-log.js';

export const SERVER_HELP = `Usage: kcp-web server --listen HOST:PORT --target HOST:PORT [options]

kcptun's server: KCP sessions on --listen carry smux streams, and each
stream is connected to --target over TCP.
  --listen, -l HOST:PORT   UDP address, or HOST:MINPORT-MAXPORT (default :29900)
  --target, -t HOST:PORT   TCP address, or a unix socket path (default 127.0.0.1:12948)
  --closewait SEC          seconds to wait before tearing a connection down (default 30)

${TUNNEL_FLAGS_HELP}`;

export interface TunnelServer {
  /** The UDP addresses it listens on. */
  addresses: string[];
  close(): Promise<void>;
}

export async function startTunnelServer(flags: TunnelFlags, log: Log = makeLog(flags.log)): Promise<TunnelServer> {
  const v = flags.values;
  const listen = parsePortRange(String(v.listen), 'listen', 'server');
  const target = String(v.target);
  const tcpTarget = parseHostPortFlag(target);
  const options: SessionOptions = sessionOptionsFromFlags(v);
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host || '0.0.0.0';
  const layers = tunnelLayers(flags, log);
  const listeners: Array<Listener & { address: string }> = [];
  const muxes = new Set<SmuxSession>();
  let closing = false;

  const dialTarget = (): Socket => (tcpTarget ? connect({ host: tcpTarget.host, port: tcpTarget.port, allowHalfOpen: true, noDelay: true }) : connect({ path: target, allowHalfOpen: true }));

  function handleStream(remote: string, stream: SmuxStream): void {
    const p2 = dialTarget();
    const id = `${remote}(${stream.id})`;
    let connected = false;
    p2.once('error', (e) => {
      if (connected) return;
      log(e);
      stream.close();
    });
    p2.once('connect', () => {
      connected = true;
      if (!flags.quiet) log('stream opened', 'in:', id, 'out:', target);
      void pipeBoth(layers.duplex(stream), p2, flags.closeWait).then(() => {
        if (!flags.quiet) log('stream closed', 'in:', id, 'out:', target);
      });
    });
  }

  async function handleSession(kcp: Session): Promise<void> {
    log('remote address:', kcp.remote);
    const mux = layers.mux(kcp, 'server');
    muxes.add(mux);
    log('smux version:', flags.smux.Version, 'on connection:', kcp.remote);
    for await (const stream of mux) handleStream(kcp.remote, stream);
    muxes.delete(mux);
    if (mux.error && !closing) log(mux.error);
  }

  try {
    for (let port = listen.min; port <= listen.max; port++) {
      const l = await listenUdp(`${host}:${port}`, { ...options, udp: { bufferSize: flags.sockbuf } });
      listeners.push(l);
      void (async () => {
        for await (const s of l) void handleSession(s);
      })();
    }
  } catch (e) {
    for (const l of listeners) l.close();
    throw new Error(`--listen ${String(v.listen)}: ${(e as Error).message}`);
  }
  const addresses = listeners.map((l) => l.address);
  log('listening on:', addresses.join(' '));
  log('target:', target);
  logTunnelSettings(log, flags, options, 'mode:');
  return {
    addresses,
    close: async () => {
      closing = true;
      for (const m of muxes) m.close();
      for (const l of listeners) l.close();
    },
  };
}

export async function runServer(args: string[]): Promise<void> {
  const flags = parseTunnelFlags('server', args, SERVER_HELP);
  if (!flags) return;
  closeOnSignal(await startTunnelServer(flags));
}
