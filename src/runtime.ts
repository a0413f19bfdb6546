import type { Runtime } from './core/runtime.js';
import { TimerQueue, type TimerHandle } from './core/timer-queue.js';

/** Every session's timers, in one queue behind one host timer. */
const queue = new TimerQueue();
let hostTimer: ReturnType<typeof setTimeout> | null = null;
let hostAt = Infinity;

function arm(): void {
  const next = queue.next;
  if (next === null) {
    if (hostTimer !== null) clearTimeout(hostTimer);
    hostTimer = null;
    hostAt = Infinity;
    return;
  }
  if (hostTimer !== null && hostAt <= next) return;
  if (hostTimer !== null) clearTimeout(hostTimer);
  hostAt = next;
  hostTimer = setTimeout(fire, Math.max(0, next - performance.now()));
}

function fire(): void {
  hostTimer = null;
  hostAt = Infinity;
  queue.runDue(performance.now());
  arm();
}

/**
 * The runtime built from globals every target has (browsers, Node ≥ 20,
 * workers): performance.now, crypto.getRandomValues, setTimeout (one, shared
 * by all sessions through a timer queue).
 */
export function defaultRuntime(): Runtime {
  const c = globalThis.crypto;
  if (!c || typeof c.getRandomValues !== 'function') {
    throw new Error('kcp-web needs crypto.getRandomValues (a secure context in browsers, Node ≥ 20)');
  }
  return {
    now: () => performance.now(),
    // getRandomValues takes at most 65536 bytes per call.
    random: (buf) => {
      for (let i = 0; i < buf.length; i += 65536) c.getRandomValues(buf.subarray(i, Math.min(buf.length, i + 65536)));
    },
    setTimer: (fn, ms) => {
      const h = queue.schedule(performance.now() + Math.max(0, ms), fn);
      arm();
      return h;
    },
    clearTimer: (h) => queue.cancel(h as TimerHandle),
  };
}
