/**
 * The page's side of kcp-web/worker: `connectInWorker` starts the session
 * worker and opens the session there, and WorkerSession offers the Session
 * API on the page — send, write, read, async iteration, WHATWG streams,
 * onmessage, stats — while KCP, FEC, the cipher and their timers run in
 * the worker. A WebRTC data channel cannot live in a worker, so for that
 * transport the page keeps the channel and hands each datagram across.
 */
import { Snmp, type SnmpField } from '../core/snmp.js';
import { SessionClosedError } from '../core/session.js';
import { untilNull } from '../core/_until-null.js';
import { WebStreams } from '../core/_web-streams.js';
import { connect, type TransportKind } from '../transports/connect.js';
import type { DatagramTransport } from '../core/transport.js';
import { CREDIT_BATCH, WRITE_AHEAD, fromBytes, toBytes, type Bytes, type FromWorker, type SessionFigures, type ToWorker, type WorkerSessionOptions } from './protocol.js';

/** What kcp-web/worker needs of a browser's Worker (a Worker is one). */
export interface WorkerLike {
  addEventListener(type: 'message' | 'error', listener: (ev: object) => void): void;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  terminate(): void;
}

/** The worker's messages, to whichever handler is current (connectInWorker's, then the session's). */
function listen(worker: WorkerLike): { route: (m: FromWorker) => void; failed: (message: string) => void } {
  const to = { route: (_m: FromWorker) => {}, failed: (_message: string) => {} };
  worker.addEventListener('message', ((ev: { data: FromWorker }) => to.route(ev.data)) as (ev: object) => void);
  worker.addEventListener('error', ((ev: { message?: string }) => to.failed(ev.message ?? 'error')) as (ev: object) => void);
  return to;
}

export interface WorkerConnectOptions extends WorkerSessionOptions {
  /** Only these kinds, in this order of preference (default: WebTransport, then WebRTC). */
  transports?: TransportKind[];
  /** The relay's access token or signed ticket, if it wants one. */
  token?: string;
  /** Milliseconds each transport may take to open. */
  timeout?: number;
  /**
   * The worker to run the session in, started from this package's
   * session-worker module; by default kcp-web starts it itself
   * (`new Worker(new URL('./session-worker.js', import.meta.url), { type: 'module' })`,
   * which Vite and webpack bundle).
   */
  worker?: WorkerLike;
}

/** The browser's Worker, named as bundlers look for it: `new Worker(new URL(…, import.meta.url))`. */
declare const Worker: new (url: URL, options: { type: 'module' }) => WorkerLike;

function startWorker(): WorkerLike {
  if (typeof Worker !== 'function') throw new Error('kcp-web/worker needs Worker (a browser page)');
  return new Worker(new URL('./session-worker.js', import.meta.url), { type: 'module' });
}

/**
 * Opens a session to the kcp-go server behind the relay at `relayUrl`, run
 * in a dedicated Worker: WebTransport and WebSocket are opened inside the
 * worker, a WebRTC data channel on the page (its datagrams are handed over).
 */
export async function connectInWorker(relayUrl: string, options: WorkerConnectOptions = {}): Promise<WorkerSession> {
  const { transports = ['webtransport', 'webrtc'], token, timeout, worker: given, ...sessionOptions } = options;
  const worker = given ?? startWorker();
  const to = listen(worker);
  const replies: Array<(m: FromWorker) => void> = [];
  to.route = (m) => replies.shift()?.(m);
  to.failed = (message) => replies.shift()?.({ t: 'open-failed', error: `session worker failed: ${message}` });
  const reply = () => new Promise<FromWorker>((r) => replies.push(r));
  const fallbacks: string[] = [];
  for (const kind of transports) {
    let channel: DatagramTransport | null = null;
    let open: ToWorker;
    try {
      if (kind === 'webrtc') {
        channel = (await connect(relayUrl, { transports: ['webrtc'], ...(token ? { token } : {}), ...(timeout ? { timeout } : {}) })).transport;
        open = { t: 'open', relay: relayUrl, kind: 'bridge', mtu: channel.mtu, options: sessionOptions };
      } else {
        open = { t: 'open', relay: relayUrl, kind, ...(token ? { token } : {}), ...(timeout ? { timeout } : {}), options: sessionOptions };
      }
    } catch (e) {
      fallbacks.push(`${kind}: ${(e as Error).message}`);
      continue;
    }
    worker.postMessage(open, []);
    const r = await reply();
    if (r.t === 'opened') return new WorkerSession(worker, to, kind, fallbacks, r.mss, r.conv, channel, sessionOptions.streamMode === true, given === undefined);
    channel?.close();
    fallbacks.push(`${kind}: ${r.t === 'open-failed' ? r.error : r.t}`);
    // An option the worker refused is refused for every transport.
    if (r.t === 'open-failed' && r.error.startsWith('option ')) break;
  }
  if (!given) worker.terminate();
  throw new Error(`could not open a kcp-web session in a worker through ${relayUrl}: ${fallbacks.join('; ')}`);
}

export class WorkerSession implements AsyncIterable<Uint8Array> {
  /** The session's counters as the worker last reported them (every 200 ms, and at close). */
  readonly stats = new Snmp();
  /** Smoothed round-trip time in ms, as last reported. */
  srtt = 0;
  /** Retransmission timeout in ms, as last reported. */
  rto = 0;
  /** Segments queued or in flight, as last reported. */
  waitSnd = 0;
  /** Ticks that came late (the worker could not run: a frozen page), as last reported. */
  stalls = 0;
  /** Set when the session was closed by a failure. */
  error: Error | null = null;
  /** Resolves once the session is closed, with the failure if there was one. Never rejects. */
  readonly closed: Promise<Error | null>;

  private resolveClosed!: (e: Error | null) => void;
  private isClosed = false;
  private handler: ((message: Uint8Array) => void) | null = null;
  private readonly inbox: Uint8Array[] = [];
  private readonly readers: Array<{ resolve: (m: Uint8Array | null) => void; reject: (e: Error) => void }> = [];
  private consumed = 0;
  private writeBacklog = 0;
  private readonly writers: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private readonly web = new WebStreams(this);

  /** Sessions come from connectInWorker(). @internal */
  constructor(
    private readonly worker: WorkerLike,
    to: ReturnType<typeof listen>,
    /** The transport carrying the session. */
    readonly kind: TransportKind,
    /** Why earlier transports were skipped, if any. */
    readonly fallbacks: string[],
    /** Largest payload of one KCP segment after all headers. */
    readonly mss: number,
    readonly conv: number,
    private readonly channel: DatagramTransport | null,
    private readonly streamMode: boolean,
    private readonly ownWorker: boolean,
  ) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
    to.route = (m) => this.fromWorker(m);
    to.failed = (message) => this.finish(`session worker failed: ${message}`);
    channel?.receive(
      (d) => this.post({ t: 'datagram', data: toBytes(d) }),
      (e) => {
        this.post({ t: 'close' });
        this.finish(e.message);
      },
    );
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Messages go here as they arrive instead of waiting for read(); those already waiting follow on the next microtask. */
  get onmessage(): ((message: Uint8Array) => void) | null {
    return this.handler;
  }
  set onmessage(handler: ((message: Uint8Array) => void) | null) {
    this.handler = handler;
    if (handler) void Promise.resolve().then(() => this.drain());
  }

  /** Queues data without waiting (a copy goes to the worker). False once closed; RangeError for what KCP cannot carry. */
  send(data: Uint8Array): boolean {
    if (this.isClosed) return false;
    this.check(data);
    this.post({ t: 'send', data: toBytes(data.slice()) });
    return true;
  }

  /** Queues data, waiting while more than WRITE_AHEAD bytes are on their way to KCP's window. */
  async write(data: Uint8Array): Promise<void> {
    if (this.isClosed) throw this.closedError();
    this.check(data);
    this.writeBacklog += data.length;
    this.post({ t: 'write', data: toBytes(data.slice()) });
    while (this.writeBacklog > WRITE_AHEAD) {
      await new Promise<void>((resolve, reject) => this.writers.push({ resolve, reject }));
    }
  }

  /** The next message (message mode) or chunk (stream mode); null once closed. */
  read(): Promise<Uint8Array | null> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(this.consume(m));
    if (this.isClosed) return this.error ? Promise.reject(this.error) : Promise.resolve(null);
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return untilNull(() => this.read());
  }

  get readable(): ReadableStream<Uint8Array> {
    return this.web.readable;
  }
  get writable(): WritableStream<Uint8Array> {
    return this.web.writable;
  }

  /** Flushes what is queued, closes the session and stops the worker kcp-web started. */
  close(): void {
    if (this.isClosed) return;
    this.post({ t: 'close' });
  }

  private check(data: Uint8Array): void {
    if (this.streamMode) return;
    if (data.length === 0) throw new RangeError('cannot send an empty message in message mode');
    if (data.length > 255 * this.mss) throw new RangeError(`message of ${data.length} bytes is over the ${255 * this.mss}-byte limit (255 fragments of mss ${this.mss})`);
  }

  private post(message: ToWorker): void {
    const data = 'data' in message ? (message.data as Bytes) : null;
    this.worker.postMessage(message, data ? [data.buffer] : []);
  }

  private fromWorker(m: FromWorker): void {
    switch (m.t) {
      case 'message': {
        const message = fromBytes(m.data);
        if (this.handler) this.handler(this.consume(message));
        else if (this.readers.length > 0) this.readers.shift()!.resolve(this.consume(message));
        else this.inbox.push(message);
        return;
      }
      case 'datagram':
        this.channel?.send(fromBytes(m.data));
        return;
      case 'written':
        this.writeBacklog -= m.bytes;
        while (this.writeBacklog <= WRITE_AHEAD && this.writers.length > 0) this.writers.shift()!.resolve();
        return;
      case 'figures':
        this.figures(m);
        return;
      case 'closed':
        this.figures(m);
        this.finish(m.error);
        return;
    }
  }

  private figures(f: SessionFigures): void {
    for (const k of Object.keys(f.snmp) as SnmpField[]) this.stats[k] = f.snmp[k];
    this.srtt = f.srtt;
    this.rto = f.rto;
    this.waitSnd = f.waitSnd;
    this.stalls = f.stalls;
  }

  /** Counts a message as read; credit goes back to the worker a batch at a time. */
  private consume(message: Uint8Array): Uint8Array {
    this.consumed += message.length;
    if (this.consumed >= CREDIT_BATCH) {
      this.post({ t: 'credit', bytes: this.consumed });
      this.consumed = 0;
    }
    return message;
  }

  private drain(): void {
    while (this.handler && this.inbox.length > 0) this.handler(this.consume(this.inbox.shift()!));
  }

  private closedError(): Error {
    return this.error ?? new SessionClosedError();
  }

  private finish(error: string | null): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.error = error === null ? null : new SessionClosedError(error);
    this.channel?.close();
    if (this.ownWorker) this.worker.terminate();
    // What arrived before the close can still be read.
    for (const r of this.readers.splice(0)) this.error ? r.reject(this.error) : r.resolve(null);
    const e = this.closedError();
    for (const w of this.writers.splice(0)) w.reject(e);
    this.resolveClosed(this.error);
  }
}
