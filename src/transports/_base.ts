import type { DatagramTransport } from '../core/transport.js';

/**
 * What every transport shares: one receiver, delivery that stops once
 * closed, and a failure reported once, after which the pipe is released.
 */
export abstract class BaseTransport implements DatagramTransport {
  abstract readonly mtu: number;
  abstract send(datagram: Uint8Array, to?: string): void;
  /** Frees the underlying pipe; called once, by close() or fail(). */
  protected abstract release(): void;

  protected closed = false;
  private onDatagram: ((d: Uint8Array, from: string) => void) | null = null;
  private onError: ((e: Error) => void) | null = null;

  receive(onDatagram: (d: Uint8Array, from: string) => void, onError?: (e: Error) => void): void {
    this.onDatagram = onDatagram;
    this.onError = onError ?? null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }

  /** Hands an arriving datagram to the receiver (dropped once closed). */
  protected deliver(datagram: Uint8Array, from: string): void {
    if (!this.closed) this.onDatagram?.(datagram, from);
  }

  /** Reports a failure once; the transport is closed from then on. */
  protected fail(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.release();
    } catch {
      /* already gone */
    }
    this.onError?.(e);
  }
}

/**
 * Whether `value` is an instance of the runtime's own class `name` (a
 * browser's RTCDataChannel or WebSocket), whose send() copies the bytes
 * before it returns, unlike a library's look-alike.
 */
export function isRuntimeOwn(value: object, name: 'RTCDataChannel' | 'WebSocket'): boolean {
  const Own = (globalThis as Record<string, unknown>)[name];
  return typeof Own === 'function' && value instanceof (Own as abstract new () => unknown);
}

/** How long a transport may take to open before connect gives up, unless told otherwise. */
export const CONNECT_TIMEOUT_MS = 10000;

/**
 * `p`, or a rejection "<what> timed out after <ms> ms" if it has not settled
 * by then; `onTimeout` releases whatever `p` was waiting on.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${what} timed out after ${ms} ms`));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}
