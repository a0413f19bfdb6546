/**
 * Per-session budgets for the relay: token buckets on datagrams and bytes
 * per second (a burst of one second's worth), so one session cannot flood
 * the upstream or the relay's uplink; what is over budget is dropped and
 * counted — KCP treats it as loss and slows down.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.last = now;
  }

  /** Takes `n` tokens if there are that many; false means over budget. */
  take(n: number, now: number): boolean {
    if (this.rate === Infinity) return true;
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

export interface SessionLimits {
  /** Datagrams per second per session, each direction. */
  datagramsPerSecond: number;
  /** Bytes per second per session, each direction. */
  bytesPerSecond: number;
  /** Bytes a session may carry in all (both directions) before it is closed; Infinity for no cap. */
  totalBytes: number;
}

export const DEFAULT_LIMITS: SessionLimits = { datagramsPerSecond: 5000, bytesPerSecond: 8 << 20, totalBytes: Infinity };

/** One direction of one session: both buckets must have room. */
export function directionBudget(limits: SessionLimits, now: number): (bytes: number, now: number) => boolean {
  const datagrams = new TokenBucket(limits.datagramsPerSecond, now);
  const bytes = new TokenBucket(limits.bytesPerSecond, now);
  return (n, t) => datagrams.take(1, t) && bytes.take(n, t);
}
