/**
 * DatagramTransport over node:dgram (Node only).
 *
 * `udpConnect` makes a connected client socket (the kernel filters out other
 * senders, as kcp-go's client read loop does by hand); `udpListen` makes a
 * server socket that sends to and receives from many peers, addressed as
 * "host:port" ("[v6]:port" for IPv6).
 */
import dgram from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import type { DatagramTransport } from '../core/transport.js';
import { BaseTransport } from './_base.js';
import { MTU_LIMIT } from '../core/options.js';
import { ReusedCopies } from '../core/_copies.js';

export interface UdpOptions {
  /** SO_RCVBUF / SO_SNDBUF in bytes. The kernel default (~212 KB) drops bursts; kcp-go users set 4 MiB. */
  bufferSize?: number;
  /** Client sockets: bind to this local address ("host:port") first, e.g. to come back from the same port after a restart. */
  local?: string;
}

const DEFAULT_BUFFER = 4 << 20;

/** Splits "host:port" / "[v6]:port"; throws naming the accepted form. */
export function parseHostPort(addr: string, what = 'address'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]*)):(\d+)$/.exec(addr);
  if (!m) throw new TypeError(`${what} must be HOST:PORT (e.g. 127.0.0.1:29900 or [::1]:29900); got ${JSON.stringify(addr)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new TypeError(`${what} port must be from 0 to 65535; got ${m[3]}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Whether `host` (a name, an address, or a URL's bracketed IPv6 hostname) is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1' || host === '[::1]';
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Parsed destination addresses a listener keeps (about one per peer). */
const DESTINATIONS_KEPT = 20_000;

/** Free send buffers kept for reuse (more are made while more sends are in flight). */
const SPARE_BUFFERS = 256;

/**
 * One send in this many carries a callback, which frees the copies of all
 * sends up to it (they finish in call order, see sendCopies). A callback
 * costs a nextTick and a call per datagram otherwise; the copies of the
 * last few sends wait for a later one, at most this many buffers. Errors of
 * the sends without one are lost to send(): a connected socket's
 * ECONNREFUSED also arrives through its receive side ('error').
 */
const RELEASE_EVERY = 16;

class UdpTransport extends BaseTransport {
  readonly mtu = MTU_LIMIT;
  /**
   * send() copies each datagram into a buffer of its own, reused once dgram
   * has sent it: dgram keeps a datagram until then, and sends in call order
   * (libuv queues behind any send it could not finish at once, and finishes
   * nothing out of that order), so after k callbacks, whichever came first,
   * the k oldest copies are free. Only every RELEASE_EVERY-th send has a
   * callback: when it runs, that send and all before it are done.
   */
  readonly sendCopies = true;
  /** Send errors on a listening socket: counted, not fatal. */
  sendErrors = 0;
  private readonly buffers = new ReusedCopies(SPARE_BUFFERS);
  /** Reused copies sent since the last send with a callback. */
  private uncounted = 0;

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

  /**
   * The callback of every RELEASE_EVERY-th reused send (one function, none
   * made per datagram). A client's send error (ECONNREFUSED: nobody at that
   * port) ends its session; a server's (one peer unreachable, ENOBUFS) must
   * not end all.
   */
  private readonly sent = (err: Error | null): void => {
    this.buffers.release(RELEASE_EVERY);
    if (err) this.sendFailed(err);
  };

  private readonly sendFailed = (err: Error | null): void => {
    if (!err) return;
    if (this.connectedTo !== null) this.fail(err);
    else this.sendErrors++;
  };

  /**
   * Destinations parsed once: a listener sends to the same few peers again
   * and again. `literal`: an IP address, which dgram needs no lookup for.
   */
  private readonly destinations = new Map<string, { host: string; port: number; literal: boolean }>();

  private destination(to: string): { host: string; port: number; literal: boolean } | null {
    let d = this.destinations.get(to);
    if (d) return d;
    try {
      const { host, port } = parseHostPort(to, 'destination');
      d = { host, port, literal: isIP(host) !== 0 };
    } catch {
      return null;
    }
    // Bounded: a flood of addresses only costs the parse again.
    if (this.destinations.size >= DESTINATIONS_KEPT) this.destinations.clear();
    this.destinations.set(to, d);
    return d;
  }

  send(datagram: Uint8Array, to?: string): void {
    if (this.closed) return;
    let port = 0;
    let host = '';
    // A host name is looked up first, and lookups may finish out of order:
    // such a send gets a fresh copy, outside the reused ones.
    let reused = true;
    if (this.connectedTo === null) {
      if (to === undefined) {
        this.fail(new TypeError('udp listener send needs a destination address'));
        return;
      }
      const dest = this.destination(to);
      if (!dest) {
        this.sendErrors++;
        return;
      }
      ({ host, port, literal: reused } = dest);
    }
    const copy = reused ? this.buffers.take(datagram) : datagram.slice();
    const counted = reused && ++this.uncounted === RELEASE_EVERY;
    if (counted) this.uncounted = 0;
    const done = counted ? this.sent : reused ? undefined : this.sendFailed;
    // dgram can also throw synchronously (a socket the runtime already tore
    // down after an ICMP error): the same handling, never an exception into KCP.
    try {
      if (this.connectedTo !== null) this.socket.send(copy, done);
      else this.socket.send(copy, port, host, done);
    } catch (e) {
      if (reused) {
        // Not in flight: a later callback must not count it.
        this.buffers.unsent();
        this.uncounted = counted ? RELEASE_EVERY - 1 : this.uncounted - 1;
      }
      this.sendFailed(e as Error);
    }
  }

  protected release(): void {
    try {
      this.socket.close();
    } catch {
      // already closed by the runtime
    }
  }
}

/**
 * dgram looks up every destination, IP addresses too (dns.lookup answers
 * those on the next tick, and the send waits for it): an address is
 * answered at once, so the send leaves within send().
 */
const lookup: NonNullable<dgram.SocketOptions['lookup']> = (host, options, done) => {
  const v = isIP(host);
  if (v !== 0) done(null, host, v);
  else dnsLookup(host, options, done);
};

function socketFor(host: string): dgram.Socket {
  return dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', lookup });
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

/** Raises a socket's kernel buffers (default 4 MiB each): the default (about 200 KB) overflows whenever a burst meets a busy event loop. */
export function raiseBuffers(s: dgram.Socket, size = DEFAULT_BUFFER): void {
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
  if (connect && options.local !== undefined) {
    const local = parseHostPort(options.local, 'local');
    await settle(s, (done) => s.bind(local.port, local.host, done));
  }
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
