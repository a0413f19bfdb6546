import type { Runtime } from './core/runtime.js';
import { TimerQueue, type TimerHandle } from './core/timer-queue.js';
import { empty } from './core/_array.js';

/** Every session's timers, in one queue behind one host timer. */
const queue = new TimerQueue();
let hostTimer: ReturnType<typeof setTimeout> | null = null;
let hostAt = Infinity;
/** The host timer has fired and fire() waits for the input to be read; it re-arms when it runs. */
let firing = false;

function arm(): void {
  if (firing) return;
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
  hostTimer = setTimeout(fireAfterInput, Math.max(0, next - performance.now()));
}

/**
 * Node's setImmediate runs after the event loop's I/O poll, i.e. after every
 * datagram already received has been delivered; browsers have no such hook
 * (a data channel's messages are separate tasks), so there the work waits
 * for the current task's microtasks only. One host callback serves every
 * session that asked during this turn of the loop.
 */
function afterInput(): (fn: () => void, opening?: boolean) => void {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  const host = immediate ? (fn: () => void) => void immediate(fn) : (fn: () => void) => queueMicrotask(fn);
  let opening: (() => void)[] = [];
  let waiting: (() => void)[] = [];
  let spare: (() => void)[] = [];
  let spareOpening: (() => void)[] = [];
  const runList = (list: (() => void)[]) => {
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!();
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
    empty(list);
  };
  const runAll = () => {
    const first = opening;
    const then = waiting;
    opening = spareOpening;
    waiting = spare;
    runList(first);
    runList(then);
    spareOpening = first;
    spare = then;
  };
  return (fn, first) => {
    const queued = opening.length + waiting.length;
    (first ? opening : waiting).push(fn);
    if (queued === 0) host(runAll);
  };
}

/**
 * A due timer runs once the datagrams that arrived meanwhile are read: Node
 * runs timers before its I/O poll, so a retransmission timeout would
 * otherwise fire on a segment whose ACK is already waiting in the socket —
 * on a busy loop that made a third of all RTO resends spurious.
 */
const runAfterInput = afterInput();
function fireAfterInput(): void {
  hostTimer = null;
  hostAt = Infinity;
  firing = true;
  runAfterInput(fire);
}

function fire(): void {
  firing = false;
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
    afterInput: runAfterInput,
  };
}
