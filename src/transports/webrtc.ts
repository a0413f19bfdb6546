/**
 * DatagramTransport over one WebRTC data channel that behaves like UDP:
 * unordered, no retransmissions, pre-negotiated (id 0) so no DCEP handshake
 * is involved. Works with the browser's RTCPeerConnection and with werift's
 * in Node (same property names); `connectWebRTC` does the one-POST SDP
 * exchange with a kcp-web relay.
 */
import { BaseTransport, CONNECT_TIMEOUT_MS, isRuntimeOwn, withTimeout } from './_base.js';

/** The channel KCP wants: SCTP must never retransmit or reorder-wait, KCP does that. */
export const DATA_CHANNEL_INIT = { ordered: false, maxRetransmits: 0, negotiated: true, id: 0 } as const;
/** Larger messages are split into several SCTP chunks; keep KCP packets in one. */
export const WEBRTC_MTU = 1200;
/** Past this much queued data, datagrams are dropped (KCP retransmits) rather than queued. */
export const MAX_BUFFERED_AMOUNT = 64 * 1024;

/** What this file needs of an RTCDataChannel (browser) or werift's RTCDataChannel. */
export interface DataChannelLike {
  readonly readyState: string;
  readonly bufferedAmount: number;
  binaryType?: string;
  send(data: never): void;
  close(): void;
  onmessage?: ((ev: { data: unknown }) => void) | null;
  onclose?: (() => void) | null;
  onerror?: ((ev: unknown) => void) | null;
  /** Browsers: 'bufferedamountlow' fires when bufferedAmount falls to this threshold. */
  bufferedAmountLowThreshold?: number;
  onbufferedamountlow?: (() => void) | null;
  /** werift's form of the same event. */
  readonly bufferedAmountLow?: { subscribe(fn: () => void): unknown };
}

export interface DataChannelTransportOptions {
  mtu?: number;
  maxBufferedAmount?: number;
  /**
   * Turns a datagram into what the channel's send() takes, as a fresh copy:
   * werift keeps a reference to what it is given (and wants a Buffer).
   * Default: the datagram itself for a browser's RTCDataChannel (its send()
   * copies the bytes before it returns), else a copy.
   */
  toMessage?: (datagram: Uint8Array) => unknown;
  /**
   * Called once when the transport lets its channel go, whether closed or
   * failed (the peer went away): closes what carried the channel, e.g. its
   * peer connection, whose ICE sockets would otherwise stay open.
   */
  onRelease?: () => void;
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null; // text messages are not KCP
}

export class DataChannelTransport extends BaseTransport {
  readonly mtu: number;
  /** The channel or toMessage copies: send() keeps nothing. */
  readonly sendCopies = true;
  /** Datagrams dropped because the channel's send buffer was over the limit. */
  dropped = 0;
  private readonly maxBuffered: number;
  private readonly toMessage: (d: Uint8Array) => unknown;
  private readonly onRelease: (() => void) | undefined;

  constructor(
    readonly channel: DataChannelLike,
    options: DataChannelTransportOptions = {},
  ) {
    super();
    this.mtu = options.mtu ?? WEBRTC_MTU;
    this.maxBuffered = options.maxBufferedAmount ?? MAX_BUFFERED_AMOUNT;
    this.toMessage = options.toMessage ?? (isRuntimeOwn(channel, 'RTCDataChannel') ? (d) => d : (d) => d.slice());
    this.onRelease = options.onRelease;
    channel.binaryType = 'arraybuffer';
    channel.onmessage = (ev) => {
      const d = toBytes(ev.data);
      if (d) this.deliver(d, 'peer');
    };
    channel.onclose = () => this.fail(new Error('WebRTC data channel closed'));
    channel.onerror = (ev) => this.fail(new Error(`WebRTC data channel error: ${String((ev as { error?: unknown })?.error ?? ev)}`));
  }

  /** Datagrams the channel's buffer takes before send() drops (a session sends no new segments past it). */
  sendRoom(): number {
    return Math.max(0, Math.floor((this.maxBuffered - this.channel.bufferedAmount) / this.mtu));
  }

  /** Runs `fn` each time the channel's buffer has drained to half the limit. */
  whenDrained(fn: () => void): void {
    const channel = this.channel;
    channel.bufferedAmountLowThreshold = this.maxBuffered >> 1;
    const run = () => {
      if (!this.closed) fn();
    };
    if (channel.bufferedAmountLow) channel.bufferedAmountLow.subscribe(run);
    else channel.onbufferedamountlow = run;
  }

  send(datagram: Uint8Array): void {
    if (this.closed || this.channel.readyState !== 'open') return;
    if (this.channel.bufferedAmount > this.maxBuffered) {
      this.dropped++;
      return;
    }
    try {
      this.channel.send(this.toMessage(datagram) as never);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  protected release(): void {
    try {
      this.channel.close();
    } catch {
      /* already closed */
    }
    this.onRelease?.();
  }
}

/** The subset of RTCPeerConnection used to connect (browser or werift). */
export interface PeerConnectionLike {
  createDataChannel(label: string, init: typeof DATA_CHANNEL_INIT): unknown;
  createOffer(): Promise<{ type: string; sdp?: string }>;
  setLocalDescription(d: { type: string; sdp?: string }): Promise<void>;
  setRemoteDescription(d: { type: 'answer'; sdp: string }): Promise<void>;
  readonly localDescription: { sdp?: string } | null;
  readonly iceGatheringState: string;
  close(): void;
}

export interface ConnectWebRTCOptions extends DataChannelTransportOptions {
  /** Builds the peer connection; defaults to the browser's RTCPeerConnection with no ICE servers. */
  createPeerConnection?: () => PeerConnectionLike;
  /** Give up (reject) after this many ms. Default 10000. */
  timeout?: number;
  /** fetch to use (defaults to the global one). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers for the signaling POST (e.g. an access token). */
  headers?: Record<string, string>;
}

/**
 * Resolves once `pc` has gathered its ICE candidates (the SDP then carries
 * them all: no trickle); rejects after `ms`.
 */
export function iceGathered(pc: { readonly iceGatheringState: string }, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<void>((resolve) => {
    const check = () => (pc.iceGatheringState === 'complete' ? resolve() : (timer = setTimeout(check, 10)));
    check();
  });
  return withTimeout(done, ms, 'ICE gathering', () => clearTimeout(timer));
}

/**
 * Opens a data channel to a kcp-web relay: one POST carries our complete
 * offer (ICE gathered, no trickle) to `url` and returns the answer.
 * Rejects with a message naming the step that failed; never hangs past `timeout`.
 */
export async function connectWebRTC(url: string, options: ConnectWebRTCOptions = {}): Promise<DataChannelTransport> {
  const timeout = options.timeout ?? CONNECT_TIMEOUT_MS;
  const make =
    options.createPeerConnection ??
    (() => {
      const PC = (globalThis as { RTCPeerConnection?: new (c: object) => PeerConnectionLike }).RTCPeerConnection;
      if (!PC) throw new Error('no RTCPeerConnection here: pass createPeerConnection (e.g. werift in Node)');
      return new PC({ iceServers: [] });
    });
  const doFetch = options.fetch ?? globalThis.fetch;
  const pc = make();
  try {
    const channel = pc.createDataChannel('kcp', DATA_CHANNEL_INIT) as DataChannelLike & { onopen?: (() => void) | null };
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc, timeout);
    let res: Response;
    try {
      res = await withTimeout(
        doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp', ...options.headers },
          body: pc.localDescription?.sdp ?? '',
        }),
        timeout,
        `signaling POST to ${url}`,
      );
    } catch (e) {
      throw new Error(`cannot reach the kcp-web relay at ${url}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new Error(`kcp-web relay at ${url} refused the WebRTC offer: ${res.status} ${await res.text()}`);
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        if (channel.readyState === 'open') return resolve();
        channel.onopen = () => resolve();
        channel.onclose = () => reject(new Error('data channel closed before it opened'));
      }),
      timeout,
      'data channel open',
    );
    return new DataChannelTransport(channel, {
      ...options,
      onRelease: () => {
        options.onRelease?.();
        pc.close();
      },
    });
  } catch (e) {
    pc.close();
    throw e;
  }
}
