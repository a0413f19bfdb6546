/**
 * DatagramTransport over a WebSocket: each KCP datagram is one binary
 * message. It works wherever WebSockets do, but it runs over TCP, so a lost
 * packet stalls everything behind it (head-of-line blocking) — the fallback
 * the demo compares against.
 */
import type { DatagramTransport } from './transport.js';

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

export class WebSocketTransport implements DatagramTransport {
  readonly mtu: number;
  private onDatagram: ((d: Uint8Array, from: string) => void) | null = null;
  private onError: ((e: Error) => void) | null = null;
  private closed = false;

  constructor(
    readonly socket: WebSocketLike,
    mtu = 1200,
  ) {
    this.mtu = mtu;
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (ev) => {
      if (this.closed) return;
      const d = ev.data instanceof ArrayBuffer ? new Uint8Array(ev.data) : ev.data instanceof Uint8Array ? ev.data : null;
      if (d) this.onDatagram?.(d, 'peer');
    };
    socket.onclose = () => this.fail(new Error('WebSocket closed'));
    socket.onerror = () => this.fail(new Error('WebSocket error'));
  }

  send(datagram: Uint8Array): void {
    if (!this.closed && this.socket.readyState === OPEN) this.socket.send(datagram.slice());
  }

  receive(onDatagram: (d: Uint8Array, from: string) => void, onError?: (e: Error) => void): void {
    this.onDatagram = onDatagram;
    this.onError = onError ?? null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.onError?.(e);
  }
}

/** Opens a WebSocket to `url`; rejects with a clear message, never hangs past `timeout`. */
export function connectWebSocket(url: string, options: { timeout?: number; mtu?: number; WebSocket?: new (url: string) => WebSocketLike } = {}): Promise<WebSocketTransport> {
  const WS = options.WebSocket ?? (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!WS) return Promise.reject(new Error('no WebSocket in this runtime'));
  return new Promise((resolve, reject) => {
    const ws = new WS(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`cannot open WebSocket to ${url}: timed out after ${options.timeout ?? 10000} ms`));
    }, options.timeout ?? 10000);
    ws.onopen = () => {
      clearTimeout(timer);
      resolve(new WebSocketTransport(ws, options.mtu));
    };
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`cannot open WebSocket to ${url}`));
    };
  });
}
