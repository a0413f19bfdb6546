/**
 * kcp-go's FEC framing (fec.go, autotune.go) over our ReedSolomon: the
 * encoder as in v5.7.6 (v5.6.1's without a clock); the decoder keeps
 * v5.6.1's receive queue with v5.7.6's autotune (docs/kcp-go-versions.md
 * says why).
 *
 * Wire layout of an FEC packet (after the crypto header, if any):
 *   | seqid u32 LE | flag u16 LE (0xf1 data, 0xf2 parity) | size u16 LE | KCP bytes |
 * `size` counts itself (KCP length + 2). A group is `dataShards` data packets
 * then `parityShards` parity packets with consecutive seqids; parity covers
 * the size-prefixed data zero-padded to the group's longest. Parity packets
 * carry no size field of their own: their bytes after the flag are parity.
 */
import { ReedSolomon } from './reedsolomon.js';
import { DefaultSnmp, type Snmp } from './snmp.js';
import { MTU_LIMIT } from './options.js';
import { diff } from './_segment.js';

export const FEC_HEADER_SIZE = 6;
export const FEC_HEADER_SIZE_PLUS2 = FEC_HEADER_SIZE + 2;
export const TYPE_DATA = 0xf1;
export const TYPE_PARITY = 0xf2;

/**
 * TYPE_DATA or TYPE_PARITY when `packet` (at least 6 bytes) carries an FEC
 * header, else 0: a bare KCP segment's cmd and frg share those two bytes and
 * never read 0xf1/0xf2.
 */
export function fecType(packet: Uint8Array): number {
  const flag = packet[4]! | (packet[5]! << 8);
  return flag === TYPE_DATA || flag === TYPE_PARITY ? flag : 0;
}
/** kcp-go ≥ 5.6.60 SendOOB: seqid 0xFFFFFFFF, this flag, size u16, conv u32, an unreliable payload outside KCP. */
export const TYPE_OOB = 0xf3;

/** Whether `packet` (at least 6 bytes) is a kcp-go OOB packet: not KCP, and not FEC-decoded. */
export function isOob(packet: Uint8Array): boolean {
  return packet[4] === TYPE_OOB && packet[5] === 0;
}
/** Packets queued longer than this (ms) are dropped (kcp-go fecExpire). */
export const FEC_EXPIRE = 60000;
/** The receive queue holds this many groups' worth of packets (kcp-go rxFECMulti). */
export const RX_FEC_MULTI = 3;
/**
 * kcp-go (v5.6.10 and later) sends no parity for a group whose last two data
 * packets are this many ms apart or more, the seqids still advancing as if it
 * had (sess.go maxFECEncodeLatency).
 */
export const FEC_MAX_ENCODE_LATENCY = 500;

export interface FecEncoderOptions {
  /** Milliseconds. Without it every group gets its parity, as in kcp-go v5.6.1. */
  clock?: () => number;
  /** The gap (ms) from which a group's parity is skipped; FEC_MAX_ENCODE_LATENCY if absent. */
  maxEncodeLatency?: number;
}
/** Returned when there is nothing to return; frozen so a caller's push fails loudly. */
const NONE: Uint8Array[] = Object.freeze([] as Uint8Array[]) as Uint8Array[];


function checkShards(dataShards: number, parityShards: number): void {
  if (!Number.isInteger(dataShards) || !Number.isInteger(parityShards) || dataShards < 1 || parityShards < 1 || dataShards + parityShards > 256) {
    throw new RangeError(`FEC needs dataShards ≥ 1 and parityShards ≥ 1 with at most 256 in all (kcp-go and reedsolomon limits); got ${dataShards}/${parityShards}`);
  }
}

/** How many of the first d group slots hold a packet. */
function numDataPresent(present: Uint8Array, d: number): number {
  let n = 0;
  for (let k = 0; k < d; k++) n += present[k]!;
  return n;
}

function writeHeader(b: Uint8Array, at: number, seqid: number, flag: number): void {
  b[at] = seqid & 0xff;
  b[at + 1] = (seqid >>> 8) & 0xff;
  b[at + 2] = (seqid >>> 16) & 0xff;
  b[at + 3] = seqid >>> 24;
  b[at + 4] = flag;
  b[at + 5] = 0;
}

export class FecEncoder {
  private readonly dataShards: number;
  private readonly parityShards: number;
  /**
   * seqids wrap to 0 at the largest multiple of the group size that fits in
   * a uint32 ("paws", Protect Against Wrapped Sequence numbers), so groups
   * stay aligned to seqid % groupSize across the wrap.
   */
  private readonly paws: number;
  private readonly headerOffset: number;
  private readonly payloadOffset: number;
  private readonly codec: ReedSolomon;
  /** data then parity shards, MTU_LIMIT each, laid out like whole packets. */
  private readonly shardCache: Uint8Array[];
  private readonly shardLen: Int32Array;
  /** The array encode() returns at the end of a group, and its views. */
  private readonly parityOut: Uint8Array[];
  private next = 0;
  private shardCount = 0;
  private maxSize = 0;
  private readonly clock: (() => number) | undefined;
  private readonly maxLatency: number;
  /** When the last data packet was encoded; undefined before the first (kcp-go's zero time: a gap). */
  private lastData: number | undefined;

  constructor(dataShards: number, parityShards: number, headerOffset: number, options: FecEncoderOptions = {}) {
    checkShards(dataShards, parityShards);
    if (!Number.isInteger(headerOffset) || headerOffset < 0 || headerOffset > MTU_LIMIT - FEC_HEADER_SIZE_PLUS2) {
      throw new RangeError(`FEC headerOffset must be an integer in 0..${MTU_LIMIT - FEC_HEADER_SIZE_PLUS2}; got ${headerOffset}`);
    }
    const total = dataShards + parityShards;
    this.dataShards = dataShards;
    this.parityShards = parityShards;
    this.paws = Math.floor(0xffffffff / total) * total;
    this.headerOffset = headerOffset;
    this.payloadOffset = headerOffset + FEC_HEADER_SIZE;
    this.codec = new ReedSolomon(dataShards, parityShards);
    // One slab: every shard starts word-aligned, so the codec's word path applies.
    const slab = new Uint8Array(total * MTU_LIMIT);
    this.shardCache = Array.from({ length: total }, (_, k) => slab.subarray(k * MTU_LIMIT, (k + 1) * MTU_LIMIT));
    this.shardLen = new Int32Array(dataShards);
    this.parityOut = this.shardCache.slice(dataShards);
    this.clock = options.clock;
    this.maxLatency = options.maxEncodeLatency ?? FEC_MAX_ENCODE_LATENCY;
  }

  /**
   * Marks `packet` (headerOffset bytes of room, 8 bytes of FEC header room,
   * then KCP bytes) as the next data shard, writing seqid, flag and size in
   * place, and returns the parity packets once the group is complete, else
   * an empty array. The returned array and its packets are reused by later
   * calls: send or copy them first. With a clock, a group whose last two
   * data packets came maxEncodeLatency apart or more gets no parity (it
   * would repair little: the data went out long ago), and its parity seqids
   * are skipped so groups stay aligned for the peer.
   */
  encode(packet: Uint8Array): Uint8Array[] {
    const sz = packet.length;
    const p = this.payloadOffset;
    if (sz < p + 2 || sz > MTU_LIMIT) {
      throw new RangeError(`FEC packet length must be ${p + 2}..${MTU_LIMIT}; got ${sz}`);
    }
    writeHeader(packet, this.headerOffset, this.next, TYPE_DATA);
    this.next = (this.next + 1) >>> 0;
    const size = sz - p;
    packet[p] = size & 0xff;
    packet[p + 1] = size >>> 8;

    // The whole packet is copied (one call, no view); only [payloadOffset, …) is encoded.
    this.shardCache[this.shardCount]!.set(packet);
    this.shardLen[this.shardCount] = sz;
    this.shardCount++;
    if (sz > this.maxSize) this.maxSize = sz;
    let gap = false;
    if (this.clock) {
      const now = this.clock();
      gap = this.lastData === undefined || now - this.lastData >= this.maxLatency;
      this.lastData = now;
    }
    if (this.shardCount < this.dataShards) return NONE;

    const max = this.maxSize;
    if (gap) {
      this.next = (this.next + this.parityShards) % this.paws;
      this.shardCount = 0;
      this.maxSize = 0;
      return NONE;
    }
    // Shorter data shards are zero-padded to the longest, as kcp-go does.
    for (let i = 0; i < this.dataShards; i++) this.shardCache[i]!.fill(0, this.shardLen[i]!, max);
    this.codec.encode(this.shardCache, p, max);
    for (let k = 0; k < this.parityShards; k++) {
      const ps = this.shardCache[this.dataShards + k]!;
      writeHeader(ps, this.headerOffset, this.next, TYPE_PARITY);
      // The wrap happens only at a parity shard, so a group never straddles it.
      this.next = (this.next + 1) % this.paws;
      if (this.parityOut[k]!.length !== max) this.parityOut[k] = ps.subarray(0, max);
    }
    this.shardCount = 0;
    this.maxSize = 0;
    return this.parityOut;
  }
}

const MAX_AUTOTUNE_SAMPLES = 258;

/**
 * kcp-go v5.7's autoTune: the data/parity flags of the last 258 packets in
 * arrival order. When a packet's flag does not fit its position under the
 * decoder's shard counts, findPeriod() sorts them by seqid, drops seqids seen
 * with both flags, and measures the first run of `bit` flags that has a
 * consecutive seqid on each side. This is how a session given other counts
 * learns what the peer sends. (v5.6.1 kept one slot per seqid % 258, which
 * loss and reordering leave full of stale entries; it rarely found a run.)
 */
class AutoTune {
  private readonly bits = new Uint8Array(MAX_AUTOTUNE_SAMPLES);
  private readonly seqs = new Uint32Array(MAX_AUTOTUNE_SAMPLES);
  private tail = 0;
  private count = 0;
  private readonly order: number[] = [];

  sample(bit: boolean, seq: number): void {
    this.bits[this.tail] = bit ? 1 : 0;
    this.seqs[this.tail] = seq;
    this.tail = (this.tail + 1) % MAX_AUTOTUNE_SAMPLES;
    if (this.count < MAX_AUTOTUNE_SAMPLES) this.count++;
  }

  /** The length of the first complete run of `bit` flags, or -1 if there is none. */
  findPeriod(bit: boolean): number {
    const n = this.count;
    if (n < 3) return -1;
    const want = bit ? 1 : 0;
    const { bits, seqs } = this;
    const order = this.order;
    order.length = 0;
    for (let i = 0; i < n; i++) order.push(i);
    order.sort((a, b) => diff(seqs[a]!, seqs[b]!));
    // One entry per seqid; a seqid seen as both data and parity is dropped.
    let unique = 0;
    for (let i = 0; i < n; ) {
      let end = i + 1;
      let conflict = false;
      while (end < n && seqs[order[end]!] === seqs[order[i]!]) {
        conflict ||= bits[order[end]!] !== bits[order[i]!];
        end++;
      }
      if (!conflict) order[unique++] = order[i]!;
      i = end;
    }
    for (let left = 1; left < unique; left++) {
      const a = order[left - 1]!;
      const b = order[left]!;
      if (bits[a] === want || bits[b] !== want || ((seqs[a]! + 1) >>> 0) !== seqs[b]) continue;
      for (let right = left + 1; right < unique; right++) {
        const r = order[right]!;
        if (((seqs[order[right - 1]!]! + 1) >>> 0) !== seqs[r]) break;
        if (bits[r] !== want) return diff(seqs[r]!, seqs[b]!);
      }
    }
    return -1;
  }
}

/** A queued packet: a copy in a MTU_LIMIT buffer, so it can be zero-padded in place. */
interface RxElement {
  buf: Uint8Array;
  len: number;
  seqid: number;
  flag: number;
  ts: number;
}

export class FecDecoder {
  private dataShards: number;
  private parityShards: number;
  private shardSize: number;
  private rxlimit: number;
  private codec: ReedSolomon;
  /** Receive queue ordered by seqid (wrapping compare): queue[0, count). Only grows. */
  private queue: RxElement[] = [];
  private count = 0;
  /** Recycled elements; after warm-up decode() allocates no buffers. */
  private readonly free: RxElement[] = [];
  private freeCount = 0;
  /** Per group slot: the shard buffer handed to the codec, and whether it arrived. */
  private shards: Uint8Array[];
  private present: Uint8Array;
  private slotLen: Int32Array;
  /** Per data slot: where rebuilt shards are written, and the view returned. */
  private outBufs: Uint8Array[] = [];
  private outViews: Uint8Array[] = [];
  /** results[n]: the array returned when n shards were rebuilt. */
  private readonly results: Uint8Array[][] = [];
  private readonly autoTune = new AutoTune();
  /**
   * A flag did not fit its position under the current counts: until autotune
   * has measured the peer's, packets are sampled but neither queued nor
   * decoded, and a change of counts empties the queue (kcp-go v5.7). v5.6.1
   * kept decoding with the old queue, and so rebuilt "shards" across groups
   * of the wrong size: garbage that KCP then refused.
   */
  private tuning = false;

  constructor(
    dataShards: number,
    parityShards: number,
    /** Where FECShortShards is counted; kcp-go always counts process-wide. */
    private readonly snmp: Snmp = DefaultSnmp,
  ) {
    checkShards(dataShards, parityShards);
    this.dataShards = dataShards;
    this.parityShards = parityShards;
    this.shardSize = dataShards + parityShards;
    this.rxlimit = RX_FEC_MULTI * this.shardSize;
    this.codec = new ReedSolomon(dataShards, parityShards);
    this.shards = new Array<Uint8Array>(this.shardSize);
    this.present = new Uint8Array(this.shardSize);
    this.slotLen = new Int32Array(this.shardSize);
  }

  /** The shard counts in use (they change if autotune follows the peer). */
  get shardCounts(): [number, number] {
    return [this.dataShards, this.parityShards];
  }

  /** Packets waiting in the receive queue. */
  get queued(): number {
    return this.count;
  }

  /** The queued packets (a copy of the list), for tests that look inside. */
  private get rx(): readonly RxElement[] {
    return this.queue.slice(0, this.count);
  }

  /**
   * Takes one FEC packet (starting at its header, crypto header stripped)
   * received at `now` (ms, uint32 wrap fine) and returns the data shards it
   * made recoverable, each starting with its 2-byte size and zero-padded to
   * the group's longest shard, as kcp-go's decode(). The returned array and
   * shards are reused by the next call: consume them first. Never throws.
   *
   * kcp-go's kcpInput only calls decode() for 0xf1/0xf2 packets of at least
   * 8 bytes read into 1500-byte buffers; anything else is ignored here.
   */
  decode(packet: Uint8Array, now: number): Uint8Array[] {
    const len = packet.length;
    if (len < FEC_HEADER_SIZE_PLUS2 || len > MTU_LIMIT) return NONE;
    const seqid = (packet[0]! | (packet[1]! << 8) | (packet[2]! << 16) | (packet[3]! << 24)) >>> 0;
    const flag = fecType(packet);
    if (flag === 0) return NONE;

    this.autoTune.sample(flag === TYPE_DATA, seqid);
    // No encoder sends a seqid at or past paws (kcp-go v5.7 drops them).
    if (seqid >= Math.floor(0xffffffff / this.shardSize) * this.shardSize) return NONE;
    // A flag that does not fit its position means the peer's counts differ.
    if ((seqid % this.shardSize < this.dataShards) !== (flag === TYPE_DATA)) this.tuning = true;
    if (this.tuning) {
      this.retune();
      return NONE;
    }

    // Ordered insertion, searching from the newest; a known seqid is a duplicate.
    const queue = this.queue;
    let insertIdx = 0;
    for (let i = this.count - 1; i >= 0; i--) {
      const s = queue[i]!.seqid;
      if (s === seqid) return NONE;
      if (diff(seqid, s) > 0) {
        insertIdx = i + 1;
        break;
      }
    }
    const elem = this.take();
    elem.buf.set(packet);
    elem.len = len;
    elem.seqid = seqid;
    elem.flag = flag;
    elem.ts = now >>> 0;
    if (this.count === queue.length) queue.push(elem);
    for (let i = this.count; i > insertIdx; i--) queue[i] = queue[i - 1]!;
    queue[insertIdx] = elem;
    this.count++;

    const recovered = this.tryRecover(seqid, insertIdx);

    if (this.count > this.rxlimit) {
      // The oldest packet's group can no longer complete: a data shard lost for good.
      if (queue[0]!.flag === TYPE_DATA) this.snmp.add('FECShortShards');
      this.removeRange(0, 1);
    }
    const current = now >>> 0;
    let expired = 0;
    while (expired < this.count && diff(current, queue[expired]!.ts) > FEC_EXPIRE) expired++;
    if (expired > 0) this.removeRange(0, expired);
    return recovered;
  }

  /** Looks at the group of the packet just queued at insertIdx (kcp-go decode's middle part). */
  private tryRecover(seqid: number, insertIdx: number): Uint8Array[] {
    const shardSize = this.shardSize;
    const d = this.dataShards;
    const pos = seqid % shardSize;
    const shardBegin = (seqid - pos) >>> 0;
    const shardEnd = (shardBegin + shardSize - 1) >>> 0;
    // Only the queue entries that could belong to this group.
    const searchBegin = Math.max(0, insertIdx - pos);
    const searchEnd = Math.min(searchBegin + shardSize - 1, this.count - 1);
    if (searchEnd - searchBegin + 1 < d) return NONE;

    const queue = this.queue;
    const shards = this.shards;
    const present = this.present;
    present.fill(0);
    let numshard = 0;
    let numDataShard = 0;
    let first = 0;
    let maxlen = 0;
    for (let i = searchBegin; i <= searchEnd; i++) {
      const e = queue[i]!;
      if (diff(e.seqid, shardEnd) > 0) break;
      if (diff(e.seqid, shardBegin) < 0) continue;
      const k = e.seqid % shardSize;
      shards[k] = e.buf;
      present[k] = 1;
      this.slotLen[k] = e.len;
      numshard++;
      if (e.flag === TYPE_DATA) numDataShard++;
      if (numshard === 1) first = i;
      if (e.len > maxlen) maxlen = e.len;
    }
    maxlen -= FEC_HEADER_SIZE; // the shard is everything after seqid and flag

    // Counting flags, not slots, as kcp-go: all data arrived, nothing to rebuild.
    if (numDataShard === d) {
      this.removeRange(first, numshard);
      return NONE;
    }
    if (numshard < d) return NONE;

    const end = FEC_HEADER_SIZE + maxlen;
    for (let k = 0; k < shardSize; k++) {
      if (present[k]) {
        // Zero-pad to the longest; a recycled buffer may hold older bytes there.
        shards[k]!.fill(0, this.slotLen[k]!, end);
      } else if (k < d) {
        shards[k] = this.outBuf(k);
      }
    }
    let recovered = NONE;
    if (this.codec.reconstructData(shards, present, FEC_HEADER_SIZE, end)) {
      recovered = this.resultArray(d - numDataPresent(present, d));
      let n = 0;
      for (let k = 0; k < d; k++) {
        if (present[k]) continue;
        let view = this.outViews[k]!;
        if (view.length !== maxlen) this.outViews[k] = view = this.outBufs[k]!.subarray(FEC_HEADER_SIZE, end);
        recovered[n++] = view;
      }
    }
    this.removeRange(first, numshard);
    return recovered;
  }

  /** A reused array of length n for decode()'s result. */
  private resultArray(n: number): Uint8Array[] {
    while (this.results.length <= n) this.results.push(new Array<Uint8Array>(this.results.length));
    return this.results[n]!;
  }

  private outBuf(k: number): Uint8Array {
    while (this.outBufs.length <= k) {
      this.outBufs.push(new Uint8Array(MTU_LIMIT));
      this.outViews.push(new Uint8Array(0));
    }
    return this.outBufs[k]!;
  }

  private take(): RxElement {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    return { buf: new Uint8Array(MTU_LIMIT), len: 0, seqid: 0, flag: 0, ts: 0 };
  }

  /** Removes queue[first, first+n), recycling the elements (kcp-go freeRange). */
  private removeRange(first: number, n: number): void {
    const queue = this.queue;
    for (let i = first; i < first + n; i++) {
      if (this.freeCount === this.free.length) this.free.push(queue[i]!);
      else this.free[this.freeCount] = queue[i]!;
      this.freeCount++;
    }
    for (let i = first + n; i < this.count; i++) queue[i - n] = queue[i]!;
    this.count -= n;
  }

  /**
   * Adopts the peer's shard counts if autotune sees a clear period for both
   * flags that differs from ours (kcp-go: both in 1..255). The queue is kept:
   * kcp-go then trims it back to the new rxlimit one packet per call.
   * (kcp-go also changes its counts when reedsolomon.New then fails on more
   * than 256 shards, which FindPeriod's 258-slot window cannot produce; the
   * extra check keeps that impossible case from ever reaching our codec.)
   */
  private retune(): void {
    const ds = this.autoTune.findPeriod(true);
    const ps = this.autoTune.findPeriod(false);
    if (ds <= 0 || ps <= 0 || ds + ps > 256) return;
    this.tuning = false;
    if (ds === this.dataShards && ps === this.parityShards) return;
    this.release();
    this.dataShards = ds;
    this.parityShards = ps;
    this.shardSize = ds + ps;
    this.rxlimit = RX_FEC_MULTI * this.shardSize;
    this.codec = new ReedSolomon(ds, ps);
    this.shards = new Array<Uint8Array>(this.shardSize);
    this.present = new Uint8Array(this.shardSize);
    this.slotLen = new Int32Array(this.shardSize);
  }

  /** Drops every queued packet (session close). */
  release(): void {
    this.removeRange(0, this.count);
  }
}
