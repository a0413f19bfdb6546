/** A runtime whose clock only moves when the test says so. */
import type { Runtime } from '../../src/core/runtime.js';

export class FakeRuntime implements Runtime {
  private t = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private seed = 12345;

  now = (): number => this.t;
  random = (buf: Uint8Array): void => {
    for (let i = 0; i < buf.length; i++) {
      this.seed = (this.seed * 1103515245 + 12345) >>> 0;
      buf[i] = this.seed >>> 24;
    }
  };
  setTimer = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  };
  clearTimer = (h: unknown): void => {
    this.timers.delete(h as number);
  };

  /** Timers still scheduled: a closed session must leave none behind. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves the clock without firing anything, as for a frozen page: the next advance() runs the overdue timers late. */
  jump(ms: number): void {
    this.t += ms;
  }

  /** Moves time forward by `ms`, firing due timers in order (bounded). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let guard = 0; guard < 1_000_000; guard++) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
}
