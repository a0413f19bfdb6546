/** Two connected in-memory ByteConns: what one writes, the other reads (on a later macrotask, like a socket). */
import type { ByteConn } from '../../src/smux/conn.js';

export class PipeEnd implements ByteConn {
  peer!: PipeEnd;
  private readonly queue: Uint8Array[] = [];
  private readers: Array<(c: Uint8Array | null) => void> = [];
  private ended = false;
  closed = false;
  /** Everything written, for tests that look at the wire. */
  readonly written: Uint8Array[] = [];
  record = false;

  read(): Promise<Uint8Array | null> {
    const c = this.queue.shift();
    if (c) return Promise.resolve(c);
    if (this.ended || this.closed) return Promise.resolve(null);
    return new Promise((r) => this.readers.push(r));
  }

  write(data: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('pipe closed'));
    const copy = data.slice();
    if (this.record) this.written.push(copy);
    setImmediate(() => this.peer.arrive(copy));
    return Promise.resolve();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.readers.splice(0)) r(null);
    setImmediate(() => this.peer.end());
  }

  /** Bytes as if the peer wrote them. */
  arrive(c: Uint8Array): void {
    if (this.closed) return;
    const r = this.readers.shift();
    if (r) r(c);
    else this.queue.push(c);
  }

  end(): void {
    this.ended = true;
    for (const r of this.readers.splice(0)) r(null);
  }
}

export function bytePipe(): [PipeEnd, PipeEnd] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
