/**
 * DatagramTransport over a WebSocket: each KCP datagram is one binary
 * message. It works wherever WebSockets do, but it runs over TCP, so a lost
 * packet stalls everything behind it (head-of-line blocking) — the fallback
 * the demo compares against.
 */
import { BaseTransport, CONNECT_TIMEOUT_MS, isRuntimeOwn, withTimeout } from './_base.js';

export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: Uint8Array): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

const OPEN = 1;

export class WebSocketTransport extends BaseTransport {
  readonly mtu: number;
  /** The socket or a copy made here keeps the bytes: send() keeps nothing of the caller's. */
  readonly sendCopies = true;
  private readonly copiesOnSend: boolean;

  constructor(
    readonly socket: WebSocketLike,
    mtu = 1200,
  ) {
    super();
    this.mtu = mtu;
    // A browser's WebSocket frames (and so copies) the bytes in send(); ws in Node may keep them.
    this.copiesOnSend = isRuntimeOwn(socket, 'WebSocket');
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (ev) => {
      const d = ev.data instanceof ArrayBuffer ? new Uint8Array(ev.data) : ev.data instanceof Uint8Array ? ev.data : null;
      if (d) this.deliver(d, 'peer');
    };
    socket.onclose = () => this.fail(new Error('WebSocket closed'));
    socket.onerror = () => this.fail(new Error('WebSocket error'));
  }

  send(datagram: Uint8Array): void {
    if (!this.closed && this.socket.readyState === OPEN) this.socket.send(this.copiesOnSend ? datagram : datagram.slice());
  }

  protected release(): void {
    this.socket.close();
  }
}

/** Opens a WebSocket to `url`; rejects with a clear message, never hangs past `timeout`. */
export function connectWebSocket(url: string, options: { timeout?: number; mtu?: number; WebSocket?: new (url: string) => WebSocketLike } = {}): Promise<WebSocketTransport> {
  const WS = options.WebSocket ?? (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!WS) return Promise.reject(new Error('no WebSocket in this runtime'));
  const ws = new WS(url);
  const open = new Promise<WebSocketTransport>((resolve, reject) => {
    ws.onopen = () => resolve(new WebSocketTransport(ws, options.mtu));
    ws.onerror = () => reject(new Error(`cannot open WebSocket to ${url}`));
  });
  return withTimeout(open, options.timeout ?? CONNECT_TIMEOUT_MS, `opening WebSocket to ${url}`, () => ws.close());
}
