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
    heap.push(h);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
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
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

const before = (a: TimerHandle, b: TimerHandle): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Rethrows asynchronously (as a host timer callback would have). */
function reportLater(e: unknown): void {
  void Promise.reject(e);
}
