/**
 * One queue for many timers (a binary min-heap by deadline), driven by a
 * single host timer — as kcp-go's SystemTimedSched runs every session's
 * update. Thousands of sessions re-arming every 10–40 ms would otherwise
 * mean thousands of host timers.
 */
export interface TimerHandle {
  at: number;
  seq: number;
  fn: (() => void) | null; // null once cancelled or fired
}

export class TimerQueue {
  private heap: TimerHandle[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The earliest deadline, or null when empty. */
  get next(): number | null {
    return this.heap.length ? this.heap[0]!.at : null;
  }

  schedule(at: number, fn: () => void): TimerHandle {
    const h: TimerHandle = { at, seq: this.seq++, fn };
    const heap = this.heap;
    // Sift up with a hole: move parents down, write h once at its place.
    let i = heap.length;
    heap.push(h);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!before(h, parent)) break;
      heap[i] = parent;
      i = p;
    }
    heap[i] = h;
    return h;
  }

  /** Cancels lazily: the entry is skipped when it reaches the top. */
  cancel(h: TimerHandle): void {
    h.fn = null;
  }

  /** Runs every timer due at `now`, in deadline order (ties: scheduling order). */
  runDue(now: number): void {
    const heap = this.heap;
    while (heap.length && heap[0]!.at <= now) {
      const h = this.pop();
      const fn = h.fn;
      h.fn = null;
      if (fn) {
        try {
          fn();
        } catch (e) {
          // One timer's failure must not stop the others; report it out of band.
          reportLater(e);
        }
      }
    }
    // Drop cancelled entries sitting on top, so `next` is a live deadline.
    while (heap.length && heap[0]!.fn === null) this.pop();
  }

  private pop(): TimerHandle {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    const n = heap.length;
    if (n) {
      // Sift down with a hole (thousands of sessions pop here every interval).
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(heap[r]!, heap[l]!) ? r : l;
        const child = heap[c]!;
        if (!before(child, last)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}

const before = (a: TimerHandle, b: TimerHandle): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Rethrows asynchronously (as a host timer callback would have). */
function reportLater(e: unknown): void {
  void Promise.reject(e);
}
