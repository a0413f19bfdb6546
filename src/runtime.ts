import type { Runtime } from './core/runtime.js';

/**
 * The runtime built from globals every target has (browsers, Node ≥ 20,
 * workers): performance.now, crypto.getRandomValues, setTimeout.
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
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}
