/**
 * A KCP session: the pipeline crypto → FEC → KCP of kcp-go's UDPSession
 * (sess.go), without I/O of its own. Datagrams come in through
 * `_packetInput` (or `_kcpInput` when a listener already decrypted them) and
 * leave through the `output` callback; time comes from the injected runtime.
 *
 * The application side offers three equivalent ways to read: `read()`, the
 * async iterator, and `readable` (a WHATWG ReadableStream); and `write()`
 * (waits for window room, as kcp-go's Write blocks), `send()` (never waits,
 * for game state updates) and `writable`.
 */
import { Kcp, IKCP_OVERHEAD, FLUSH_ACKS, FLUSH_ALL } from './kcp.js';
import { FecDecoder, FecEncoder, FEC_HEADER_SIZE_PLUS2, TYPE_DATA, TYPE_PARITY, fecType, isOob } from './fec.js';
import { cryptHeaderSize, cryptTrailerSize, sealPacket } from './crypt/packet.js';
import { Outbox } from './outbox.js';
import { Inbox, openDatagram } from './inbox.js';
import type { BlockCrypt } from './crypt/index.js';
import { DefaultSnmp, Snmp } from './snmp.js';
import { MAX_PACKET_SIZE, type ResolvedOptions } from './options.js';
import { NoncePool, type Runtime } from './runtime.js';
import { untilNull } from './_until-null.js';
import { WebStreams } from './_web-streams.js';

/**
 * New segments per flush when the runtime can run work after input
 * (Kcp.flushLimit): ~64 × 1.4 KB leave in well under a millisecond, so a
 * 1 MiB write does not hold the event loop for ~15 ms while ACKs wait.
 */
const FLUSH_SLICE = 64;

/** Largest chunk one stream-mode read hands out (kcp-go's echo and sink read into 64 KiB). */
const STREAM_READ_MAX = 65536;

/**
 * A tick this late (ms) means the session could not run meanwhile — a
 * frozen page, an intensively throttled timer, a suspended machine — rather
 * than a busy loop; a hidden Chromium page's 1-per-second timers stay under it.
 */
export const STALL_MS = 1500;

/** How long a peer must also have been silent before a dead-link mark closes the session (2 s still closed a live session once under 30% loss on a loaded machine). */
export const DEAD_LINK_SILENCE_MS = 5000;

export class SessionClosedError extends Error {
  constructor(message = 'session closed') {
    super(message);
    this.name = 'SessionClosedError';
  }
}

export interface SessionInit {
  conv: number;
  /** The peer's address as the transport names it. */
  remote: string;
  options: ResolvedOptions;
  runtime: Runtime;
  /** Sends one finished datagram to the peer; the array is the transport's to keep, unless sendCopies. */
  output: (datagram: Uint8Array) => void;
  /** output is done with a datagram when it returns (DatagramTransport.sendCopies): it gets views of reused buffers. */
  sendCopies?: boolean;
  /** Largest datagram the transport carries; the KCP MTU is capped to it. */
  transportMtu: number;
  /** true for sessions a listener accepted (kcp-go's PassiveOpens). */
  passive: boolean;
  /** Called once, after the session closed (listener bookkeeping, client socket). */
  onClose?: (session: Session) => void;
  /** The transport's room for more datagrams (DatagramTransport.sendRoom); unlimited if absent. */
  sendRoom?: () => number;
  /** A listener's outbox and nonces, shared by its sessions; else each session has its own. */
  outbox?: Outbox | null;
  nonce?: NoncePool;
}

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

export class Session implements AsyncIterable<Uint8Array> {
  /** The conversation id as an int32, never a heap number to V8 (see the listener's route). @internal */
  readonly _conv32: number;
  readonly remote: string;
  /** This session's counters; every bump also lands in DefaultSnmp. */
  readonly stats = new Snmp();
  /** Ticks that came more than STALL_MS late: times the session could not run (a frozen or throttled page). */
  stalls = 0;
  /** Set when the session was closed by a failure (dead link, idle timeout, transport error). */
  error: Error | null = null;
  /** Resolves once the session is closed, with the failure if there was one. Never rejects. */
  readonly closed: Promise<Error | null>;
  private messageHandler: ((message: Uint8Array) => void) | null = null;

  private readonly kcp: Kcp;
  private readonly block: BlockCrypt | null;
  private readonly fecEncoder: FecEncoder | null;
  private fecDecoder: FecDecoder | null;
  private readonly headerSize: number;
  /** Bytes the cipher appends to each datagram (an AEAD's tag), else 0. */
  private readonly trailerSize: number;
  /** With sendCopies and a trailer: the datagram being sealed, reused (the packet itself has no room for the tag). */
  private sealBuffer: Uint8Array | null = null;
  private readonly options: ResolvedOptions;
  private readonly runtime: Runtime;
  private readonly output: (datagram: Uint8Array) => void;
  private readonly sendCopies: boolean;
  private readonly sendRoom: (() => number) | null;
  /** New segments per flush: FLUSH_SLICE when the runtime can run work after input, else no limit. */
  private sliceLimit = Infinity;
  private readonly nonce: NoncePool;
  /** Input bursts opened together (a cipher with a batch path), else null. */
  private readonly inbox: Inbox<null> | null;
  /** Datagrams sealed together (a cipher with a batch path): the flush's, or with a listener's all its sessions', else null. */
  private readonly outbox: Outbox | null = null;
  private readonly onClose: ((s: Session) => void) | undefined;
  private resolveClosed!: (e: Error | null) => void;
  private timer: unknown = null;
  /** When the scheduled tick is due. */
  private dueAt = 0;
  /** When tick last ran: sleeping sessions wake on its interval grid. */
  private lastTick: number;
  /** Quiescent: no flush is scheduled until input, a send or a read wakes it. */
  private sleeping = false;
  private lastInput: number;
  /** endBurst is waiting in runtime.afterInput (input has arrived, or a large write goes on). */
  private flushQueued = false;
  private isClosed = false;
  private readonly readers: Array<{ resolve: (m: Uint8Array | null) => void; reject: (e: Error) => void }> = [];
  private readonly writers: Waiter[] = [];
  private readonly web = new WebStreams(this);

  /** Sessions come from dial() and listen(). @internal */
  constructor(init: SessionInit) {
    this._conv32 = init.conv | 0;
    this.remote = init.remote;
    this.options = init.options;
    this.runtime = init.runtime;
    this.output = init.output;
    this.sendCopies = init.sendCopies === true;
    this.sendRoom = init.sendRoom ?? null;
    this.onClose = init.onClose;
    this.block = init.options.block;
    this.nonce = init.nonce ?? new NoncePool(init.runtime.random);
    this.closed = new Promise((r) => (this.resolveClosed = r));
    this.lastInput = init.runtime.now();
    this.lastTick = this.lastInput;

    const { dataShards, parityShards } = init.options;
    const fec = dataShards > 0 && parityShards > 0;
    const cryptHeader = this.block ? cryptHeaderSize(this.block) : 0;
    // With the clock: no parity for groups sent across a pause, as kcp-go since v5.6.10.
    this.fecEncoder = fec ? new FecEncoder(dataShards, parityShards, cryptHeader, { clock: () => this.runtime.now() }) : null;
    this.fecDecoder = fec ? new FecDecoder(dataShards, parityShards, this.stats) : null;
    // Room kcp leaves at the front of each packet for the FEC and crypto headers.
    this.headerSize = cryptHeader + (fec ? FEC_HEADER_SIZE_PLUS2 : 0);
    this.trailerSize = this.block ? cryptTrailerSize(this.block) : 0;

    const clock = () => Math.floor(this.runtime.now()) >>> 0;
    this.kcp = new Kcp(this._conv32, (pkt) => this.kcpOutput(pkt), { clock, snmp: this.stats });
    this.kcp.reserveBytes(this.headerSize);
    const o = init.options;
    const mtu = Math.min(o.mtu, init.transportMtu, MAX_PACKET_SIZE);
    // An AEAD's tag is added after kcp's packet, so kcp gets the MTU less the tag (kcp-go's SetMtu: mtu - headerSize - Overhead()).
    if (!this.kcp.setMtu(mtu - this.trailerSize)) throw new RangeError(`mtu ${mtu} leaves no room for data after ${this.headerSize + this.trailerSize + IKCP_OVERHEAD} header bytes`);
    this.kcp.wndSize(o.sndwnd, o.rcvwnd);
    this.kcp.noDelay(o.nodelay, o.interval, o.resend, o.nc);
    this.kcp.stream = o.streamMode;
    if (init.runtime.afterInput) {
      this.kcp.deferFlush = true;
      this.sliceLimit = FLUSH_SLICE;
      // With deferFlush, kcp flushes only in flushAll and endBurst, which send the outbox.
      if (init.outbox) this.outbox = init.outbox;
      else if (this.block?.encryptPackets && !this.block.aead) this.outbox = new Outbox(this.block, this.nonce.fill, false, this.sendCopies);
    }
    // A listener opens its sessions' datagrams itself (_kcpInput).
    this.inbox = init.passive ? null : Inbox.create(init.options, init.runtime, this.stats, (plain) => this._kcpInput(plain));

    this.stats.add(init.passive ? 'PassiveOpens' : 'ActiveOpens');
    this.stats.add('CurrEstab');
    if (DefaultSnmp.CurrEstab > DefaultSnmp.MaxConn) DefaultSnmp.MaxConn = DefaultSnmp.CurrEstab;
    this.stats.MaxConn = 1;
    this.schedule(0);
  }

  // ---- network side -------------------------------------------------------

  /** A raw datagram from the peer. Never throws: bad input is counted and dropped. @internal */
  _packetInput(data: Uint8Array): void {
    if (this.isClosed) return;
    if (this.inbox) return this.inbox.push(data, null);
    const plain = openDatagram(data, this.block, this.stats);
    if (plain) this._kcpInput(plain);
  }

  /** A decrypted datagram (FEC header or KCP segments), as kcp-go's kcpInput. @internal */
  _kcpInput(data: Uint8Array): void {
    if (this.isClosed) return;
    // Before anything is delivered: replies written from here on join the flush after the burst.
    if (this.kcp.deferFlush) this.queueFlush();
    this.lastInput = this.runtime.now();
    const ackNoDelay = this.options.ackNoDelay;
    const flag = fecType(data);
    if (flag !== 0) {
      if (data.length < FEC_HEADER_SIZE_PLUS2) {
        this.stats.add('InErrs');
        return;
      }
      if (flag === TYPE_PARITY) this.stats.add('FECParityShards');
      // kcp-go decodes FEC from a peer that sends it even if we do not.
      this.fecDecoder ??= new FecDecoder(1, 1, this.stats);
      const recovered = this.fecDecoder.decode(data, Math.floor(this.runtime.now()) >>> 0);
      if (flag === TYPE_DATA && this.kcp.input(data.subarray(FEC_HEADER_SIZE_PLUS2), true, ackNoDelay) !== 0) {
        this.stats.add('KCPInErrors');
      }
      for (const r of recovered) {
        const sz = r.length >= 2 ? r[0]! | (r[1]! << 8) : 0;
        if (sz >= 2 && sz <= r.length) {
          if (this.kcp.input(r.subarray(2, sz), false, ackNoDelay) === 0) this.stats.add('FECRecovered');
          else this.stats.add('KCPInErrors');
        } else {
          this.stats.add('FECErrs');
        }
      }
    } else if (isOob(data)) {
      // Counted and dropped: not KCP (its "conv" would be the seqid 0xFFFFFFFF).
      this.stats.add('OOBPackets');
    } else if (this.kcp.input(data, true, ackNoDelay) !== 0) {
      this.stats.add('KCPInErrors');
    }
    this.stats.packetIn(data.length);
    this.deliver();
    this.wakeWriters();
    this.wake();
  }

  /** Runs the deferred flush (pendingFlush) after the input that has arrived is read; writes meanwhile join it. */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.runtime.afterInput!(this.endBurst);
  }

  /**
   * kcp.flush(false) with at most sliceLimit new segments, and no more than
   * the transport has room for. What the slice limit held back goes on after
   * the input that has arrived is read; what a full send buffer held back
   * waits for the transport to drain (or the next tick) instead of being
   * sent only to be dropped.
   */
  private flushAll(): number {
    const kcp = this.kcp;
    let room = Infinity;
    if (this.sendRoom) {
      room = Math.max(0, this.sendRoom());
      // FEC adds parityShards datagrams to every dataShards.
      const { dataShards, parityShards } = this.options;
      kcp.outputRoom = this.fecEncoder ? Math.floor((room * dataShards) / (dataShards + parityShards)) : room;
    }
    kcp.flushLimit = Math.min(this.sliceLimit, room);
    const next = kcp.flush(false);
    this.sendOutbox();
    if (kcp.pendingFlush !== 0) {
      if (kcp.blocked || room < this.sliceLimit) kcp.pendingFlush = 0;
      else this.queueFlush();
    }
    return next;
  }

  /** The transport's send buffer has room again (DatagramTransport.whenDrained). @internal */
  _drained(): void {
    if (this.isClosed || this.kcp.waitSnd() === 0) return;
    if (this.flushQueued) this.kcp.pendingFlush = FLUSH_ALL;
    else this.flushAll();
  }

  /**
   * The end of a burst of input (every datagram that had arrived is read):
   * the flush input asked for, and the one writes asked for meanwhile, run
   * now as one. The burst's ACKs go in one packet instead of one per
   * datagram, and what the application wrote back (an echo, a reply) follows
   * them instead of each reply going out behind an ACK packet of its own.
   */
  private readonly endBurst = (): void => {
    this.flushQueued = false;
    if (this.isClosed) return;
    const kind = this.kcp.pendingFlush;
    this.kcp.pendingFlush = 0;
    if (kind === FLUSH_ALL) this.flushAll();
    else if (kind === FLUSH_ACKS) {
      this.kcp.flush(true);
      this.sendOutbox();
    }
  };

  /** A failure of the underlying transport: the session cannot go on. @internal */
  _transportError(error: Error): void {
    this.stats.add('InErrs');
    this.fail(error);
  }

  private kcpOutput(packet: Uint8Array): void {
    if (packet.length < IKCP_OVERHEAD + this.headerSize) return;
    const parity = this.fecEncoder ? this.fecEncoder.encode(packet) : null;
    this.emit(packet);
    if (parity) for (const p of parity) this.emit(p);
  }

  /**
   * Seals (if a cipher is set) one packet and hands it to the transport, or
   * to the outbox (which copies it). kcp and FEC reuse their buffers: a
   * transport that may send later gets a copy; one that is done with the
   * bytes when send() returns gets the packet itself, sealed in place.
   */
  private emit(packet: Uint8Array): void {
    // As kcp-go: what goes on the wire, an AEAD's tag included.
    this.stats.packetOut(packet.length + this.trailerSize);
    if (this.outbox) return this.outbox.push(packet, this.output);
    const datagram = this.trailerSize > 0 ? this.withTrailerRoom(packet) : this.sendCopies ? packet : packet.slice();
    if (this.block) sealPacket(this.block, datagram, this.nonce.fill);
    this.output(datagram);
  }

  /** A copy of packet with the cipher's trailer room after it: in a reused buffer if the transport is done with it when send() returns. */
  private withTrailerRoom(packet: Uint8Array): Uint8Array {
    const n = packet.length + this.trailerSize;
    let datagram: Uint8Array;
    if (this.sendCopies) {
      // kcp's MTU leaves the trailer's room (and parity is as long as its group's longest packet), so n ≤ MAX_PACKET_SIZE.
      const buf = n <= MAX_PACKET_SIZE ? (this.sealBuffer ??= new Uint8Array(MAX_PACKET_SIZE)) : new Uint8Array(n);
      datagram = buf.subarray(0, n);
    } else {
      datagram = new Uint8Array(n);
    }
    datagram.set(packet);
    return datagram;
  }

  /** The flush's datagrams, sealed in one batch (a listener's shared outbox sends itself). */
  private sendOutbox(): void {
    if (this.outbox && !this.outbox.shared) this.outbox.send();
  }

  // ---- clock ----------------------------------------------------------------

  private schedule(ms: number): void {
    this.dueAt = this.runtime.now() + ms;
    this.timer = this.runtime.setTimer(this.tick, ms);
  }

  private readonly tick = (): void => {
    this.timer = null;
    if (this.isClosed) return;
    const now = this.runtime.now();
    const ranAt = Math.max(this.lastTick, this.lastInput);
    this.lastTick = now;
    // Time we could not run is not the peer's silence: nothing it sent could be read and
    // nothing of ours was resent. When the stall began is unknown, so it counts from the
    // last time we surely ran; the flush below resends, and the peer's silence from here on counts.
    const late = now - this.dueAt;
    if (late > STALL_MS && this.options.idleClock === 'running') this.lastInput += now - ranAt;
    if (late > STALL_MS) this.stalls++;
    const next = this.flushAll();
    // KCP marks the link dead once any segment was sent dead_link times, but
    // early retransmits count too: under reordering and jitter a segment whose
    // ack is merely late is resent on every flush and reaches that count while
    // the peer answers all along (kcp-go ignores the mark). So the session
    // closes only once the peer has also been silent for a while.
    if (this.kcp.state !== 0 && this.options.closeOnDeadLink) {
      const silent = this.runtime.now() - this.lastInput;
      if (silent >= Math.max(DEAD_LINK_SILENCE_MS, 4 * this.kcp.rx_rto)) {
        this.fail(new SessionClosedError(`dead link: a segment was sent ${this.kcp.dead_link} times without an ack and nothing was received for ${Math.round(silent)} ms`));
        return;
      }
    }
    const idle = this.options.idleTimeout;
    if (idle > 0 && now - this.lastInput > idle) {
      this.fail(new SessionClosedError(`idle timeout: nothing received for ${idle} ms`));
      return;
    }
    this.wakeWriters();
    if (!this.kcp.isQuiescent()) {
      this.schedule(next);
      return;
    }
    // kcp-go flushes every interval, but a quiescent flush sends nothing and
    // changes nothing: sleep until input, a send or a read (wake) instead of
    // waking thousands of idle sessions 25 times a second. Only the idle
    // timeout still needs the clock: the first tick of the grid past it.
    this.sleeping = true;
    if (idle > 0) {
      const interval = this.kcp.interval;
      this.schedule(Math.floor((this.lastInput + idle - now) / interval + 1) * interval);
    }
  };

  /**
   * Ends a sleep: the next flush runs where the interval grid would have put
   * it had the session kept ticking (lastTick + k·interval), so everything
   * leaves at the same time as from a session that never slept.
   */
  private wake(): void {
    if (!this.sleeping || this.isClosed) return;
    this.sleeping = false;
    if (this.timer !== null) this.runtime.clearTimer(this.timer);
    const interval = this.kcp.interval;
    const since = this.runtime.now() - this.lastTick;
    this.schedule(Math.max(1, Math.ceil(since / interval)) * interval - since);
  }

  // ---- application side ------------------------------------------------------

  /**
   * When set, every message is handed here as soon as KCP releases it, instead
   * of waiting for read(). Suits game loops; leave unset for flow control.
   * Messages already waiting are handed over on the next microtask.
   */
  get onmessage(): ((message: Uint8Array) => void) | null {
    return this.messageHandler;
  }
  set onmessage(handler: ((message: Uint8Array) => void) | null) {
    this.messageHandler = handler;
    if (handler) void Promise.resolve().then(() => this.deliver());
  }

  /** The KCP conversation id (kcp-go GetConv), 0 to 2^32 - 1. */
  get conv(): number {
    return this._conv32 >>> 0;
  }
  /** Smoothed round-trip time in ms (kcp-go GetSRTT). */
  get srtt(): number {
    return this.kcp.rx_srtt;
  }
  /** Current retransmission timeout in ms (kcp-go GetRTO). */
  get rto(): number {
    return this.kcp.rx_rto;
  }
  /** Segments queued or in flight, not yet acknowledged (kcp-go WaitSnd). */
  get waitSnd(): number {
    return this.kcp.waitSnd();
  }
  /** Largest payload of one KCP segment after all headers. */
  get mss(): number {
    return this.kcp.mss;
  }
  get isOpen(): boolean {
    return !this.isClosed;
  }

  /**
   * Queues data without waiting for window room (kcp queues it). Returns false
   * if the session is closed. Throws RangeError for a message KCP cannot carry.
   */
  send(data: Uint8Array): boolean {
    if (this.isClosed) return false;
    this.enqueue(data);
    return true;
  }

  /** Queues data once the send window has room, as kcp-go's Write does. */
  async write(data: Uint8Array): Promise<void> {
    while (!this.hasWindowRoom() || this.writers.length > 0) {
      if (this.isClosed) throw this.closedError();
      await new Promise<void>((resolve, reject) => this.writers.push({ resolve, reject }));
      if (this.hasWindowRoom()) break;
    }
    if (this.isClosed) throw this.closedError();
    this.enqueue(data);
    // Let the next queued writer check the window too.
    this.wakeWriters();
  }

  /** The next message (message mode) or chunk (stream mode); null once closed. */
  read(): Promise<Uint8Array | null> {
    const m = this.recvOne();
    if (m) return Promise.resolve(m);
    if (this.isClosed) return this.error ? Promise.reject(this.error) : Promise.resolve(null);
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return untilNull(() => this.read());
  }

  /** WHATWG streams over the same session (created on first use). */
  get readable(): ReadableStream<Uint8Array> {
    return this.web.readable;
  }
  get writable(): WritableStream<Uint8Array> {
    return this.web.writable;
  }

  /** Flushes what is queued once, stops, and releases everything (kcp-go Close). */
  close(): void {
    this.shutdown(null);
  }

  private enqueue(data: Uint8Array): void {
    const kcp = this.kcp;
    if (this.options.streamMode) {
      // kcp-go's Write: mss-sized pieces, so no single Send exceeds 255 fragments.
      for (let off = 0; off < data.length; off += kcp.mss) kcp.send(data.subarray(off, Math.min(data.length, off + kcp.mss)));
    } else {
      const rc = kcp.send(data);
      if (rc === -1) throw new RangeError('cannot send an empty message in message mode');
      if (rc < 0) {
        throw new RangeError(`message of ${data.length} bytes is over the ${255 * kcp.mss}-byte limit (255 fragments of mss ${kcp.mss})`);
      }
    }
    this.stats.bytesSent(data.length);
    const waitsnd = kcp.waitSnd();
    if (waitsnd >= kcp.snd_wnd || waitsnd >= kcp.rmt_wnd) this.flushAll();
    else if (!this.options.writeDelay) {
      // Written while a burst of input is being read (a reply, an echo):
      // leave it to the flush after the burst, with the burst's ACKs in front,
      // rather than a packet for each ACK and one for each reply — the way
      // kcp-go's writers catch up with a recvmmsg batch.
      if (this.flushQueued) kcp.pendingFlush = FLUSH_ALL;
      else this.flushAll();
    }
    this.wake();
  }

  private hasWindowRoom(): boolean {
    const w = this.kcp.waitSnd();
    return w < this.kcp.snd_wnd && w < this.kcp.rmt_wnd;
  }

  private wakeWriters(): void {
    if (this.writers.length > 0 && this.hasWindowRoom()) this.writers.shift()!.resolve();
  }

  /**
   * The next message; in stream mode, which has no message boundaries, all
   * that has arrived in order (up to STREAM_READ_MAX), as a TCP read gives:
   * one chunk, one wake-up of the reader, for many segments.
   */
  private recvOne(): Uint8Array | null {
    const size = this.kcp.stream ? this.kcp.peekStream(STREAM_READ_MAX) : this.kcp.peekSize();
    if (size <= 0) return null;
    const buf = new Uint8Array(size);
    let n = 0;
    while (n < size) {
      const got = this.kcp.recv(buf, n);
      if (got < 0) break;
      n += got;
    }
    if (n === 0) return null;
    this.stats.bytesReceived(n);
    // A reopened receive window is announced at the next flush (kcp "fast recover").
    if (this.kcp.probe !== 0) this.wake();
    return n === size ? buf : buf.subarray(0, n);
  }

  /** Hands released messages to onmessage or to waiting readers. */
  private deliver(): void {
    for (;;) {
      const handler = this.messageHandler;
      if (!handler && this.readers.length === 0) return;
      const m = this.recvOne();
      if (!m) return;
      if (handler) handler(m);
      else this.readers.shift()!.resolve(m);
    }
  }

  private closedError(): Error {
    return this.error ?? new SessionClosedError();
  }

  private fail(error: Error): void {
    this.shutdown(error);
  }

  private shutdown(error: Error | null): void {
    if (this.isClosed) return;
    // Best effort to send what is queued, as kcp-go's Close does.
    if (!error) this.flushAll();
    this.isClosed = true;
    this.error = error;
    if (this.timer !== null) this.runtime.clearTimer(this.timer);
    this.timer = null;
    this.kcp.releaseTX();
    this.fecDecoder?.release();
    this.stats.add('CurrEstab', -1);
    for (const r of this.readers.splice(0)) error ? r.reject(error) : r.resolve(null);
    const e = this.closedError();
    for (const w of this.writers.splice(0)) w.reject(e);
    this.onClose?.(this);
    this.resolveClosed(error);
  }
}
