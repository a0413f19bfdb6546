import type { Runtime } from './core/runtime.js';
import { TimerQueue, type TimerHandle } from './core/timer-queue.js';
import { empty } from './core/_array.js';

/**
 * Where the shared queue's one host timer comes from. A page's own timers
 * are throttled while it is hidden — measured in Chromium 156: 1 wake-up a
 * second, and once intensive throttling sets in (a page without an open
 * data channel) none for a minute at a time — while a dedicated Worker's
 * setTimeout keeps its 10 ms pace (84–100 ticks a second in the same hidden
 * page), and its ticks reach the page as message events, which are not
 * throttled. A frozen page runs neither. 'auto': a Worker's timer in a
 * page (a document and Worker exist), else setTimeout (Node, workers).
 */
export type TimerSource = 'auto' | 'worker' | 'setTimeout';

export interface DefaultRuntimeOptions {
  /** Default 'auto'. 'setTimeout' in a page leaves the session to the page's throttled timers. */
  timers?: TimerSource;
}

/** Arms one host callback at a delay; re-arming replaces the pending one. */
interface HostTimer {
  arm(fn: () => void, ms: number): void;
  cancel(): void;
}

function setTimeoutHost(): HostTimer {
  let handle: ReturnType<typeof setTimeout> | null = null;
  return {
    arm(fn, ms) {
      if (handle !== null) clearTimeout(handle);
      handle = setTimeout(() => {
        handle = null;
        fn();
      }, ms);
    },
    cancel() {
      if (handle !== null) clearTimeout(handle);
      handle = null;
    },
  };
}

/** The worker's whole program: one timer, re-armed by each message, a message back when it fires. */
const TIMER_WORKER = 'let h=0;onmessage=(e)=>{clearTimeout(h);if(e.data>=0)h=setTimeout(()=>postMessage(0),e.data)}';

/** What this file needs of a browser's Worker. */
interface TimerWorker {
  onmessage: (() => void) | null;
  postMessage(ms: number): void;
}

/**
 * A dedicated Worker's setTimeout, created from a blob: URL so no file has
 * to be served. Null where workers cannot start (no Worker, a CSP without
 * blob: in worker-src): the caller falls back to setTimeout.
 */
function workerHost(): HostTimer | null {
  const g = globalThis as { Worker?: new (url: string) => TimerWorker; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') return null;
  let worker: TimerWorker;
  try {
    worker = new g.Worker(g.URL.createObjectURL(new g.Blob([TIMER_WORKER], { type: 'text/javascript' })));
  } catch {
    return null;
  }
  let pending: (() => void) | null = null;
  // A tick of a timer re-armed meanwhile may still arrive: it only runs the queue early, which fire() tolerates.
  worker.onmessage = () => {
    const fn = pending;
    pending = null;
    fn?.();
  };
  return {
    arm(fn, ms) {
      pending = fn;
      worker.postMessage(ms);
    },
    cancel() {
      pending = null;
      worker.postMessage(-1);
    },
  };
}

/** Every session's timers, in one queue behind one host timer. */
class HostClock {
  readonly queue = new TimerQueue();
  private hostAt = Infinity;
  /** The host timer has fired and fire() waits for the input to be read; it re-arms when it runs. */
  private firing = false;

  constructor(
    private readonly host: HostTimer,
    private readonly runAfterInput: (fn: () => void, opening?: boolean) => void,
  ) {}

  arm = (): void => {
    if (this.firing) return;
    const next = this.queue.next;
    if (next === null) {
      if (this.hostAt !== Infinity) this.host.cancel();
      this.hostAt = Infinity;
      return;
    }
    if (this.hostAt <= next) return;
    this.hostAt = next;
    this.host.arm(this.fireAfterInput, Math.max(0, next - performance.now()));
  };

  /**
   * A due timer runs once the datagrams that arrived meanwhile are read: Node
   * runs timers before its I/O poll, so a retransmission timeout would
   * otherwise fire on a segment whose ACK is already waiting in the socket —
   * on a busy loop that made a third of all RTO resends spurious.
   */
  private readonly fireAfterInput = (): void => {
    this.hostAt = Infinity;
    this.firing = true;
    this.runAfterInput(this.fire);
  };

  private readonly fire = (): void => {
    this.firing = false;
    this.queue.runDue(performance.now());
    this.arm();
  };
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

const runAfterInput = afterInput();
const clocks: Partial<Record<'worker' | 'setTimeout', HostClock>> = {};

function clockFor(timers: TimerSource): HostClock {
  const kind = timers === 'auto' ? ((globalThis as { document?: unknown }).document !== undefined ? 'worker' : 'setTimeout') : timers;
  const existing = clocks[kind];
  if (existing) return existing;
  const plain = (): HostClock => (clocks.setTimeout ??= new HostClock(setTimeoutHost(), runAfterInput));
  const host = kind === 'worker' ? workerHost() : null;
  // Where no worker starts, 'worker' means setTimeout from then on (asked once).
  return (clocks[kind] = host ? new HostClock(host, runAfterInput) : plain());
}

/**
 * The runtime built from globals every target has (browsers, Node ≥ 20,
 * workers): performance.now, crypto.getRandomValues, and one host timer
 * shared by all sessions through a timer queue (see TimerSource).
 */
export function defaultRuntime(options: DefaultRuntimeOptions = {}): Runtime {
  const timers = options.timers ?? 'auto';
  if (timers !== 'auto' && timers !== 'worker' && timers !== 'setTimeout') {
    throw new TypeError(`defaultRuntime: option 'timers' must be 'auto', 'worker' or 'setTimeout'; got ${JSON.stringify(timers)}`);
  }
  const clock = clockFor(timers);
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
      const h = clock.queue.schedule(performance.now() + Math.max(0, ms), fn);
      clock.arm();
      return h;
    },
    clearTimer: (h) => clock.queue.cancel(h as TimerHandle),
    afterInput: runAfterInput,
  };
}
