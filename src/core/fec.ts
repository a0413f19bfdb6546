/**
 * kcp-go's FEC framing (fec.go, autotune.go), over our ReedSolomon.
 *
 * Wire layout of an FEC packet (after the crypto header, if any):
 *   | seqid u32 LE | flag u16 LE (0xf1 data, 0xf2 parity) | size u16 LE | KCP bytes |
 * `size` counts itself (payload length + 2). Each group is `dataShards` data
 * packets then `parityShards` parity packets with consecutive seqids; parity
 * is computed over the size-prefixed data zero-padded to the group's longest.
 */
import { ReedSolomon } from './reedsolomon.js';
import type { Snmp } from './snmp.js';

export const FEC_HEADER_SIZE = 6;
export const FEC_HEADER_SIZE_PLUS2 = FEC_HEADER_SIZE + 2;
export const TYPE_DATA = 0xf1;
export const TYPE_PARITY = 0xf2;
/** Packets older than this (ms) leave the receive queue (kcp-go fecExpire). */
export const FEC_EXPIRE = 60000;
/** The receive queue keeps this many groups' worth of packets (kcp-go rxFECMulti). */
export const RX_FEC_MULTI = 3;
/** kcp-go's packet buffer size (mtuLimit): the largest packet FEC handles. */
const MAX_PACKET = 1500;

const diff = (later: number, earlier: number): number => (later - earlier) | 0;

function checkShards(dataShards: number, parityShards: number): void {
  if (!Number.isInteger(dataShards) || !Number.isInteger(parityShards) || dataShards < 1 || parityShards < 1 || dataShards + parityShards > 256) {
    throw new RangeError(`FEC needs dataShards ≥ 1 and parityShards ≥ 1 with at most 256 in all; got ${dataShards}/${parityShards}`);
  }
}

export class FecEncoder {
  private readonly dataShards: number;
  private readonly parityShards: number;
  /** seqids wrap at the largest multiple of the group size (Protect Against Wrapped Sequence numbers). */
  private readonly paws: number;
  private readonly headerOffset: number;
  private readonly payloadOffset: number;
  private readonly codec: ReedSolomon;
  private readonly shardCache: Uint8Array[];
  private readonly parityViews: Uint8Array[];
  private next = 0;
  private shardCount = 0;
  private maxSize = 0;

  constructor(dataShards: number, parityShards: number, headerOffset: number) {
    checkShards(dataShards, parityShards);
    const shardSize = dataShards + parityShards;
    this.dataShards = dataShards;
    this.parityShards = parityShards;
    this.paws = Math.floor(0xffffffff / shardSize) * shardSize;
    this.headerOffset = headerOffset;
    this.payloadOffset = headerOffset + FEC_HEADER_SIZE;
    this.codec = new ReedSolomon(dataShards, parityShards);
    this.shardCache = Array.from({ length: shardSize }, () => new Uint8Array(MAX_PACKET));
    this.parityViews = new Array<Uint8Array>(parityShards);
  }

  /**
   * Marks `packet` as the next data shard (writing its FEC header and size)
   * and returns the parity packets once a group is complete, else [].
   * The returned arrays are reused by the next call that completes a group.
   */
  encode(packet: Uint8Array): Uint8Array[] {
    const h = this.headerOffset;
    const p = this.payloadOffset;
    const sz = packet.length;
    writeHeader(packet, h, this.next, TYPE_DATA);
    this.next = (this.next + 1) >>> 0;
    const size = sz - p;
    packet[p] = size & 0xff;
    packet[p + 1] = size >>> 8;

    const shard = this.shardCache[this.shardCount]!;
    shard.set(packet.subarray(p), p);
    // Zero what a longer earlier packet left behind: parity pads with zeros.
    shard.fill(0, sz);
    this.shardCount++;
    if (sz > this.maxSize) this.maxSize = sz;

    if (this.shardCount < this.dataShards) return [];
    const max = this.maxSize;
    this.codec.encode(this.shardCache, p, max);
    for (let k = 0; k < this.parityShards; k++) {
      const ps = this.shardCache[this.dataShards + k]!;
      writeHeader(ps, h, this.next, TYPE_PARITY);
      // Sequence wrap only happens at a parity shard, keeping groups aligned.
      this.next = (this.next + 1) % this.paws;
      this.parityViews[k] = ps.subarray(0, max);
    }
    this.shardCount = 0;
    this.maxSize = 0;
    return this.parityViews.slice();
  }
}

function writeHeader(b: Uint8Array, at: number, seqid: number, flag: number): void {
  b[at] = seqid & 0xff;
  b[at + 1] = (seqid >>> 8) & 0xff;
  b[at + 2] = (seqid >>> 16) & 0xff;
  b[at + 3] = seqid >>> 24;
  b[at + 4] = flag;
  b[at + 5] = 0;
}

const readSeqid = (b: Uint8Array): number => (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;

interface RxElement {
  /** A copy of the packet in a MAX_PACKET buffer, so it can be zero-padded in place. */
  buf: Uint8Array;
  len: number;
  seqid: number;
  flag: number;
  ts: number;
}

/**
 * kcp-go's autoTune: remembers the data/parity pattern of recent seqids so a
 * decoder whose shard counts differ from the peer's (kcp-go creates one with
 * 1/1 when FEC packets arrive unasked) can find the peer's real counts.
 */
const MAX_AUTOTUNE_SAMPLES = 258;

class AutoTune {
  private readonly bits = new Uint8Array(MAX_AUTOTUNE_SAMPLES);
  private readonly seqs = new Uint32Array(MAX_AUTOTUNE_SAMPLES);

  sample(bit: boolean, seq: number): void {
    const i = seq % MAX_AUTOTUNE_SAMPLES;
    this.bits[i] = bit ? 1 : 0;
    this.seqs[i] = seq;
  }

  /** Length of a continuous run of `bit` between two edges, or -1. */
  findPeriod(bit: boolean): number {
    const want = bit ? 1 : 0;
    const n = MAX_AUTOTUNE_SAMPLES;
    let lastBit = this.bits[0]!;
    let lastSeq = this.seqs[0]!;
    let leftEdge = 0;
    for (let idx = 1; idx < n; idx++) {
      if (lastBit !== want && this.bits[idx] === want && ((lastSeq + 1) >>> 0) === this.seqs[idx]) {
        leftEdge = idx;
        break;
      }
      lastBit = this.bits[idx]!;
      lastSeq = this.seqs[idx]!;
    }
    let rightEdge = 0;
    lastBit = this.bits[leftEdge]!;
    lastSeq = this.seqs[leftEdge]!;
    for (let idx = leftEdge + 1; idx < n; idx++) {
      if (((lastSeq + 1) >>> 0) !== this.seqs[idx]) return -1;
      if (lastBit === want && this.bits[idx] !== want) {
        rightEdge = idx;
        break;
      }
      lastBit = this.bits[idx]!;
      lastSeq = this.seqs[idx]!;
    }
    return rightEdge - leftEdge;
  }
}

export class FecDecoder {
  private dataShards: number;
  private parityShards: number;
  private shardSize: number;
  private rxlimit: number;
  private codec: ReedSolomon;
  private rx: RxElement[] = [];
  private shards: Uint8Array[];
  private present: boolean[];
  private readonly autoTune = new AutoTune();

  constructor(
    dataShards: number,
    parityShards: number,
    private readonly snmp?: Snmp,
  ) {
    checkShards(dataShards, parityShards);
    this.dataShards = dataShards;
    this.parityShards = parityShards;
    this.shardSize = dataShards + parityShards;
    this.rxlimit = RX_FEC_MULTI * this.shardSize;
    this.codec = new ReedSolomon(dataShards, parityShards);
    this.shards = new Array<Uint8Array>(this.shardSize);
    this.present = new Array<boolean>(this.shardSize).fill(false);
  }

  get shardCounts(): [number, number] {
    return [this.dataShards, this.parityShards];
  }

  /**
   * Takes one FEC packet (starting at its header) received at `now` (ms).
   * Returns the data shards it allowed to rebuild, each starting with its
   * 2-byte size. Never throws; malformed packets just fail to help.
   */
  decode(packet: Uint8Array, now: number): Uint8Array[] {
    if (packet.length < FEC_HEADER_SIZE || packet.length > MAX_PACKET) return [];
    const seqid = readSeqid(packet);
    const flag = packet[4]! | (packet[5]! << 8);
    if (flag !== TYPE_DATA && flag !== TYPE_PARITY) return [];
    this.autoTune.sample(flag === TYPE_DATA, seqid);

    // A packet whose type does not fit its position means the peer's shard
    // counts differ from ours: learn them from the pattern if it is clear.
    const expectData = seqid % this.shardSize < this.dataShards;
    if (expectData !== (flag === TYPE_DATA)) this.retune();

    // Insert into the queue ordered by seqid, dropping duplicates.
    const rx = this.rx;
    let insertIdx = 0;
    for (let i = rx.length - 1; i >= 0; i--) {
      const s = rx[i]!.seqid;
      if (s === seqid) return [];
      if (diff(seqid, s) > 0) {
        insertIdx = i + 1;
        break;
      }
    }
    const buf = new Uint8Array(MAX_PACKET);
    buf.set(packet);
    rx.splice(insertIdx, 0, { buf, len: packet.length, seqid, flag, ts: now >>> 0 });

    const recovered: Uint8Array[] = [];
    const shardSize = this.shardSize;
    const shardBegin = (seqid - (seqid % shardSize)) >>> 0;
    const shardEnd = (shardBegin + shardSize - 1) >>> 0;
    const searchBegin = Math.max(0, insertIdx - (seqid % shardSize));
    const searchEnd = Math.min(searchBegin + shardSize - 1, rx.length - 1);

    if (searchEnd - searchBegin + 1 >= this.dataShards) {
      const shards = this.shards;
      const present = this.present;
      present.fill(false);
      let numshard = 0;
      let numDataShard = 0;
      let first = 0;
      let maxlen = 0;
      for (let i = searchBegin; i <= searchEnd; i++) {
        const e = rx[i]!;
        if (diff(e.seqid, shardEnd) > 0) break;
        if (diff(e.seqid, shardBegin) < 0) continue;
        const k = e.seqid % shardSize;
        shards[k] = e.buf.subarray(FEC_HEADER_SIZE);
        present[k] = true;
        numshard++;
        if (e.flag === TYPE_DATA) numDataShard++;
        if (numshard === 1) first = i;
        const dlen = e.len - FEC_HEADER_SIZE;
        if (dlen > maxlen) maxlen = dlen;
      }
      if (numDataShard === this.dataShards) {
        // No data lost in this group: nothing to rebuild, forget it.
        rx.splice(first, numshard);
      } else if (numshard >= this.dataShards) {
        // Pad present shards with zeros to the longest (their buffers are
        // fresh, so bytes past len are already zero) and rebuild the rest.
        for (let k = 0; k < this.dataShards; k++) if (!present[k]) shards[k] = new Uint8Array(maxlen);
        if (this.codec.reconstructData(shards, present, 0, maxlen)) {
          for (let k = 0; k < this.dataShards; k++) if (!present[k]) recovered.push(shards[k]!.subarray(0, maxlen));
        }
        rx.splice(first, numshard);
      }
    }

    if (rx.length > this.rxlimit) {
      // The oldest packet can no longer be part of a recoverable group.
      if (rx[0]!.flag === TYPE_DATA) this.snmp?.add('FECShortShards');
      rx.shift();
    }
    let expired = 0;
    while (expired < rx.length && diff(now >>> 0, rx[expired]!.ts) > FEC_EXPIRE) expired++;
    if (expired > 0) rx.splice(0, expired);
    return recovered;
  }

  private retune(): void {
    const ds = this.autoTune.findPeriod(true);
    const ps = this.autoTune.findPeriod(false);
    if (ds > 0 && ps > 0 && ds < 256 && ps < 256 && ds + ps <= 256 && (ds !== this.dataShards || ps !== this.parityShards)) {
      this.dataShards = ds;
      this.parityShards = ps;
      this.shardSize = ds + ps;
      this.rxlimit = RX_FEC_MULTI * this.shardSize;
      this.codec = new ReedSolomon(ds, ps);
      this.shards = new Array<Uint8Array>(this.shardSize);
      this.present = new Array<boolean>(this.shardSize).fill(false);
    }
  }

  /** Drops every queued packet (on session close). */
  release(): void {
    this.rx = [];
  }
}
