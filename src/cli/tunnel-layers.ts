/**
 * What kcptun's client and server stack alike on a KCP session: snappy
 * (unless --nocomp), smux, and QPP on each stream; their start-up summary;
 * and how the process ends on a signal.
 */
import type { Duplex } from 'node:stream';
import type { Session } from '../core/session.js';
import type { SessionOptions } from '../core/options.js';
import { SnappyConn } from '../smux/snappy.js';
import { smuxClient, smuxServer, type SmuxSession } from '../smux/session.js';
import type { SmuxStream } from '../smux/stream.js';
import { smuxStreamToDuplex } from '../smux/node.js';
import { QuantumPermutationPad, qppStream, qppWarnings } from '../smux/qpp.js';
import type { TunnelFlags } from './tunnel-flags.js';
import type { Log } from './tunnel-log.js';

export interface TunnelLayers {
  /** smux over the session (through snappy when compressing), as the client or the server end. */
  mux(kcp: Session, side: 'client' | 'server'): SmuxSession;
  /** A stream as a Node Duplex, through QPP when --QPP is on. */
  duplex(stream: SmuxStream): Duplex;
}

export function tunnelLayers(flags: TunnelFlags, log: Log): TunnelLayers {
  // kcptun keys the pads with the raw --key, not the derived cipher key.
  const key = String(flags.values.key);
  const count = flags.qppCount;
  const qpp = count === null ? null : new QuantumPermutationPad(key, count);
  if (count !== null) for (const w of qppWarnings(key, count)) log(w);
  return {
    mux: (kcp, side) => (side === 'client' ? smuxClient : smuxServer)(flags.compress ? new SnappyConn(kcp) : kcp, flags.smux),
    duplex: (stream) => smuxStreamToDuplex(qpp ? qppStream(stream, qpp, key) : stream),
  };
}

/** kcptun's start-up lines about the session settings; `modeLabel` is how each side words the mode. */
export function logTunnelSettings(log: Log, flags: TunnelFlags, options: SessionOptions, modeLabel: string): void {
  log('encryption:', options.crypt, modeLabel, options.mode, 'sndwnd:', options.sndwnd, 'rcvwnd:', options.rcvwnd);
  log('compression:', flags.compress, 'mtu:', options.mtu, 'datashard:', options.dataShards, 'parityshard:', options.parityShards);
  log('QPP:', flags.qppCount !== null, 'QPPCount:', flags.qppCount ?? Number(flags.values.QPPCount));
  log('smux version:', flags.smux.Version, 'smuxbuf:', flags.smux.MaxReceiveBuffer, 'streambuf:', flags.smux.MaxStreamBuffer, 'framesize:', flags.smux.MaxFrameSize, 'keepalive:', flags.smux.KeepAliveInterval / 1000);
}

/** Runs a started tunnel until SIGINT or SIGTERM, then closes it and exits 0. */
export function closeOnSignal(tunnel: { close(): Promise<void> }): void {
  const stop = () => void tunnel.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
