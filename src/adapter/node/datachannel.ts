/**
 * WebRTC in Node through node-datachannel (libdatachannel's binding), an
 * optional dependency: its prebuilt binary comes in a per-platform npm
 * package, which may be missing (another platform, `--omit=optional`).
 * `loadNodeDataChannel` says why instead of throwing at import time.
 *
 * libdatachannel does ICE, DTLS and SCTP in native threads; JavaScript sees
 * one callback per message, which is what makes it cheaper per datagram than
 * werift's all-JavaScript stack.
 */
import type { DataChannelLike } from '../../transports/webrtc.js';

export const NDC_PACKAGE = 'node-datachannel';

/** What kcp-web uses of node-datachannel's DataChannel (see its lib/index.d.ts). */
export interface NdcDataChannel {
  close(): void;
  sendMessageBinary(buffer: Uint8Array): boolean;
  isOpen(): boolean;
  bufferedAmount(): number;
  setBufferedAmountLowThreshold(size: number): void;
  onOpen(cb: () => void): void;
  onClosed(cb: () => void): void;
  onError(cb: (err: string) => void): void;
  onBufferedAmountLow(cb: () => void): void;
  onMessage(cb: (msg: string | Buffer | ArrayBuffer) => void): void;
}

/** What kcp-web uses of node-datachannel's PeerConnection. */
export interface NdcPeerConnection {
  close(): void;
  setLocalDescription(type?: 'offer' | 'answer'): void;
  setRemoteDescription(sdp: string, type: 'offer' | 'answer'): void;
  localDescription(): { type: string; sdp: string } | null;
  createDataChannel(label: string, config?: { negotiated?: boolean; id?: number; unordered?: boolean; maxRetransmits?: number }): NdcDataChannel;
  gatheringState(): string;
  state(): string;
  onGatheringStateChange(cb: (state: string) => void): void;
  onStateChange(cb: (state: string) => void): void;
}

export interface NdcConfig {
  iceServers: string[];
  bindAddress?: string;
  portRangeBegin?: number;
  portRangeEnd?: number;
  enableIceUdpMux?: boolean;
  disableAutoNegotiation?: boolean;
}

export interface NodeDataChannel {
  PeerConnection: new (name: string, config: NdcConfig) => NdcPeerConnection;
  getLibraryVersion(): string;
  cleanup(): void;
}

let loading: Promise<NodeDataChannel | { reason: string }> | undefined;

/** The binding, loaded and working, or the reason it is not usable here. */
export function loadNodeDataChannel(): Promise<NodeDataChannel | { reason: string }> {
  loading ??= (async () => {
    try {
      import.meta.resolve(NDC_PACKAGE);
    } catch {
      return { reason: `${NDC_PACKAGE} is not installed (an optional dependency: npm install ${NDC_PACKAGE})` };
    }
    try {
      const m = (await import(NDC_PACKAGE)) as unknown as { default?: NodeDataChannel } & NodeDataChannel;
      const ndc = m.default ?? m;
      ndc.getLibraryVersion(); // the native binding loads on first use: a missing per-platform binary fails here
      return ndc;
    } catch (e) {
      return { reason: `${NDC_PACKAGE} does not load here (no prebuilt binary for ${process.platform}-${process.arch}?): ${(e as Error).message.split('\n')[0]}` };
    }
  })();
  return loading;
}

/**
 * node-datachannel's DataChannel seen as the browser's RTCDataChannel (the
 * shape DataChannelTransport drives): callbacks registered through the
 * on… setters, state and buffer read on demand.
 */
export class NdcChannelAdapter implements DataChannelLike {
  binaryType = 'arraybuffer';
  private state: 'connecting' | 'open' | 'closed' = 'connecting';
  private messageFn: ((ev: { data: unknown }) => void) | null = null;
  private closeFn: (() => void) | null = null;
  private errorFn: ((ev: unknown) => void) | null = null;
  private lowFn: (() => void) | null = null;
  /** Resolves once the channel is open (SCTP association up: the browser has connected). */
  readonly opened: Promise<void>;

  constructor(readonly channel: NdcDataChannel) {
    this.opened = new Promise((resolve) => {
      channel.onOpen(() => {
        this.state = 'open';
        resolve();
      });
    });
    channel.onMessage((msg) => {
      // One event object per datagram is what the transport expects; binary only (text is not KCP).
      if (typeof msg !== 'string') this.messageFn?.({ data: msg });
    });
    channel.onClosed(() => this.ended());
    channel.onError((err) => this.errorFn?.({ error: err }));
    channel.onBufferedAmountLow(() => this.lowFn?.());
  }

  get readyState(): string {
    return this.state;
  }
  get bufferedAmount(): number {
    return this.state === 'open' ? this.channel.bufferedAmount() : 0;
  }
  set bufferedAmountLowThreshold(n: number) {
    this.channel.setBufferedAmountLowThreshold(n);
  }
  set onmessage(fn: ((ev: { data: unknown }) => void) | null) {
    this.messageFn = fn;
  }
  set onclose(fn: (() => void) | null) {
    this.closeFn = fn;
  }
  set onerror(fn: ((ev: unknown) => void) | null) {
    this.errorFn = fn;
  }
  set onbufferedamountlow(fn: (() => void) | null) {
    this.lowFn = fn;
  }

  /** libdatachannel copies the bytes before it returns: no copy here. */
  send(data: never): void {
    this.channel.sendMessageBinary(data as Uint8Array);
  }

  /** The channel or its peer connection is gone: tells the transport once. */
  ended(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeFn?.();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.channel.close();
  }
}

/** The datagram itself: sendMessageBinary copies it (see NdcChannelAdapter.send). */
export const ndcMessage = (d: Uint8Array): unknown => d;
