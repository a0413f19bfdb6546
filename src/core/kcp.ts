/**
 * KCP ARQ with kcp-go's behaviour (kcp.go of v5.7.6, or of v5.6.1 with
 * `compat: 'v5.6.1'`), in the shape of skywind3000's ikcp.c: one object, no
 * I/O — packets leave through the output callback, time comes from the
 * injected clock.
 *
 * Where kcp-go differs from ikcp.c, kcp-go wins, because our peers run it:
 *  - flush(ackOnly) returns the ms until the next flush is due (the nearest
 *    retransmission, at most the interval); kcp-go's session reschedules on
 *    that instead of calling update() on a fixed tick;
 *  - input(data, regular, ackNoDelay): `regular` is false for FEC-recovered
 *    packets, whose wnd/ts are stale, so they neither move rmt_wnd nor feed
 *    RTT nor count as repeats; ackNoDelay flushes ACKs before returning, and
 *    a sliding send window (una advanced) flushes everything at once;
 *  - acked segments stay in snd_buf (flag `acked`) until una passes them;
 *  - ACKs below rcv_nxt are left out of the flush (una covers them), except
 *    the last one; window probes reuse the last ACK's sn/ts;
 *  - retransmission kinds: fast (fastack ≥ resend), early (any fastack and
 *    no new segment in this flush), RTO (with nodelay the RTO grows by
 *    rx_rto/2 instead of rx_rto); counted in Snmp like kcp-go's DefaultSnmp;
 *  - rx_minrto is 30 ms with nodelay, 100 ms without; a falling RTT moves
 *    rttvar with 1/32 weight (RFC 6298 with kcp-go's tweak);
 *  - a segment sent dead_link times sets state to 0xFFFFFFFF;
 *  - reserveBytes leaves room at the front of each packet for FEC/crypto;
 *  - stream mode appends to the last queued segment; sends of more than 255
 *    fragments fail with -2 (ikcp.c's limit is the receive window);
 *  - IKCP_WND_RCV is 32 (ikcp.c: 128), and the receive window has no
 *    minimum.
 *
 * What v5.7.6 does differently from v5.6.1 (only timing and which flush
 * carries what; the wire format is the same, and either end works with the
 * other):
 *  - a zero remote window is first probed after 500 ms, not 7 s;
 *  - a segment fast- or early-retransmitted has fastack pinned at
 *    0xFFFFFFFF: no more ACK-counted resends of it until its RTO fires;
 *  - input flushes everything when an ACK brings a segment to the fast
 *    resend threshold (not only when una advances), and flushes the ACKs
 *    once (mtu − reserved) / 24 of them are pending;
 *  - an ACK-only flush also sends window probes and moves queued segments
 *    into the send window (they go out with the next full flush);
 *  - setMtu accepts any MTU above the 24-byte header (v5.6.1: 50 and up).
 */
import { DefaultSnmp, type Snmp } from './snmp.js';
import { HEADER_SIZE, SegQueue, Segment, diff, encodeHeader, readI32, readU32 } from './_segment.js';

/** Kcp.pendingFlush values: the flush input asked for. */
export const FLUSH_ACKS = 1;
export const FLUSH_ALL = 2;

export const IKCP_RTO_NDL = 30; // no-delay min rto
export const IKCP_RTO_MIN = 100; // normal min rto
export const IKCP_RTO_DEF = 200;
export const IKCP_RTO_MAX = 60000;
export const IKCP_CMD_PUSH = 81; // push data
export const IKCP_CMD_ACK = 82; // ack
export const IKCP_CMD_WASK = 83; // window probe (ask)
export const IKCP_CMD_WINS = 84; // window size (tell)
export const IKCP_ASK_SEND = 1; // need to send IKCP_CMD_WASK
export const IKCP_ASK_TELL = 2; // need to send IKCP_CMD_WINS
export const IKCP_WND_SND = 32;
export const IKCP_WND_RCV = 32;
export const IKCP_MTU_DEF = 1400;
export const IKCP_ACK_FAST = 3;
export const IKCP_INTERVAL = 100;
export const IKCP_OVERHEAD = HEADER_SIZE;
export const IKCP_DEADLINK = 20;
export const IKCP_THRESH_INIT = 2;
export const IKCP_THRESH_MIN = 2;
export const IKCP_PROBE_INIT = 500; // first window probe after 500 ms (v5.6.1: 7000)
export const IKCP_PROBE_INIT_V561 = 7000;
export const IKCP_PROBE_LIMIT = 120000; // up to 120 secs to probe window

/** fastack of a segment already resent on ACK count: it waits for its RTO (v5.7). */
const FASTACK_SPENT = 0xffffffff;

/**
 * Recycled segments, shared by every Kcp in the process as kcp-go's global
 * sync.Pool: a server's sessions each receive now and then, and a segment
 * one of them has just freed is still in the CPU cache when the next takes
 * it (a per-session pool hands out one untouched since that session's last
 * message). At most POOL_MAX kept (~6 MB of 1500-byte segments).
 */
const POOL_MAX = 4096;
const pool: Segment[] = [];

export interface KcpOptions {
  /** Milliseconds; only differences matter and they are taken modulo 2^32. */
  clock: () => number;
  /** Counters to bump where kcp-go bumps DefaultSnmp (Snmp.add also reaches DefaultSnmp); DefaultSnmp if absent. */
  snmp?: Snmp;
  /** Behave as kcp-go v5.6.1's KCP (see the list at the top); the newest kcp-go's if absent. */
  compat?: 'v5.6.1';
}

export class Kcp {
  /** The conversation id as an int32 (see readI32); `conv` is the uint32. */
  readonly conv32: number;
  mtu = IKCP_MTU_DEF;
  mss = IKCP_MTU_DEF - IKCP_OVERHEAD;
  /** 0 while alive; 0xFFFFFFFF once a segment was sent dead_link times. */
  state = 0;
  snd_una = 0;
  snd_nxt = 0;
  rcv_nxt = 0;
  ssthresh = IKCP_THRESH_INIT;
  rx_rttvar = 0;
  rx_srtt = 0;
  rx_rto = IKCP_RTO_DEF;
  rx_minrto = IKCP_RTO_MIN;
  snd_wnd = IKCP_WND_SND;
  rcv_wnd = IKCP_WND_RCV;
  rmt_wnd = IKCP_WND_RCV;
  cwnd = 0;
  /** IKCP_ASK_SEND / IKCP_ASK_TELL bits for the next flush. */
  probe = 0;
  interval = IKCP_INTERVAL;
  ts_flush = IKCP_INTERVAL;
  nodelay = 0;
  updated = false;
  ts_probe = 0;
  probe_wait = 0;
  /** Transmissions of one segment after which state becomes 0xFFFFFFFF. */
  dead_link = IKCP_DEADLINK;
  incr = 0;
  /** Fast resend threshold in fastacks; ≤ 0 disables it. */
  fastresend = 0;
  /** True when congestion control is off (kcp-go nc=1). */
  nocwnd = false;
  /** Stream mode: sends merge into full segments and frg is always 0. */
  stream = false;
  /** Leave the flushes input asks for to the owner (pendingFlush) instead of running them inside input. */
  deferFlush = false;
  /** The flush input asked for while deferFlush was set: 0 none, 1 ACKs only, 2 everything. */
  pendingFlush = 0;
  /**
   * At most this many new segments per flush (kcp-go: no limit); when it
   * stops a flush, pendingFlush asks the owner for another. A single-threaded
   * owner uses it so a large write leaves in slices with input read between
   * them, instead of one long burst during which no ACK is read.
   */
  flushLimit = Infinity;
  /**
   * At most this many datagrams with segments per flush (kcp-go: no limit):
   * the room a transport's send buffer has left. Segments due past it stay
   * due, untouched, and `blocked` tells the owner to flush again once the
   * transport has drained, rather than hand it datagrams it would drop.
   */
  outputRoom = Infinity;
  /** The last flush left due segments unsent for want of outputRoom. */
  blocked = false;

  private readonly snd_queue = new SegQueue();
  private readonly rcv_queue = new SegQueue();
  private readonly snd_buf = new SegQueue();
  private readonly rcv_buf = new SegQueue();
  /** Pending ACKs as pairs (sn, ts); ackcount pairs are valid. */
  private acklist = new Uint32Array(64);
  private acks = 0;
  private buffer: Uint8Array;
  private reserved = 0;
  private readonly clock: () => number;
  private readonly snmp: Snmp;
  private readonly v561: boolean;
  private readonly probeInit: number;

  /**
   * `output` receives a view over this Kcp's own buffer: `reserved` bytes of
   * room at the front (contents unspecified), then the segments. The buffer
   * is reused as soon as output returns (the view object too), and output
   * must not call back into this Kcp.
   */
  constructor(
    conv: number,
    private readonly output: (packet: Uint8Array) => void,
    options: KcpOptions,
  ) {
    this.conv32 = conv | 0;
    this.clock = options.clock;
    this.snmp = options.snmp ?? DefaultSnmp;
    this.v561 = options.compat === 'v5.6.1';
    this.probeInit = this.v561 ? IKCP_PROBE_INIT_V561 : IKCP_PROBE_INIT;
    this.buffer = new Uint8Array(this.mtu);
  }

  /** The view output got last: full-size packets, most of a transfer, reuse it instead of a new view each. */
  private outView: Uint8Array = new Uint8Array(0);

  /** Hands buf[0, length) to output. */
  private emit(buf: Uint8Array, length: number): void {
    let view = this.outView;
    if (view.length !== length || view.buffer !== buf.buffer) view = this.outView = buf.subarray(0, length);
    this.output(view);
  }

  /** The conversation id, 0 to 2^32 - 1. */
  get conv(): number {
    return this.conv32 >>> 0;
  }

  /** Segments waiting in the send queue (not yet given a sequence number). */
  get nsnd_que(): number {
    return this.snd_queue.length;
  }
  /** Segments sent and not yet passed by the peer's una (acked ones included). */
  get nsnd_buf(): number {
    return this.snd_buf.length;
  }
  /** In-order segments waiting for recv(). */
  get nrcv_que(): number {
    return this.rcv_queue.length;
  }
  /** Out-of-order segments waiting for the gap before them. */
  get nrcv_buf(): number {
    return this.rcv_buf.length;
  }
  /** ACKs queued for the next flush. */
  get ackcount(): number {
    return this.acks;
  }

  private now(): number {
    return this.clock() >>> 0;
  }

  private allocSegment(size: number): Segment {
    let seg = pool.pop();
    if (seg === undefined || seg.data.length < size) seg = new Segment(Math.max(size, this.mtu));
    else seg.reset();
    seg.setLen(size);
    return seg;
  }

  private freeSegment(seg: Segment): void {
    if (pool.length < POOL_MAX) pool.push(seg);
  }

  /** Keeps n bytes at the front of every output packet for outer headers; false if n leaves no mss. */
  reserveBytes(n: number): boolean {
    if (!Number.isInteger(n) || n >= this.mtu - IKCP_OVERHEAD || n < 0) return false;
    this.reserved = n;
    this.mss = this.mtu - IKCP_OVERHEAD - n;
    return true;
  }

  /** Size of the next message in rcv_queue, or -1 if none is complete. */
  peekSize(): number {
    const q = this.rcv_queue;
    if (q.length === 0) return -1;
    const first = q.at(0);
    if (first.frg === 0) return first.len;
    // kcp-go compares with uint8(frg+1), which is 0 for frg 255: such a
    // message (never sent by kcp-go, which stops at 255 fragments) is then
    // delivered with whatever the queue holds. Mirrored so both deliver the same.
    if (q.length < ((first.frg + 1) & 0xff)) return -1;
    let length = 0;
    for (let i = 0; i < q.length; i++) {
      const seg = q.at(i);
      length += seg.len;
      if (seg.frg === 0) break;
    }
    return length;
  }

  /**
   * For a stream read: the bytes of the next message and of the
   * single-segment messages after it (stream mode's segments), while the
   * total stays within `max`; -1 if none is complete.
   */
  peekStream(max: number): number {
    const size = this.peekSize();
    const q = this.rcv_queue;
    if (size < 0 || q.at(0).frg !== 0) return size;
    let total = size;
    for (let i = 1; i < q.length; i++) {
      const seg = q.at(i);
      if (seg.frg !== 0 || total + seg.len > max) break;
      total += seg.len;
    }
    return total;
  }

  /** Copies the next message into buffer at `offset`; -1 if none, -2 if it does not fit. */
  recv(buffer: Uint8Array, offset = 0): number {
    const peeksize = this.peekSize();
    if (peeksize < 0) return -1;
    if (peeksize > buffer.length - offset) return -2;

    const q = this.rcv_queue;
    const fastRecover = q.length >= this.rcv_wnd;
    let n = 0;
    let count = 0;
    while (count < q.length) {
      const seg = q.at(count);
      buffer.set(seg.payload, offset + n);
      n += seg.len;
      count++;
      const last = seg.frg === 0;
      this.freeSegment(seg);
      if (last) break;
    }
    q.dropFront(count);
    this.moveToRcvQueue();
    // kcp-go "fast recover": the window reopened after being full, so tell
    // the peer at the next flush instead of waiting for its probe.
    if (q.length < this.rcv_wnd && fastRecover) this.probe |= IKCP_ASK_TELL;
    return n;
  }

  /** Queues a copy of data: 0 on success, -1 if empty, -2 if it needs more than 255 fragments. */
  send(buffer: Uint8Array): number {
    const total = buffer.length;
    if (total === 0) return -1;
    const mss = this.mss;
    let off = 0;
    if (this.stream) {
      // Fill up the last queued segment first. As in kcp-go this happens
      // before the 255-fragment check, so a failing send may still have
      // appended its first bytes.
      const last = this.snd_queue.last();
      if (last !== null && last.len < mss) {
        const old = last.len;
        const extend = Math.min(mss - old, total);
        last.setLen(old + extend);
        last.data.set(extend === total ? buffer : buffer.subarray(0, extend), old);
        off = extend;
      }
      if (off === total) return 0;
    }
    const rest = total - off;
    const count = rest <= mss ? 1 : Math.ceil(rest / mss);
    if (count > 255) return -2;
    for (let i = 0; i < count; i++) {
      const size = Math.min(total - off, mss);
      const seg = this.allocSegment(size);
      seg.data.set(off === 0 && size === total ? buffer : buffer.subarray(off, off + size));
      seg.frg = this.stream ? 0 : count - i - 1;
      this.snd_queue.push(seg);
      off += size;
    }
    return 0;
  }

  private updateAck(rtt: number): void {
    // RFC 6298, except that a sample below srtt - rttvar gets 1/32 weight (kcp-go).
    if (this.rx_srtt === 0) {
      this.rx_srtt = rtt;
      this.rx_rttvar = rtt >> 1;
    } else {
      let delta = (rtt - this.rx_srtt) | 0;
      this.rx_srtt = (this.rx_srtt + (delta >> 3)) | 0;
      if (delta < 0) delta = -delta | 0;
      if (rtt < ((this.rx_srtt - this.rx_rttvar) | 0)) this.rx_rttvar = (this.rx_rttvar + ((delta - this.rx_rttvar) >> 5)) | 0;
      else this.rx_rttvar = (this.rx_rttvar + ((delta - this.rx_rttvar) >> 2)) | 0;
    }
    // uint32 arithmetic as in kcp-go: srtt + max(interval, rttvar << 2), bounded.
    const rto = ((this.rx_srtt >>> 0) + Math.max(this.interval, (this.rx_rttvar << 2) >>> 0)) >>> 0;
    this.rx_rto = Math.min(Math.max(this.rx_minrto, rto), IKCP_RTO_MAX);
  }

  private shrinkBuf(): void {
    this.snd_una = this.snd_buf.length > 0 ? this.snd_buf.at(0).sn : this.snd_nxt;
  }

  // snd_buf always holds consecutive sequence numbers starting at
  // snd_buf[0].sn (segments enter with snd_nxt++ and leave only from the
  // front), so the segment with sequence number sn sits at index sn - first.

  private parseAck(sn: number): void {
    if (diff(sn, this.snd_una) < 0 || diff(sn, this.snd_nxt) >= 0) return;
    const q = this.snd_buf;
    if (q.length === 0) return;
    const idx = (sn - q.at(0).sn) >>> 0;
    // kcp-go marks it and frees its data but leaves it in place until una passes.
    if (idx < q.length) q.at(idx).acked = true;
  }

  /** Counts the ACK against earlier segments; true if one reached the fast resend threshold (v5.7: input then flushes). */
  private parseFastack(sn: number, ts: number): boolean {
    if (diff(sn, this.snd_una) < 0 || diff(sn, this.snd_nxt) >= 0) return false;
    const q = this.snd_buf;
    if (q.length === 0) return false;
    const end = Math.min((sn - q.at(0).sn) >>> 0, q.length);
    // Every earlier segment sent no later than the acked one was skipped over once more.
    if (this.v561) {
      for (let i = 0; i < end; i++) {
        const seg = q.at(i);
        if (diff(seg.ts, ts) <= 0) seg.fastack++;
      }
      return false;
    }
    // kcp-go compares with uint32(fastresend): 0 (or less) makes any count reach it.
    const threshold = this.fastresend >>> 0;
    let reached = false;
    for (let i = 0; i < end; i++) {
      const seg = q.at(i);
      if (diff(seg.ts, ts) <= 0 && seg.fastack !== FASTACK_SPENT) {
        seg.fastack++;
        if (seg.fastack >= threshold) reached = true;
      }
    }
    return reached;
  }

  private parseUna(una: number): number {
    const q = this.snd_buf;
    if (q.length === 0) return 0;
    let count = diff(una, q.at(0).sn);
    if (count <= 0) return 0;
    if (count > q.length) count = q.length;
    for (let i = 0; i < count; i++) this.freeSegment(q.at(i));
    q.dropFront(count);
    return count;
  }

  private ackPush(sn: number, ts: number): void {
    const i = this.acks * 2;
    if (i === this.acklist.length) {
      const grown = new Uint32Array(this.acklist.length * 2);
      grown.set(this.acklist);
      this.acklist = grown;
    }
    this.acklist[i] = sn;
    this.acklist[i + 1] = ts;
    this.acks++;
  }

  /** Moves in-order segments from rcv_buf to rcv_queue while the receive window allows. */
  private moveToRcvQueue(): void {
    const buf = this.rcv_buf;
    const q = this.rcv_queue;
    let count = 0;
    while (count < buf.length) {
      const seg = buf.at(count);
      if (seg.sn !== this.rcv_nxt || q.length + count >= this.rcv_wnd) break;
      this.rcv_nxt = (this.rcv_nxt + 1) >>> 0;
      count++;
    }
    if (count === 0) return;
    for (let i = 0; i < count; i++) q.push(buf.at(i));
    buf.dropFront(count);
  }

  /** Files a received PUSH into rcv_buf (copying its payload); true if it was a duplicate. */
  private parseData(sn: number, frg: number, ts: number, data: Uint8Array, off: number, length: number): boolean {
    if (diff(sn, (this.rcv_nxt + this.rcv_wnd) >>> 0) >= 0 || diff(sn, this.rcv_nxt) < 0) return true;
    const buf = this.rcv_buf;
    let insertAt = 0;
    let repeat = false;
    for (let i = buf.length - 1; i >= 0; i--) {
      const seg = buf.at(i);
      if (seg.sn === sn) {
        repeat = true;
        break;
      }
      if (diff(sn, seg.sn) > 0) {
        insertAt = i + 1;
        break;
      }
    }
    if (!repeat) {
      // The datagram is not ours to keep: copy the payload out, as kcp-go does.
      const seg = this.allocSegment(length);
      if (length > 0) seg.data.set(data.subarray(off, off + length));
      seg.sn = sn;
      seg.frg = frg;
      seg.ts = ts;
      if (insertAt === buf.length) buf.push(seg);
      else buf.insert(insertAt, seg);
    }
    this.moveToRcvQueue();
    return repeat;
  }

  /**
   * Takes one datagram's worth of segments. Returns 0, or kcp-go's codes:
   * -1 shorter than a header or wrong conv, -2 truncated payload, -3 unknown
   * command. Segments before a bad one have already been applied, as in
   * kcp-go, and then nothing else happens (no RTT, cwnd or flush). Never throws.
   */
  input(data: Uint8Array, regular: boolean, ackNoDelay: boolean): number {
    const sndUnaBefore = this.snd_una;
    const end = data.length;
    if (end < IKCP_OVERHEAD) return -1;
    let latest = 0;
    let gotAck = false;
    let inSegs = 0;
    let windowSlides = false;
    let fastackReached = false;
    let off = 0;

    while (end - off >= IKCP_OVERHEAD) {
      if (readI32(data, off) !== this.conv32) return -1;
      const cmd = data[off + 4]!;
      const frg = data[off + 5]!;
      const wnd = data[off + 6]! | (data[off + 7]! << 8);
      const ts = readU32(data, off + 8);
      const sn = readU32(data, off + 12);
      const una = readU32(data, off + 16);
      const length = readU32(data, off + 20);
      off += IKCP_OVERHEAD;
      if (end - off < length) return -2;
      if (cmd !== IKCP_CMD_PUSH && cmd !== IKCP_CMD_ACK && cmd !== IKCP_CMD_WASK && cmd !== IKCP_CMD_WINS) return -3;

      // FEC-recovered packets carry a stale window: only regular ones update it.
      if (regular) this.rmt_wnd = wnd;
      if (this.parseUna(una) > 0) windowSlides = true;
      this.shrinkBuf();

      if (cmd === IKCP_CMD_ACK) {
        this.parseAck(sn);
        if (this.parseFastack(sn, ts)) fastackReached = true;
        gotAck = true;
        latest = ts;
      } else if (cmd === IKCP_CMD_PUSH) {
        let repeat = true;
        if (diff(sn, (this.rcv_nxt + this.rcv_wnd) >>> 0) < 0) {
          // Anything inside the window is acked, even old duplicates (their ACK may have been lost).
          this.ackPush(sn, ts);
          if (diff(sn, this.rcv_nxt) >= 0) repeat = this.parseData(sn, frg, ts, data, off, length);
        }
        if (regular && repeat) this.snmp.add('RepeatSegs');
      } else if (cmd === IKCP_CMD_WASK) {
        // The peer's window probe: answer with our window at the next flush.
        this.probe |= IKCP_ASK_TELL;
      }
      // IKCP_CMD_WINS carries nothing beyond the wnd already taken above.
      inSegs++;
      off += length;
    }
    if (inSegs > 0) this.snmp.segmentsIn(inSegs);

    // RTT from the latest ACK's echoed ts; FEC-recovered packets are not timely.
    if (gotAck && regular) {
      const current = this.now();
      const rtt = diff(current, latest);
      if (rtt >= 0) this.updateAck(rtt);
    }

    // Congestion window growth when una advanced (slow start, then ~1 mss per RTT).
    if (!this.nocwnd && diff(this.snd_una, sndUnaBefore) > 0 && this.cwnd < this.rmt_wnd) {
      const mss = this.mss;
      if (this.cwnd < this.ssthresh) {
        this.cwnd = (this.cwnd + 1) >>> 0;
        this.incr = (this.incr + mss) >>> 0;
      } else {
        if (this.incr < mss) this.incr = mss;
        this.incr = (this.incr + Math.floor((Math.imul(mss, mss) >>> 0) / this.incr) + Math.floor(mss / 16)) >>> 0;
        if (Math.imul(this.cwnd + 1, mss) >>> 0 <= this.incr) this.cwnd = Math.floor(((this.incr + mss - 1) >>> 0) / mss);
      }
      if (this.cwnd > this.rmt_wnd) {
        this.cwnd = this.rmt_wnd;
        this.incr = Math.imul(this.rmt_wnd, mss) >>> 0;
      }
    }

    if (windowSlides || fastackReached) this.flushAfterInput(FLUSH_ALL);
    // v5.7: enough ACKs to fill a packet go at once, a clock for links faster than the interval.
    else if (!this.v561 && this.acks >= Math.floor((this.mtu - this.reserved) / IKCP_OVERHEAD)) this.flushAfterInput(FLUSH_ACKS);
    else if (ackNoDelay && this.acks > 0) this.flushAfterInput(FLUSH_ACKS);
    return 0;
  }

  /**
   * With deferFlush set, the flush input asks for is recorded in
   * pendingFlush for the owner to run once the datagrams that have already
   * arrived are in (kcp-go reads up to 16 at a time with recvmmsg before
   * its flushes go out); otherwise it runs now, as in kcp-go.
   */
  private flushAfterInput(kind: typeof FLUSH_ACKS | typeof FLUSH_ALL): void {
    if (!this.deferFlush) this.flush(kind === FLUSH_ACKS);
    else if (kind > this.pendingFlush) this.pendingFlush = kind;
  }


  /** Whether flush would (re)send `seg` now: new, fast or early retransmit, or its RTO is due — the tests of flush's loop, without their effects. */
  private wouldSend(seg: Segment, current: number, resent: number, newSegs: number): boolean {
    const counted = this.v561 || seg.fastack !== FASTACK_SPENT;
    return seg.xmit === 0 || (counted && (seg.fastack >= resent || (seg.fastack > 0 && newSegs === 0))) || diff(current, seg.resendts) >= 0;
  }

  private wndUnused(): number {
    // uint16 on the wire: kcp-go truncates a receive window above 65535.
    const q = this.rcv_queue.length;
    return q < this.rcv_wnd ? (this.rcv_wnd - q) & 0xffff : 0;
  }

  /**
   * Sends pending ACKs, then window probes, moves the segments the window
   * admits into snd_buf and (unless ackOnly) sends them and due
   * retransmissions, packed up to mtu per packet. v5.6.1 stops after the
   * ACKs when ackOnly.
   * Returns the ms until the next flush is due: the nearest retransmission
   * time, at most the interval (kcp-go's flush return value).
   */
  flush(ackOnly: boolean): number {
    let buf = this.buffer;
    const mtu = this.mtu;
    const reserved = this.reserved;
    const conv = this.conv32;
    const wnd = this.wndUnused();
    const una = this.rcv_nxt;
    let ptr = reserved;
    let outSegs = 0;

    // ACKs. kcp-go builds ACK, WASK and WINS in one reused segment, so the
    // probes below carry the sn/ts of the last ACK encoded here (0 if none).
    const acks = this.acklist;
    const nacks = this.acks;
    let sn = 0;
    let ts = 0;
    for (let i = 0; i < nacks; i++) {
      if (ptr + IKCP_OVERHEAD > mtu) {
        this.emit(buf, ptr);
        ptr = reserved;
      }
      const asn = acks[2 * i]!;
      // ACKs below rcv_nxt are implied by una (bufferbloat jitter); the last one still goes.
      if (diff(asn, una) >= 0 || i === nacks - 1) {
        sn = asn;
        ts = acks[2 * i + 1]!;
        ptr = encodeHeader(buf, ptr, conv, IKCP_CMD_ACK, 0, wnd, ts, sn, una, 0);
        outSegs++;
      }
    }
    this.acks = 0;

    if (ackOnly && this.v561) {
      if (ptr > reserved) this.emit(buf, ptr);
      if (outSegs > 0) this.snmp.segmentsOut(outSegs);
      return this.interval;
    }

    // Zero remote window: probe it after 500 ms (v5.6.1: 7 s), backing off ×1.5 up to 120 s.
    if (this.rmt_wnd === 0) {
      const current = this.now();
      if (this.probe_wait === 0) {
        this.probe_wait = this.probeInit;
        this.ts_probe = (current + this.probe_wait) >>> 0;
      } else if (diff(current, this.ts_probe) >= 0) {
        if (this.probe_wait < this.probeInit) this.probe_wait = this.probeInit;
        this.probe_wait += Math.floor(this.probe_wait / 2);
        if (this.probe_wait > IKCP_PROBE_LIMIT) this.probe_wait = IKCP_PROBE_LIMIT;
        this.ts_probe = (current + this.probe_wait) >>> 0;
        this.probe |= IKCP_ASK_SEND;
      }
    } else {
      this.ts_probe = 0;
      this.probe_wait = 0;
    }
    if (this.probe & IKCP_ASK_SEND) {
      if (ptr + IKCP_OVERHEAD > mtu) {
        this.emit(buf, ptr);
        ptr = reserved;
      }
      ptr = encodeHeader(buf, ptr, conv, IKCP_CMD_WASK, 0, wnd, ts, sn, una, 0);
      outSegs++;
    }
    if (this.probe & IKCP_ASK_TELL) {
      if (ptr + IKCP_OVERHEAD > mtu) {
        this.emit(buf, ptr);
        ptr = reserved;
      }
      ptr = encodeHeader(buf, ptr, conv, IKCP_CMD_WINS, 0, wnd, ts, sn, una, 0);
      outSegs++;
    }
    this.probe = 0;

    // The usable window: ours, the peer's, and the congestion window unless nc.
    let cwnd = Math.min(this.snd_wnd, this.rmt_wnd);
    if (!this.nocwnd) cwnd = Math.min(this.cwnd, cwnd);

    // Give queued segments sequence numbers while the window has room.
    const sq = this.snd_queue;
    const sb = this.snd_buf;
    let newSegs = 0;
    const take = Math.min(sq.length, this.flushLimit);
    while (newSegs < take && diff(this.snd_nxt, (this.snd_una + cwnd) >>> 0) < 0) {
      const seg = sq.at(newSegs);
      seg.sn = this.snd_nxt;
      sb.push(seg);
      this.snd_nxt = (this.snd_nxt + 1) >>> 0;
      newSegs++;
    }
    // Stopped by the limit with window to spare: the rest is the owner's next flush.
    if (newSegs < sq.length && newSegs === this.flushLimit && diff(this.snd_nxt, (this.snd_una + cwnd) >>> 0) < 0) this.pendingFlush = FLUSH_ALL;
    if (newSegs > 0) sq.dropFront(newSegs);

    if (ackOnly) {
      // v5.7: nothing is (re)sent here; its congestion step still lifts a cwnd of 0 to 1.
      if (ptr > reserved) this.emit(buf, ptr);
      if (outSegs > 0) this.snmp.segmentsOut(outSegs);
      if (!this.nocwnd && this.cwnd < 1) {
        this.cwnd = 1;
        this.incr = this.mss;
      }
      return this.interval;
    }

    const resent = this.fastresend > 0 ? this.fastresend : 0xffffffff;
    // v5.7 pins fastack of a segment resent on ACK count; v5.6.1 zeroes it (and no count reaches -1).
    const spent = this.v561 ? -1 : FASTACK_SPENT;
    const afterResend = this.v561 ? 0 : FASTACK_SPENT;
    let current = this.now();
    let change = 0;
    let lostSegs = 0;
    let fastRetransSegs = 0;
    let earlyRetransSegs = 0;
    let minrto = this.interval;
    const rxRto = this.rx_rto;

    // Datagrams this flush may still emit with segments in them (outputRoom; the ACKs above are not counted).
    const outputRoom = this.outputRoom;
    let outputs = 0;
    this.blocked = false;

    // Walk the ring directly: this loop runs over the whole window on every flush.
    const ring = sb.ring;
    const mask = sb.mask;
    for (let i = 0, n = sb.length, h = sb.head; i < n; i++) {
      const seg = ring[(h + i) & mask]!;
      if (seg.acked) continue;
      // Fast path for the usual case, a segment in flight and not due: with
      // fastack 0 none of the four conditions below can hold (resent ≥ 1).
      if (seg.xmit !== 0 && (seg.fastack === 0 || seg.fastack === spent) && diff(current, seg.resendts) < 0) {
        const rto = diff(seg.resendts, current);
        if (rto > 0 && rto < minrto) minrto = rto;
        continue;
      }
      // Room for one more datagram after the one being filled (and this segment's own, if it overflows that)?
      if (outputs + (ptr + IKCP_OVERHEAD + seg.len > mtu ? 2 : 1) > outputRoom && this.wouldSend(seg, current, resent, newSegs)) {
        this.blocked = true;
        continue;
      }
      let needsend = false;
      if (seg.xmit === 0) {
        // first transmission
        needsend = true;
        seg.rto = rxRto;
        seg.resendts = (current + rxRto) >>> 0;
      } else if (seg.fastack >= resent && seg.fastack !== spent) {
        // fast retransmit: skipped by `resend` later ACKs
        needsend = true;
        seg.fastack = afterResend;
        seg.rto = rxRto;
        seg.resendts = (current + rxRto) >>> 0;
        change++;
        fastRetransSegs++;
      } else if (seg.fastack > 0 && seg.fastack !== spent && newSegs === 0) {
        // early retransmit (kcp-go): skipped at all and nothing new to send
        needsend = true;
        seg.fastack = afterResend;
        seg.rto = rxRto;
        seg.resendts = (current + rxRto) >>> 0;
        change++;
        earlyRetransSegs++;
      } else if (diff(current, seg.resendts) >= 0) {
        // RTO; with nodelay the timeout grows by half an RTO instead of doubling
        needsend = true;
        seg.rto = (seg.rto + (this.nodelay === 0 ? rxRto : Math.floor(rxRto / 2))) >>> 0;
        seg.fastack = 0;
        seg.resendts = (current + seg.rto) >>> 0;
        lostSegs++;
      }

      if (needsend) {
        // kcp-go re-reads the clock for each segment it stamps.
        current = this.now();
        seg.xmit++;
        seg.ts = current;
        const need = IKCP_OVERHEAD + seg.len;
        if (ptr + need > mtu) {
          this.emit(buf, ptr);
          outputs++;
          ptr = reserved;
        }
        if (reserved + need > buf.length) {
          // Only after setMtu shrank below a queued segment (kcp-go panics
          // there); send it oversize rather than throw.
          buf = this.buffer = new Uint8Array(reserved + need);
        }
        ptr = encodeHeader(buf, ptr, conv, IKCP_CMD_PUSH, seg.frg, wnd, current, seg.sn, una, seg.len);
        buf.set(seg.payload, ptr);
        ptr += seg.len;
        outSegs++;
        if (seg.xmit >= this.dead_link) this.state = 0xffffffff;
      }

      const rto = diff(seg.resendts, current);
      if (rto > 0 && rto < minrto) minrto = rto;
    }

    if (ptr > reserved) this.emit(buf, ptr);

    const snmp = this.snmp;
    if (outSegs > 0) snmp.segmentsOut(outSegs);
    const sum = lostSegs + fastRetransSegs + earlyRetransSegs;
    if (sum > 0) {
      if (lostSegs > 0) snmp.add('LostSegs', lostSegs);
      if (fastRetransSegs > 0) snmp.add('FastRetransSegs', fastRetransSegs);
      if (earlyRetransSegs > 0) snmp.add('EarlyRetransSegs', earlyRetransSegs);
      snmp.add('RetransSegs', sum);
    }

    if (!this.nocwnd) {
      // rate halving on fast/early retransmit (RFC 6937 in kcp-go's comments);
      // with fast resend off, resent is 0xFFFFFFFF and the uint32 sum wraps, as in kcp-go.
      if (change > 0) {
        const inflight = (this.snd_nxt - this.snd_una) >>> 0;
        this.ssthresh = Math.max(Math.floor(inflight / 2), IKCP_THRESH_MIN);
        this.cwnd = (this.ssthresh + resent) >>> 0;
        this.incr = Math.imul(this.cwnd, this.mss) >>> 0;
      }
      // a timeout: back to one segment (RFC 5681)
      if (lostSegs > 0) {
        this.ssthresh = Math.max(Math.floor(cwnd / 2), IKCP_THRESH_MIN);
        this.cwnd = 1;
        this.incr = this.mss;
      }
      if (this.cwnd < 1) {
        this.cwnd = 1;
        this.incr = this.mss;
      }
    }
    return minrto;
  }

  /** ikcp-style periodic driver: flushes when the interval has elapsed. */
  update(): void {
    const current = this.now();
    if (!this.updated) {
      this.updated = true;
      this.ts_flush = current;
    }
    let slap = diff(current, this.ts_flush);
    if (slap >= 10000 || slap < -10000) {
      this.ts_flush = current;
      slap = 0;
    }
    if (slap >= 0) {
      this.ts_flush = (this.ts_flush + this.interval) >>> 0;
      if (diff(current, this.ts_flush) >= 0) this.ts_flush = (current + this.interval) >>> 0;
      this.flush(false);
    }
  }

  /** When update() should next be called (a clock value, uint32). */
  check(): number {
    const current = this.now();
    if (!this.updated) return current;
    let tsFlush = this.ts_flush;
    if (diff(current, tsFlush) >= 10000 || diff(current, tsFlush) < -10000) tsFlush = current;
    if (diff(current, tsFlush) >= 0) return current;
    const tmFlush = diff(tsFlush, current);
    let tmPacket = 0x7fffffff;
    // kcp-go looks at every segment here, acked ones included.
    const sb = this.snd_buf;
    for (let i = 0; i < sb.length; i++) {
      const d = diff(sb.at(i).resendts, current);
      if (d <= 0) return current;
      if (d < tmPacket) tmPacket = d;
    }
    let minimal = tmPacket >= tmFlush ? tmFlush : tmPacket;
    if (minimal >= this.interval) minimal = this.interval;
    return (current + minimal) >>> 0;
  }

  /**
   * Sets the MTU (packet size including reserved bytes); false if too small:
   * not above the 24-byte header (v5.6.1: below 50). kcp-go v5.6.1 checks the
   * reserved bytes against the old MTU, and an MTU that leaves no mss then
   * wraps mss around; here such an MTU is refused.
   */
  setMtu(mtu: number): boolean {
    if (!Number.isInteger(mtu) || mtu <= IKCP_OVERHEAD || (this.v561 && mtu < 50)) return false;
    if (this.reserved >= mtu - IKCP_OVERHEAD) return false;
    this.mtu = mtu;
    this.mss = mtu - IKCP_OVERHEAD - this.reserved;
    this.buffer = new Uint8Array(mtu);
    return true;
  }

  /**
   * kcp-go NoDelay(nodelay, interval, resend, nc): negative values leave a
   * setting as it is; interval is clamped to 10..5000 ms; nodelay ≠ 0 lowers
   * the minimum RTO to 30 ms (takes effect at the next RTT sample).
   */
  noDelay(nodelay: number, interval: number, resend: number, nc: number): void {
    if (nodelay >= 0) {
      this.nodelay = nodelay >>> 0;
      this.rx_minrto = nodelay !== 0 ? IKCP_RTO_NDL : IKCP_RTO_MIN;
    }
    if (interval >= 0) this.interval = Math.min(Math.max(interval | 0, 10), 5000);
    if (resend >= 0) this.fastresend = resend | 0;
    if (nc >= 0) this.nocwnd = nc !== 0;
  }

  /** Sets the send and receive windows in segments; values ≤ 0 leave them as they are. */
  wndSize(sndwnd: number, rcvwnd: number): void {
    if (sndwnd > 0) this.snd_wnd = sndwnd >>> 0;
    if (rcvwnd > 0) this.rcv_wnd = rcvwnd >>> 0;
  }

  /**
   * True when flush(false) has nothing to send and nothing to time: no ACK or
   * probe pending, nothing queued or unacknowledged, and a nonzero remote
   * window (a zero one is probed on a timer). Such a flush emits nothing and
   * changes no state, so it can be skipped until input or a send.
   */
  isQuiescent(): boolean {
    return this.acks === 0 && this.probe === 0 && this.snd_queue.length === 0 && this.snd_buf.length === 0 && this.rmt_wnd !== 0;
  }

  /** Segments queued or in flight, not yet passed by the peer's una. */
  waitSnd(): number {
    return this.snd_buf.length + this.snd_queue.length;
  }

  /** Drops everything waiting to be sent or acknowledged (on close). */
  releaseTX(): void {
    this.snd_queue.clear();
    this.snd_buf.clear();
  }
}
