/**
 * Internal pieces of the KCP ARQ (kcp.ts): the segment record, the 24-byte
 * header codec and the ring-buffer queues that hold segments.
 *
 * Not part of the public API.
 */

/** Bytes in a KCP segment header: conv u32, cmd u8, frg u8, wnd u16, ts u32, sn u32, una u32, len u32 (all LE). */
export const HEADER_SIZE = 24;
/** Byte offset of sn inside a segment header. */
export const SN_OFFSET = 12;

/** Signed distance between two uint32 timestamps or sequence numbers (kcp-go _itimediff). */
export const diff = (later: number, earlier: number): number => (later - earlier) | 0;

/**
 * One KCP segment, outgoing or received. Segments are pooled per Kcp
 * (kcp-go pools their data in xmitBuf), so `data` is a reusable buffer with
 * room to spare and `payload` is the view over its first `len` bytes; the
 * view is only rebuilt when the length changes, so retransmitting and
 * reusing full-size segments allocates nothing.
 */
export class Segment {
  frg = 0;
  ts = 0;
  sn = 0;
  rto = 0;
  xmit = 0;
  resendts = 0;
  fastack = 0;
  /** kcp-go keeps acknowledged segments in snd_buf until una passes them, flagged. */
  acked = false;
  len = 0;
  data: Uint8Array;
  payload: Uint8Array;

  constructor(capacity: number) {
    this.data = new Uint8Array(capacity);
    this.payload = this.data.subarray(0, 0);
  }

  /** Sets the payload length, growing the buffer (keeping its bytes) if needed. */
  setLen(len: number): void {
    if (len > this.data.length) {
      const grown = new Uint8Array(len);
      grown.set(this.payload);
      this.data = grown;
      this.payload = grown.subarray(0, 0);
    }
    this.len = len;
    if (this.payload.length !== len || this.payload.buffer !== this.data.buffer) this.payload = this.data.subarray(0, len);
  }

  reset(): void {
    this.frg = 0;
    this.ts = 0;
    this.sn = 0;
    this.rto = 0;
    this.xmit = 0;
    this.resendts = 0;
    this.fastack = 0;
    this.acked = false;
  }
}

/** Writes a segment header at `off`; returns the offset just past it. */
export function encodeHeader(
  b: Uint8Array,
  off: number,
  conv: number,
  cmd: number,
  frg: number,
  wnd: number,
  ts: number,
  sn: number,
  una: number,
  len: number,
): number {
  b[off] = conv;
  b[off + 1] = conv >>> 8;
  b[off + 2] = conv >>> 16;
  b[off + 3] = conv >>> 24;
  b[off + 4] = cmd;
  b[off + 5] = frg;
  b[off + 6] = wnd;
  b[off + 7] = wnd >>> 8;
  b[off + 8] = ts;
  b[off + 9] = ts >>> 8;
  b[off + 10] = ts >>> 16;
  b[off + 11] = ts >>> 24;
  b[off + 12] = sn;
  b[off + 13] = sn >>> 8;
  b[off + 14] = sn >>> 16;
  b[off + 15] = sn >>> 24;
  b[off + 16] = una;
  b[off + 17] = una >>> 8;
  b[off + 18] = una >>> 16;
  b[off + 19] = una >>> 24;
  b[off + 20] = len;
  b[off + 21] = len >>> 8;
  b[off + 22] = len >>> 16;
  b[off + 23] = len >>> 24;
  return off + HEADER_SIZE;
}

/** Little-endian u32 at `off` (caller checks bounds). */
export function readU32(b: Uint8Array, off: number): number {
  return readI32(b, off) >>> 0;
}

/**
 * The same 32 bits as a signed integer: what a conversation id is kept as.
 * A uint32 of 2^31 or more is not a small integer to V8, so the first such
 * conv a process meets would deoptimize every function that had only seen
 * small ones and change the shape of every Kcp and Session; an int32 never does.
 */
export function readI32(b: Uint8Array, off: number): number {
  return b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24);
}

/**
 * A deque of segments on a power-of-two ring: O(1) push and drop-front
 * (kcp-go's remove_front), indexed access, and insertion in the middle for
 * rcv_buf (which shifts only the elements after the insertion point; out of
 * order arrivals land near the tail, so that is short).
 */
export class SegQueue {
  /** Slots; element i lives at ring[(head + i) & mask]. Read directly by kcp.ts's hot loops. */
  ring: (Segment | null)[];
  mask: number;
  head = 0;
  length = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.ring = new Array<Segment | null>(cap).fill(null);
    this.mask = cap - 1;
  }

  at(i: number): Segment {
    return this.ring[(this.head + i) & this.mask]!;
  }

  last(): Segment | null {
    return this.length > 0 ? this.at(this.length - 1) : null;
  }

  push(seg: Segment): void {
    if (this.length > this.mask) this.grow();
    this.ring[(this.head + this.length) & this.mask] = seg;
    this.length++;
  }

  /** Inserts at index i (0..length), shifting the later elements back by one. */
  insert(i: number, seg: Segment): void {
    if (this.length > this.mask) this.grow();
    const ring = this.ring;
    const mask = this.mask;
    for (let j = this.length; j > i; j--) ring[(this.head + j) & mask] = ring[(this.head + j - 1) & mask]!;
    ring[(this.head + i) & mask] = seg;
    this.length++;
  }

  /** Removes the first n elements (the caller has already taken or recycled them). */
  dropFront(n: number): void {
    const ring = this.ring;
    const mask = this.mask;
    for (let i = 0; i < n; i++) ring[(this.head + i) & mask] = null;
    this.head = (this.head + n) & mask;
    this.length -= n;
  }

  clear(): void {
    this.ring.fill(null);
    this.head = 0;
    this.length = 0;
  }

  private grow(): void {
    const old = this.ring;
    const cap = old.length * 2;
    const ring = new Array<Segment | null>(cap).fill(null);
    for (let i = 0; i < this.length; i++) ring[i] = old[(this.head + i) & this.mask]!;
    this.ring = ring;
    this.mask = cap - 1;
    this.head = 0;
  }
}
