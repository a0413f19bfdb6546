/**
 * What the core needs from its host, injected so src/core stays pure and
 * tests can drive time by hand. `defaultRuntime()` (src/default-runtime.ts) builds
 * one from the web-platform globals that browsers and Node both have.
 */
export interface Runtime {
  /** Monotonic milliseconds. KCP uses it modulo 2^32. */
  now(): number;
  /** Fills `buf` with unpredictable bytes (crypto.getRandomValues or equal). */
  random(buf: Uint8Array): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /**
   * Runs fn once the datagrams that have already arrived have been handed to
   * the sessions (Node: setImmediate, after the I/O poll). Sessions use it to
   * send one flush for a burst of input, as kcp-go does for its recvmmsg
   * batches. Without it, every datagram's flush runs at once.
   * `opening`: fn reads input itself (a burst of datagrams opened together,
   * see Inbox), so it runs before the others queued for the same turn — the
   * timers and flushes that wait for input must see what it reads.
   */
  afterInput?(fn: () => void, opening?: boolean): void;
}

/**
 * 16-byte packet nonces drawn from a pool refilled by `random` a few KiB at
 * a time: the nonce only needs to be unpredictable (kcp-go uses an
 * AES-scrambled counter), and one getRandomValues call per packet would cost
 * more than encrypting the packet.
 */
export class NoncePool {
  private readonly pool = new Uint8Array(4096);
  private pos = this.pool.length;

  constructor(private readonly random: (buf: Uint8Array) => void) {}

  fill = (nonce: Uint8Array): void => {
    const n = nonce.length;
    if (this.pos + n > this.pool.length) {
      this.random(this.pool);
      this.pos = 0;
    }
    // Byte by byte: 16 of them cost less than the view a set() would need.
    const pool = this.pool;
    for (let i = 0, p = this.pos; i < n; i++) nonce[i] = pool[p + i]!;
    this.pos += n;
  };
}
