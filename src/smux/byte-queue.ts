/** Received bytes not yet parsed: pieces in arrival order, read from the front. */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** Index of the first piece still holding bytes (shift() on a long array is O(n)). */
  private head = 0;
  length = 0;

  push(c: Uint8Array): void {
    if (c.length === 0) return;
    this.chunks.push(c);
    this.length += c.length;
  }

  /** The first n bytes (n ≤ length) without consuming them. */
  peek(n: number): Uint8Array {
    const first = this.chunks[this.head];
    if (n === 0 || !first) return new Uint8Array(0);
    if (first.length >= n) return first.subarray(0, n);
    return this.gather(n, false);
  }

  /** Takes the next n bytes (n ≤ length): a view when they lie in one piece, else a copy. */
  take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = this.chunks[this.head]!;
    if (first.length > n) {
      this.chunks[this.head] = first.subarray(n);
      this.length -= n;
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.dropFirst();
      this.length -= n;
      return first;
    }
    return this.gather(n, true);
  }

  private gather(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    let i = this.head;
    while (at < n) {
      const c = this.chunks[consume ? this.head : i]!;
      const k = Math.min(c.length, n - at);
      out.set(k === c.length ? c : c.subarray(0, k), at);
      at += k;
      if (!consume) i++;
      else if (k === c.length) this.dropFirst();
      else this.chunks[this.head] = c.subarray(k);
    }
    if (consume) this.length -= n;
    return out;
  }

  private dropFirst(): void {
    this.head++;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
