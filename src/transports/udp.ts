/**
 * DatagramTransport over node:dgram (Node only).
 *
 * `udpConnect` makes a connected client socket (the kernel filters out other
 * senders, as kcp-go's client read loop does by hand); `udpListen` makes a
 * server socket that sends to and receives from many peers, addressed as
 * "host:port" ("[v6]:port" for IPv6).
 */
import dgram from 'node:dgram';
import type { DatagramTransport } from './transport.js';
import { BaseTransport } from './_base.js';
import { MTU_LIMIT } from '../core/options.js';

export interface UdpOptions {
  /** SO_RCVBUF / SO_SNDBUF in bytes. The kernel default (~212 KB) drops bursts; kcp-go users set 4 MiB. */
  bufferSize?: number;
}

const DEFAULT_BUFFER = 4 << 20;
/** Peers whose parsed address a listening socket keeps (past the default session cap). */
const MAX_DESTINATIONS = 65536;

/** Splits "host:port" / "[v6]:port"; throws naming the accepted form. */
export function parseHostPort(addr: string, what = 'address'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]*)):(\d{1,5})$/.exec(addr);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new TypeError(`${what} must be HOST:PORT (e.g. 127.0.0.1:29900 or [::1]:29900); got ${JSON.stringify(addr)}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

class UdpTransport extends BaseTransport {
  readonly mtu = MTU_LIMIT;
  /** Parsed "host:port" of the peers a listening socket sends to. */
  private readonly destinations = new Map<string, { host: string; port: number }>();

  constructor(
    readonly socket: dgram.Socket,
    private readonly connectedTo: string | null,
  ) {
    super();
    socket.on('message', (msg, rinfo) => this.deliver(msg, this.connectedTo ?? formatHostPort(rinfo.address, rinfo.port)));
    socket.on('error', (e) => this.fail(e));
  }

  get localAddress(): string {
    const a = this.socket.address();
    return formatHostPort(a.address, a.port);
  }

  send(datagram: Uint8Array, to?: string): void {
    if (this.closed) return;
    if (this.connectedTo !== null) {
      // A client's send error (ECONNREFUSED: nobody at that port) ends its session.
      this.socket.send(datagram, this.onClientSent);
      return;
    }
    if (to === undefined) {
      this.fail(new TypeError('udp listener send needs a destination address'));
      return;
    }
    let dest = this.destinations.get(to);
    if (dest === undefined) {
      // Bounded: entries of closed sessions go when the cache is rebuilt.
      if (this.destinations.size >= MAX_DESTINATIONS) this.destinations.clear();
      dest = parseHostPort(to, 'destination');
      this.destinations.set(to, dest);
    }
    // No callback: one peer's failure (unreachable, ENOBUFS) must not end the
    // others, it is a lost datagram KCP retransmits; and without a callback
    // Node skips a completion callback into JS for every datagram.
    this.socket.send(datagram, dest.port, dest.host);
  }

  private readonly onClientSent = (err: Error | null): void => {
    if (err) this.fail(err);
  };

  protected release(): void {
    try {
      this.socket.close();
    } catch {
      // already closed by the runtime
    }
  }
}

function socketFor(host: string): dgram.Socket {
  return dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
}

/** Runs a connect/bind and turns its 'error' event into a rejection (closing the socket). */
function settle(s: dgram.Socket, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      s.close();
      reject(e);
    };
    s.once('error', onError);
    start(() => {
      s.off('error', onError);
      resolve();
    });
  });
}

function raiseBuffers(s: dgram.Socket, size: number): void {
  // The kernel may cap these (net.core.rmem_max); a smaller buffer still works.
  try {
    s.setRecvBufferSize(size);
    s.setSendBufferSize(size);
  } catch {
    /* capped or unsupported */
  }
}

/** Opens a socket for `address` and runs `start` (bind or connect) on it. */
async function open(address: string, what: string, connect: boolean, options: UdpOptions): Promise<UdpTransport> {
  const { host, port } = parseHostPort(address, what);
  const s = socketFor(host);
  await settle(s, (done) => (connect ? s.connect(port, host, done) : s.bind(port, host, done)));
  raiseBuffers(s, options.bufferSize ?? DEFAULT_BUFFER);
  return new UdpTransport(s, connect ? address : null);
}

/** A client transport: a fresh UDP socket connected to `remote` ("host:port"). */
export function udpConnect(remote: string, options: UdpOptions = {}): Promise<DatagramTransport & { localAddress: string }> {
  return open(remote, 'remote', true, options);
}

/** A server transport bound to `listen` ("host:port"; port 0 picks one). */
export function udpListen(listen: string, options: UdpOptions = {}): Promise<DatagramTransport & { localAddress: string }> {
  return open(listen, 'listen', false, options);
}
