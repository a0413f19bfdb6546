/**
 * A smux session (xtaci/smux session.go) over any ByteConn, e.g. a kcp-web
 * Session in stream mode: many streams over one connection, wire-compatible
 * with xtaci/smux v1 and v2 and so with kcptun.
 *
 * Frames out go through one pump: control frames (SYN, NOP, UPD) before
 * data (PSH, FIN), several frames per conn write. Frames in are read while
 * the session-wide receive budget (MaxReceiveBuffer) has room: bytes
 * received but not yet read by their stream count against it, and reading
 * pauses when it is spent, as smux's token bucket does.
 *
 * A frame smux would reject closes the session: `error` and `closed` say
 * why, the stats count it, streams' pending reads and writes fail with it.
 * Nothing is thrown out of the receive path.
 */
import type { ByteConn } from './conn.js';
import { verifySmuxConfig, type SmuxConfig } from './config.js';
import { SmuxError, SmuxStats } from './errors.js';
import { CMD_FIN, CMD_NAMES, CMD_NOP, CMD_PSH, CMD_SYN, CMD_UPD, HEADER_SIZE, UPD_SIZE, readHeader, readU32, writeHeader, type FrameHeader } from './frame.js';
import { SmuxStream } from './stream.js';
import { ByteQueue } from './byte-queue.js';
import { untilNull } from '../core/_until-null.js';

/** Streams opened by the peer and not yet accepted before the session stops reading (smux defaultAcceptBacklog). */
export const SMUX_ACCEPT_BACKLOG = 1024;
/** Bytes of frames gathered into one conn write: one snappy chunk (64 KiB) at most. */
const BATCH_BYTES = 65536;

/** Timers for keepalive; defaults to the platform's setTimeout (a kcp-web Runtime fits). */
export interface SmuxTimers {
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface SmuxOptions extends Partial<SmuxConfig> {
  timers?: SmuxTimers;
}

const platformTimers: SmuxTimers = {
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface Outgoing {
  cmd: number;
  sid: number;
  payload: Uint8Array | null;
  done: ((error: Error | null) => void) | null;
}

export class SmuxSession implements AsyncIterable<SmuxStream> {
  readonly config: Readonly<SmuxConfig>;
  readonly stats = new SmuxStats();
  /** Why the session closed, if it failed (protocol error, keepalive timeout, broken connection). */
  error: SmuxError | null = null;
  /** Resolves once the session is closed, with the failure if there was one. Never rejects. */
  readonly closed: Promise<SmuxError | null>;

  private readonly streams = new Map<number, SmuxStream>();
  private nextStreamId: number;
  private goAway = false;
  private isClosedFlag = false;
  private resolveClosed!: (e: SmuxError | null) => void;

  private readonly backlog: SmuxStream[] = [];
  private readonly acceptors: Array<(s: SmuxStream | null) => void> = [];

  private readonly ctrl: Outgoing[] = [];
  private readonly data: Outgoing[] = [];
  private pumping = false;

  private readonly inq = new ByteQueue();
  private header: FrameHeader | null = null;
  /** smux's token bucket: MaxReceiveBuffer less what streams hold unread. */
  private bucket: number;
  private wakeReceiver: (() => void) | null = null;

  private readonly timers: SmuxTimers;
  private pingTimer: unknown = null;
  private checkTimer: unknown = null;
  /** Something arrived since the last keepalive check. */
  private active = false;

  constructor(
    private readonly conn: ByteConn,
    readonly isClient: boolean,
    options: SmuxOptions = {},
  ) {
    const { timers, ...config } = options;
    this.config = Object.freeze(verifySmuxConfig(config));
    this.timers = timers ?? platformTimers;
    this.closed = new Promise((r) => (this.resolveClosed = r));
    // smux's first stream is nextStreamID + 2: 3 for a client, 2 for a server.
    this.nextStreamId = isClient ? 1 : 0;
    this.bucket = this.config.MaxReceiveBuffer;
    if (!this.config.KeepAliveDisabled) {
      this.pingTimer = this.timers.setTimer(this.ping, this.config.KeepAliveInterval);
      this.checkTimer = this.timers.setTimer(this.check, this.config.KeepAliveTimeout);
    }
    void this.receive();
  }

  get isClosed(): boolean {
    return this.isClosedFlag;
  }

  /** Streams open on this session. */
  get numStreams(): number {
    return this.streams.size;
  }

  /** Opens a stream (sends SYN; the peer's accept() gets it). */
  async openStream(): Promise<SmuxStream> {
    if (this.isClosedFlag) throw this.closedError();
    if (this.goAway) throw new SmuxError('goaway', 'smux: stream ids are used up; open a new session');
    const next = this.nextStreamId + 2;
    if (next > 0xffffffff) {
      this.goAway = true;
      throw new SmuxError('goaway', 'smux: stream ids are used up; open a new session');
    }
    this.nextStreamId = next;
    const stream = new SmuxStream(this, next);
    this.streams.set(next, stream);
    try {
      await this.sendFrame(CMD_SYN, next, null, true);
    } catch (e) {
      this.streams.delete(next);
      throw e;
    }
    this.stats.streamsOpened++;
    return stream;
  }

  /** The next stream the peer opened; null once the session is closed (its `error` says whether it failed). */
  accept(): Promise<SmuxStream | null> {
    const s = this.backlog.shift();
    if (s) {
      this.wakeReceive();
      return Promise.resolve(s);
    }
    if (this.isClosedFlag) return Promise.resolve(null);
    return new Promise((resolve) => this.acceptors.push(resolve));
  }

  [Symbol.asyncIterator](): AsyncIterator<SmuxStream> {
    return untilNull(() => this.accept());
  }

  /** Closes every stream and the connection under the session. */
  close(): void {
    this.shutdown(null);
  }

  // ---- for streams ------------------------------------------------------------

  /** @internal Queues one frame; resolves once the conn took it. */
  sendFrame(cmd: number, sid: number, payload: Uint8Array | null, control: boolean): Promise<void> {
    if (this.isClosedFlag) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      (control ? this.ctrl : this.data).push({ cmd, sid, payload, done: (e) => (e ? reject(e) : resolve()) });
      this.startPump();
    });
  }

  /** @internal Queues PSH frames for payloads; resolves once the conn took the last. */
  sendData(sid: number, payloads: Uint8Array[]): Promise<void> {
    if (this.isClosedFlag) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      const last = payloads.length - 1;
      payloads.forEach((p, i) => {
        this.data.push({ cmd: CMD_PSH, sid, payload: p, done: i === last ? (e) => (e ? reject(e) : resolve()) : null });
      });
      this.startPump();
    });
  }

  /** @internal A control frame nobody waits for (UPD from a read). */
  sendQuiet(cmd: number, sid: number, payload: Uint8Array | null): void {
    if (this.isClosedFlag) return;
    this.ctrl.push({ cmd, sid, payload, done: null });
    this.startPump();
  }

  /** @internal A stream read n bytes: they leave the receive budget. */
  returnTokens(n: number): void {
    this.bucket += n;
    if (this.bucket > 0) this.wakeReceive();
  }

  /** @internal The stream is done: forget it and release what it held unread. */
  streamClosed(stream: SmuxStream): void {
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
    const n = stream.dropBuffered();
    if (n > 0) this.returnTokens(n);
  }

  /** @internal FIN went both ways: no frame can be for the stream any more; its unread data stays readable. */
  forget(stream: SmuxStream): void {
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
  }

  /** @internal The error streams report once the session is gone. */
  closedError(): SmuxError {
    return this.error ?? new SmuxError('closed', 'smux: session closed');
  }

  // ---- sending ----------------------------------------------------------------

  private startPump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    let batch: Outgoing[] = [];
    try {
      while (!this.isClosedFlag) {
        batch = this.takeBatch();
        if (batch.length === 0) break;
        let size = 0;
        for (const f of batch) size += HEADER_SIZE + (f.payload?.length ?? 0);
        const buf = new Uint8Array(size);
        let at = 0;
        const version = this.config.Version;
        for (const f of batch) {
          const len = f.payload?.length ?? 0;
          writeHeader(buf, at, version, f.cmd, len, f.sid);
          if (f.payload) buf.set(f.payload, at + HEADER_SIZE);
          at += HEADER_SIZE + len;
          if (f.cmd === CMD_PSH) this.stats.bytesOut += len;
        }
        await this.conn.write(buf);
        this.stats.framesOut += batch.length;
        for (const f of batch) f.done?.(null);
        batch = [];
      }
    } catch (e) {
      const err = new SmuxError('broken-pipe', `smux: writing to the connection failed: ${(e as Error).message}`);
      for (const f of batch) f.done?.(err);
      this.shutdown(err);
    } finally {
      this.pumping = false;
    }
  }

  /** Control frames first, then data, up to BATCH_BYTES (at least one frame). */
  private takeBatch(): Outgoing[] {
    const out: Outgoing[] = [];
    let size = 0;
    for (;;) {
      const q = this.ctrl.length > 0 ? this.ctrl : this.data;
      const f = q[0];
      if (!f) break;
      const n = HEADER_SIZE + (f.payload?.length ?? 0);
      if (out.length > 0 && size + n > BATCH_BYTES) break;
      q.shift();
      out.push(f);
      size += n;
    }
    return out;
  }

  // ---- receiving --------------------------------------------------------------

  private wakeReceive(): void {
    const w = this.wakeReceiver;
    this.wakeReceiver = null;
    w?.();
  }

  private async receive(): Promise<void> {
    try {
      for (;;) {
        // Stop reading while streams hold MaxReceiveBuffer unread, or the accept backlog is full.
        while (!this.isClosedFlag && (this.bucket <= 0 || this.backlog.length >= SMUX_ACCEPT_BACKLOG)) {
          await new Promise<void>((r) => (this.wakeReceiver = r));
        }
        if (this.isClosedFlag) return;
        const chunk = await this.conn.read();
        if (this.isClosedFlag) return;
        if (chunk === null) {
          this.shutdown(new SmuxError('broken-pipe', 'smux: the connection under the session closed'));
          return;
        }
        this.active = true;
        this.inq.push(chunk);
        this.parse();
      }
    } catch (e) {
      this.shutdown(new SmuxError('broken-pipe', `smux: reading the connection failed: ${(e as Error).message}`));
    }
  }

  private parse(): void {
    while (!this.isClosedFlag) {
      if (!this.header) {
        if (this.inq.length < HEADER_SIZE) return;
        const h = readHeader(this.inq.take(HEADER_SIZE));
        const bad = this.invalid(h);
        if (bad) {
          this.stats.protocolErrors++;
          this.shutdown(new SmuxError('protocol', `smux: invalid protocol: ${bad}`));
          return;
        }
        this.header = h;
      }
      const h = this.header;
      if (this.inq.length < h.length) return;
      const payload = h.length > 0 ? this.inq.take(h.length) : null;
      this.header = null;
      this.stats.framesIn++;
      this.handle(h, payload);
    }
  }

  /** Why smux (v1.5.56+) would reject this header, or null. */
  private invalid(h: FrameHeader): string | null {
    const name = CMD_NAMES[h.cmd];
    if (h.version !== this.config.Version) return `frame version ${h.version} (${name ?? `cmd ${h.cmd}`}, stream ${h.sid}); this session speaks version ${this.config.Version}`;
    if (name === undefined) return `unknown command ${h.cmd} (stream ${h.sid})`;
    if ((h.cmd === CMD_NOP || h.cmd === CMD_SYN || h.cmd === CMD_FIN) && h.length !== 0) return `${name} with a ${h.length}-byte payload (stream ${h.sid}); it carries none`;
    if (h.cmd === CMD_UPD && this.config.Version !== 2) return `UPD (stream ${h.sid}) in version 1`;
    if (h.cmd === CMD_UPD && h.length !== UPD_SIZE) return `UPD with a ${h.length}-byte payload (stream ${h.sid}); it carries ${UPD_SIZE}`;
    return null;
  }

  private handle(h: FrameHeader, payload: Uint8Array | null): void {
    switch (h.cmd) {
      case CMD_SYN: {
        if (this.streams.has(h.sid)) return; // a duplicate SYN
        const s = new SmuxStream(this, h.sid);
        this.streams.set(h.sid, s);
        this.stats.streamsAccepted++;
        const a = this.acceptors.shift();
        if (a) a(s);
        else this.backlog.push(s);
        return;
      }
      case CMD_FIN:
        this.streams.get(h.sid)?.remoteFin();
        return;
      case CMD_PSH: {
        if (!payload) return;
        const s = this.streams.get(h.sid);
        if (!s) {
          this.stats.droppedFrames++;
          return;
        }
        this.stats.bytesIn += payload.length;
        this.bucket -= payload.length;
        s.pushData(payload);
        return;
      }
      case CMD_UPD:
        this.streams.get(h.sid)?.update(readU32(payload!, 0), readU32(payload!, 4));
        return;
      default:
        return; // NOP
    }
  }

  // ---- keepalive --------------------------------------------------------------

  private readonly ping = (): void => {
    if (this.isClosedFlag) return;
    this.sendQuiet(CMD_NOP, 0, null);
    this.pingTimer = this.timers.setTimer(this.ping, this.config.KeepAliveInterval);
  };

  private readonly check = (): void => {
    if (this.isClosedFlag) return;
    // Silence while the receive budget is spent is our own doing, not the peer's.
    if (!this.active && this.bucket > 0) {
      this.stats.keepaliveTimeouts++;
      this.shutdown(new SmuxError('keepalive', `smux: keepalive timeout: nothing received for ${this.config.KeepAliveTimeout} ms`));
      return;
    }
    this.active = false;
    this.checkTimer = this.timers.setTimer(this.check, this.config.KeepAliveTimeout);
  };

  // ---- closing ----------------------------------------------------------------

  private shutdown(error: SmuxError | null): void {
    if (this.isClosedFlag) return;
    this.isClosedFlag = true;
    this.error = error;
    if (this.pingTimer !== null) this.timers.clearTimer(this.pingTimer);
    if (this.checkTimer !== null) this.timers.clearTimer(this.checkTimer);
    this.pingTimer = this.checkTimer = null;
    const e = this.closedError();
    for (const f of this.ctrl.splice(0)) f.done?.(e);
    for (const f of this.data.splice(0)) f.done?.(e);
    for (const a of this.acceptors.splice(0)) a(null);
    for (const s of [...this.streams.values(), ...this.backlog]) s.sessionClosed();
    this.streams.clear();
    this.backlog.length = 0;
    this.wakeReceive();
    this.conn.close();
    this.resolveClosed(error);
  }
}

/** A client session (smux.Client): opens odd stream ids from 3. */
export function smuxClient(conn: ByteConn, options: SmuxOptions = {}): SmuxSession {
  return new SmuxSession(conn, true, options);
}

/** A server session (smux.Server): opens even stream ids from 2. */
export function smuxServer(conn: ByteConn, options: SmuxOptions = {}): SmuxSession {
  return new SmuxSession(conn, false, options);
}
