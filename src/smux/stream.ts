/**
 * One smux stream (xtaci/smux stream.go): read() / write() / closeWrite() /
 * close(), and the same as WHATWG streams (`readable`, `writable`).
 *
 * Half-close is smux v1.5.54+'s: closeWrite() sends FIN and reading goes on;
 * a FIN from the peer is EOF after the data before it, and writing goes on.
 * The stream is forgotten once FIN went both ways, or at close().
 *
 * v2 flow control: a writer sends while the peer's window less what is in
 * flight (written − consumed, modulo 2^32) is positive; the reader reports
 * what it consumed (UPD) on its first read and after every half window.
 */
import { SmuxError } from './errors.js';
import { CMD_FIN, CMD_UPD, INITIAL_PEER_WINDOW, UPD_SIZE, writeU32 } from './frame.js';
import type { SmuxConfig } from './config.js';
import { untilNull } from '../core/_until-null.js';
import { WebStreams } from '../core/_web-streams.js';

/** What a stream needs of the session that carries it (SmuxSession implements it). */
export interface StreamHost {
  readonly config: Readonly<SmuxConfig>;
  readonly error: SmuxError | null;
  readonly isClosed: boolean;
  sendFrame(cmd: number, sid: number, payload: Uint8Array | null, control: boolean): Promise<void>;
  sendData(sid: number, payloads: Uint8Array[]): Promise<void>;
  sendQuiet(cmd: number, sid: number, payload: Uint8Array | null): void;
  returnTokens(n: number): void;
  streamClosed(stream: SmuxStream): void;
  forget(stream: SmuxStream): void;
  closedError(): SmuxError;
}

/** Bytes one write hands the session before waiting for the conn: ~one batch, so parallel streams interleave. */
const WRITE_SLICE = 65536 - 64;

export class SmuxStream {
  private readonly buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private readers: Array<{ resolve: (c: Uint8Array | null) => void; reject: (e: Error) => void }> = [];
  private writeWaiters: Array<() => void> = [];
  /** Serialises write() calls so their frames do not interleave. */
  private writeChain: Promise<void> = Promise.resolve();

  private finReceived = false;
  private finSent = false;
  private writeClosed = false;
  /** close() was called, or the session is gone. */
  private dead = false;

  // v2 flow control, all modulo 2^32.
  private numRead = 0;
  private numWritten = 0;
  private incr = 0;
  private peerConsumed = 0;
  private peerWindow = INITIAL_PEER_WINDOW;

  private readonly web = new WebStreams(this, { end: () => this.closeWrite(), highWaterMark: 0 });

  /** @internal sessions open and accept streams */
  constructor(
    private readonly session: StreamHost,
    readonly id: number,
  ) {}

  /** Bytes received and not yet read. */
  get readableLength(): number {
    return this.bufferedBytes;
  }

  /** The next bytes from the peer; null at EOF (its FIN, or close()). Rejects if the session failed. */
  read(): Promise<Uint8Array | null> {
    const c = this.takeChunk();
    if (c) return Promise.resolve(c);
    if (this.finReceived || (this.dead && !this.session.error)) return Promise.resolve(null);
    if (this.dead) return Promise.reject(this.session.closedError());
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return untilNull(() => this.read());
  }

  /** Sends data (PSH frames of at most MaxFrameSize); resolves once the connection took it. */
  write(data: Uint8Array): Promise<void> {
    const p = this.writeChain.then(() => this.writeNow(data));
    this.writeChain = p.catch(() => {});
    return p;
  }

  /** Half-close: sends FIN after what was written; reading goes on. */
  closeWrite(): Promise<void> {
    if (this.writeClosed || this.dead) return Promise.resolve();
    this.writeClosed = true;
    this.wakeWriters();
    return this.sendFin().then(() => this.cleanupIfDone());
  }

  /** Closes both directions (FIN, unless sent) and forgets the stream; unread data is dropped. */
  close(): void {
    if (this.dead) return;
    this.writeClosed = true;
    if (!this.session.isClosed) void this.sendFin().catch(() => {});
    this.dead = true;
    this.session.streamClosed(this);
    this.wakeAll();
  }

  /** WHATWG streams over this stream: closing `writable` half-closes, cancelling `readable` closes. */
  get readable(): ReadableStream<Uint8Array> {
    return this.web.readable;
  }
  get writable(): WritableStream<Uint8Array> {
    return this.web.writable;
  }

  // ---- from the session ---------------------------------------------------------

  /** @internal */
  pushData(payload: Uint8Array): void {
    if (this.dead) {
      // Closed here: nothing will read it, so it leaves the budget at once.
      this.session.returnTokens(payload.length);
      return;
    }
    const r = this.readers.shift();
    if (r) {
      this.account(payload.length);
      r.resolve(payload);
      return;
    }
    this.buffered.push(payload);
    this.bufferedBytes += payload.length;
  }

  /** @internal The peer's FIN: EOF once the buffered data is read. */
  remoteFin(): void {
    if (this.finReceived) return;
    this.finReceived = true;
    for (const r of this.readers.splice(0)) r.resolve(null);
    this.cleanupIfDone();
  }

  /** @internal v2 UPD from the peer. */
  update(consumed: number, window: number): void {
    this.peerConsumed = consumed >>> 0;
    this.peerWindow = window >>> 0;
    this.wakeWriters();
  }

  /** @internal */
  sessionClosed(): void {
    this.dead = true;
    this.writeClosed = true;
    this.wakeAll();
  }

  /** @internal Drops unread data (at close); returns its size for the session's budget. */
  dropBuffered(): number {
    const n = this.bufferedBytes;
    this.buffered.length = 0;
    this.bufferedBytes = 0;
    return n;
  }

  // ---- internals ----------------------------------------------------------------

  private takeChunk(): Uint8Array | null {
    const c = this.buffered.shift();
    if (!c) return null;
    this.bufferedBytes -= c.length;
    this.account(c.length);
    return c;
  }

  /** n bytes were read: they leave the session's budget, and v2 tells the peer. */
  private account(n: number): void {
    this.session.returnTokens(n);
    if (this.session.config.Version !== 2) return;
    this.numRead = (this.numRead + n) >>> 0;
    this.incr += n;
    // smux: on the first read, and whenever half the window was read since the last UPD.
    if (this.incr >= this.session.config.MaxStreamBuffer / 2 || this.numRead === n) {
      this.incr = 0;
      const upd = new Uint8Array(UPD_SIZE);
      writeU32(upd, 0, this.numRead);
      writeU32(upd, 4, this.session.config.MaxStreamBuffer);
      this.session.sendQuiet(CMD_UPD, this.id, upd);
    }
  }

  private writeError(): SmuxError {
    if (this.session.isClosed && this.session.error) return this.session.error;
    return new SmuxError('closed', `smux: stream ${this.id} is closed for writing`);
  }

  private async writeNow(data: Uint8Array): Promise<void> {
    const frameSize = this.session.config.MaxFrameSize;
    const v2 = this.session.config.Version === 2;
    let off = 0;
    while (off < data.length) {
      if (this.writeClosed || this.dead) throw this.writeError();
      let room = data.length - off;
      if (v2) {
        const inflight = (this.numWritten - this.peerConsumed) | 0;
        if (inflight < 0) throw new SmuxError('consumed', `smux: stream ${this.id}: the peer consumed more than was sent`);
        const win = (this.peerWindow | 0) - inflight;
        if (win <= 0) {
          await new Promise<void>((r) => this.writeWaiters.push(r));
          continue;
        }
        room = Math.min(room, win);
      }
      const end = off + Math.min(room, WRITE_SLICE);
      const frames: Uint8Array[] = [];
      for (let at = off; at < end; at += frameSize) frames.push(data.subarray(at, Math.min(end, at + frameSize)));
      this.numWritten = (this.numWritten + (end - off)) >>> 0;
      await this.session.sendData(this.id, frames);
      off = end;
    }
  }

  private sendFin(): Promise<void> {
    if (this.finSent) return Promise.resolve();
    this.finSent = true;
    // Data class: after the data already queued.
    return this.session.sendFrame(CMD_FIN, this.id, null, false);
  }

  /** FIN went both ways: the session forgets the stream (what is unread stays readable). */
  private cleanupIfDone(): void {
    if (this.finReceived && this.finSent && !this.dead) this.session.forget(this);
  }

  private wakeWriters(): void {
    for (const w of this.writeWaiters.splice(0)) w();
  }

  private wakeAll(): void {
    this.wakeWriters();
    const failed = this.session.error;
    for (const r of this.readers.splice(0)) {
      if (failed && !this.finReceived) r.reject(failed);
      else r.resolve(null);
    }
  }
}
