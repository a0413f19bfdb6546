/**
 * DatagramTransport over WebTransport datagrams (the browser's native
 * `WebTransport`, or any object with the same shape). A relay with a
 * self-signed certificate is reached with its SHA-256 hash
 * (`serverCertificateHashes`), which the relay publishes in its config.
 */
import { BaseTransport, CONNECT_TIMEOUT_MS, withTimeout } from './_base.js';

/** What this file needs of a WebTransport object. */
export interface WebTransportLike {
  readonly ready: Promise<unknown>;
  readonly closed: Promise<unknown>;
  readonly datagrams: {
    readonly readable: ReadableStream<Uint8Array>;
    readonly writable: WritableStream<Uint8Array>;
    readonly maxDatagramSize?: number;
  };
  close(info?: object): void;
}

export type WebTransportConstructor = new (url: string, options?: object) => WebTransportLike;

export class WebTransportDatagrams extends BaseTransport {
  readonly mtu: number;
  /** send() writes a copy (the stream may read a chunk after write() returns). */
  readonly sendCopies = true;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;

  constructor(
    readonly wt: WebTransportLike,
    mtu = 1200,
  ) {
    super();
    this.mtu = Math.min(mtu, wt.datagrams.maxDatagramSize ?? mtu);
    this.writer = wt.datagrams.writable.getWriter();
    void this.readLoop();
    wt.closed.then(
      () => this.fail(new Error('WebTransport session closed')),
      (e: unknown) => this.fail(new Error(`WebTransport session failed: ${String(e)}`)),
    );
  }

  private async readLoop(): Promise<void> {
    const reader = this.wt.datagrams.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value) this.deliver(value, 'peer');
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  send(datagram: Uint8Array): void {
    if (this.closed) return;
    // The browser bounds its own datagram queue (dropping the oldest), so no
    // backpressure here: waiting on desiredSize would stall KCP.
    this.writer.write(datagram.slice()).catch(() => {});
  }

  protected release(): void {
    try {
      this.wt.close();
    } catch {
      /* already closed */
    }
  }
}

export interface ConnectWebTransportOptions {
  /** SHA-256 of the server's self-signed certificate, hex. */
  certificateHash?: string;
  /** Several such hashes, any of which the server may present (a relay publishes its served and its next certificate). */
  certificateHashes?: string[];
  timeout?: number;
  mtu?: number;
  /** Defaults to the global WebTransport. */
  WebTransport?: WebTransportConstructor;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** Opens a WebTransport session to `url`; rejects with a clear message (never hangs past `timeout`). */
export async function connectWebTransport(url: string, options: ConnectWebTransportOptions = {}): Promise<WebTransportDatagrams> {
  const WT = options.WebTransport ?? (globalThis as { WebTransport?: WebTransportConstructor }).WebTransport;
  if (!WT) throw new Error('no WebTransport in this runtime');
  const hashes = [...(options.certificateHashes ?? []), ...(options.certificateHash ? [options.certificateHash] : [])];
  const init = hashes.length > 0 ? { serverCertificateHashes: hashes.map((h) => ({ algorithm: 'sha-256', value: hexBytes(h) })) } : {};
  const wt = new WT(url, init);
  try {
    await withTimeout(wt.ready, options.timeout ?? CONNECT_TIMEOUT_MS, 'opening');
  } catch (e) {
    try {
      wt.close();
    } catch {
      /* never opened */
    }
    throw new Error(`cannot open WebTransport to ${url}: ${(e as Error)?.message ?? String(e)}`);
  }
  return new WebTransportDatagrams(wt, options.mtu);
}
