/**
 * Accepts KCP sessions on one datagram transport and demultiplexes incoming
 * datagrams by peer address, as kcp-go's Listener (sess.go packetInput):
 *  - datagrams are decrypted once here, then handed to the session;
 *  - a known address with a different conv and sn 0 replaces its session
 *    (a restarted client), other conv mismatches are dropped;
 *  - an unknown address opens a session only from a packet that carries a
 *    conv (a data shard or a bare KCP segment, not a parity shard), and only
 *    while the accept backlog has room.
 */
import { IKCP_OVERHEAD } from './kcp.js';
import { readI32, readU32, SN_OFFSET } from './_segment.js';
import { FEC_HEADER_SIZE_PLUS2, TYPE_DATA, fecType, isOob } from './fec.js';
import { Snmp } from './snmp.js';
import type { ResolvedOptions } from './options.js';
import { Session, SessionClosedError } from './session.js';
import { Inbox, openDatagram } from './inbox.js';
import { NoncePool, type Runtime } from './runtime.js';
import { Outbox } from './outbox.js';
import type { DatagramTransport } from './transport.js';
import { untilNull } from './_until-null.js';

/** kcp-go's acceptBacklog: sessions waiting for accept() before new ones are refused. */
export const ACCEPT_BACKLOG = 128;
/** Default cap on live sessions: a flood of new conv ids from new addresses cannot grow memory past it. */
export const MAX_SESSIONS = 10000;

export class Listener implements AsyncIterable<Session> {
  /** Counters for datagrams that never reached a session. */
  readonly stats = new Snmp();
  readonly sessions = new Map<string, Session>();
  /** Resolves once the listener is closed, with the transport failure if any. Never rejects. */
  readonly closed: Promise<Error | null>;
  /**
   * When set, each new session is handed here instead of waiting in the
   * accept backlog.
   */
  onsession: ((session: Session) => void) | null = null;

  /** New sessions refused because the backlog or the session cap was full. */
  refused = 0;
  private readonly backlog: Session[] = [];
  private readonly acceptors: Array<{ resolve: (s: Session | null) => void; reject: (e: Error) => void }> = [];
  private isClosed = false;
  /** Input bursts opened together, and every session's output sealed together (a cipher with a batch path), else null. */
  private readonly inbox: Inbox<string> | null;
  private readonly outbox: Outbox | null;
  /** One nonce pool for all sessions (4 KiB each otherwise). */
  private readonly nonce: NoncePool;
  private error: Error | null = null;
  private resolveClosed!: (e: Error | null) => void;

  /** @internal listen() builds listeners */
  constructor(
    private readonly transport: DatagramTransport,
    private readonly options: ResolvedOptions,
    private readonly runtime: Runtime,
    private readonly maxSessions = MAX_SESSIONS,
  ) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
    this.inbox = Inbox.create(options, runtime, this.stats, (plain, from) => this.route(plain, from));
    this.nonce = new NoncePool(runtime.random);
    this.outbox = options.block?.encryptPackets && !options.block.aead && runtime.afterInput ? new Outbox(options.block, this.nonce.fill, true, transport.sendCopies === true) : null;
    transport.receive(
      (d, from) => this._packetInput(d, from),
      (e) => this.shutdown(e),
    );
  }

  /** The next accepted session; null once the listener is closed. */
  accept(): Promise<Session | null> {
    const s = this.backlog.shift();
    if (s) return Promise.resolve(s);
    if (this.isClosed) return this.error ? Promise.reject(this.error) : Promise.resolve(null);
    return new Promise((resolve, reject) => this.acceptors.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<Session> {
    return untilNull(() => this.accept());
  }

  /** Closes every session and the transport. */
  close(): void {
    this.shutdown(null);
  }

  /** One datagram from `from`. Never throws: bad input is counted and dropped. @internal */
  _packetInput(data: Uint8Array, from: string): void {
    if (this.isClosed) return;
    if (this.inbox) return this.inbox.push(data, from);
    const plain = openDatagram(data, this.options.block, this.stats);
    if (plain) this.route(plain, from);
  }

  /** An opened datagram (FEC header or KCP segments) to its session, which it may open. */
  private route(data: Uint8Array, from: string): void {
    if (this.isClosed) return;

    // Plain byte reads: no DataView per datagram on the hot path.
    let conv = 0;
    let sn = 0;
    let convKnown = false;
    if (isOob(data)) {
      // An OOB packet neither opens nor replaces a session (v5.6.1 read it as
      // KCP: conv 0xFFFFFFFF and "sn" from its payload, 0 replacing the session).
      const known = this.sessions.get(from);
      if (known) known._kcpInput(data);
      else this.stats.add('OOBPackets');
      return;
    }
    const flag = fecType(data);
    if (flag !== 0) {
      if (flag === TYPE_DATA && data.length >= FEC_HEADER_SIZE_PLUS2 + IKCP_OVERHEAD) {
        conv = readI32(data, FEC_HEADER_SIZE_PLUS2);
        sn = readU32(data, FEC_HEADER_SIZE_PLUS2 + SN_OFFSET);
        convKnown = true;
      }
    } else {
      conv = readI32(data, 0);
      sn = readU32(data, SN_OFFSET);
      convKnown = true;
    }

    let s = this.sessions.get(from);
    if (s) {
      if (!convKnown || conv === s._conv32) {
        s._kcpInput(data);
        return;
      }
      if (sn !== 0) {
        this.stats.add('KCPInErrors');
        return;
      }
      // The peer restarted with a new conv: drop the old session for it.
      s.close();
      s = undefined;
    }
    if (!convKnown) return;
    if ((!this.onsession && this.backlog.length >= ACCEPT_BACKLOG) || this.sessions.size >= this.maxSessions) {
      this.refused++;
      this.stats.add('InErrs');
      return;
    }
    s = new Session({
      conv,
      remote: from,
      options: this.options,
      runtime: this.runtime,
      output: (d) => this.transport.send(d, from),
      sendCopies: this.transport.sendCopies === true,
      transportMtu: this.transport.mtu,
      passive: true,
      outbox: this.outbox,
      nonce: this.nonce,
      onClose: (closed) => {
        if (this.sessions.get(from) === closed) this.sessions.delete(from);
      },
    });
    this.sessions.set(from, s);
    s._kcpInput(data);
    this.hand(s);
  }

  private hand(s: Session): void {
    if (this.onsession) this.onsession(s);
    else if (this.acceptors.length > 0) this.acceptors.shift()!.resolve(s);
    else this.backlog.push(s);
  }

  private shutdown(error: Error | null): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.error = error;
    for (const s of [...this.sessions.values()]) {
      if (error) s._transportError(error);
      else s.close();
    }
    for (const s of this.backlog.splice(0)) s.close();
    for (const a of this.acceptors.splice(0)) error ? a.reject(error) : a.resolve(null);
    this.transport.close();
    this.resolveClosed(error);
  }
}

export { SessionClosedError };
