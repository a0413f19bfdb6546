/**
 * A runtime on a clock moved by hand, over the core's own timer queue, for
 * benches that drive sessions step by step in one process (the test
 * FakeRuntime allocates per step). Runtimes given the same clock object share
 * its time. With `afterInput`, work deferred to after a burst of input runs
 * when the caller says (runAfterInput), opening lane first.
 */
import { TimerQueue, type TimerHandle } from '../src/core/timer-queue.js';
import type { Runtime } from '../src/core/runtime.js';

export interface ManualClock {
  t: number;
}

export interface ManualRuntime extends Runtime {
  /** Moves the clock on by `ms` and runs the timers then due. */
  advance(ms: number): void;
  /** Runs the timers due at the clock's time. */
  runDue(): void;
  /** Runs what afterInput deferred, including what that defers in turn (bounded). */
  runAfterInput(): void;
}

export function manualRuntime(clock: ManualClock = { t: 0 }, options: { afterInput?: boolean; random?: (b: Uint8Array) => void } = {}): ManualRuntime {
  const q = new TimerQueue();
  let opening: Array<() => void> = [];
  let waiting: Array<() => void> = [];
  return {
    now: () => clock.t,
    random: options.random ?? ((b) => b.fill(7)),
    setTimer: (fn, ms) => q.schedule(clock.t + Math.max(0, ms), fn),
    clearTimer: (h) => q.cancel(h as TimerHandle),
    ...(options.afterInput ? { afterInput: (fn: () => void, first?: boolean) => void (first ? opening : waiting).push(fn) } : {}),
    advance(ms) {
      clock.t += ms;
      q.runDue(clock.t);
    },
    runDue: () => q.runDue(clock.t),
    runAfterInput() {
      for (let k = 0; k < 100 && opening.length + waiting.length > 0; k++) {
        const [a, b] = [opening, waiting];
        opening = [];
        waiting = [];
        for (const f of a) f();
        for (const f of b) f();
      }
    },
  };
}
