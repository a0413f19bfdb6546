/**
 * Copies of outgoing datagrams, in buffers that are used again: whoever
 * sends them finishes with them in the order they were taken (a batch of
 * the outbox, dgram's sends), so a release frees the oldest.
 */
import { empty } from './_array.js';
import { MTU_LIMIT } from './options.js';

export class ReusedCopies {
  private readonly inFlight: Uint8Array[] = [];
  private oldest = 0;
  private readonly spare: Uint8Array[] = [];

  /** `keep`: free buffers held for reuse at most (more are made while more are in flight). */
  constructor(private readonly keep: number) {}

  /** A copy of `datagram`, in flight until released. */
  take(datagram: Uint8Array): Uint8Array {
    const n = datagram.length;
    const buf = n > MTU_LIMIT ? new Uint8Array(n) : (this.spare.pop() ?? new Uint8Array(MTU_LIMIT));
    buf.set(datagram);
    this.inFlight.push(buf);
    return n === buf.length ? buf : buf.subarray(0, n);
  }

  /** The `n` oldest copies are done with: their buffers are free. */
  release(n = 1): void {
    const q = this.inFlight;
    for (let i = 0; i < n && this.oldest < q.length; i++) {
      const buf = q[this.oldest++]!;
      if (buf.length === MTU_LIMIT && this.spare.length < this.keep) this.spare.push(buf);
    }
    if (this.oldest === q.length) {
      empty(q);
      this.oldest = 0;
    } else if (this.oldest >= 1024) {
      // Never all done at once (a long backlog): drop the released ones from the front now and then.
      q.splice(0, this.oldest);
      this.oldest = 0;
    }
  }

  /** The newest copy was never handed over (its send threw), so nothing will release it. */
  unsent(): void {
    if (this.inFlight.length > this.oldest) this.inFlight.pop();
  }
}
