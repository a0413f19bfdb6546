/**
 * KCP ARQ with kcp-go 5.6.1's behaviour (kcp.go), in the shape of
 * skywind3000's ikcp.c: one object, no I/O — packets leave through the
 * output callback, time comes from the injected clock.
 *
 * Where kcp-go differs from ikcp.c, kcp-go wins, because our peers run it:
 *  - flush(ackOnly) returns the ms until the next flush is due, and the
 *    session reschedules on that instead of calling update() on a fixed tick;
 *  - input(data, regular, ackNoDelay): `regular` is false for FEC-recovered
 *    packets, whose wnd/ts are stale, so they neither move rmt_wnd nor feed RTT;
 *  - acked segments stay in snd_buf (flag `acked`) until una passes them;
 *  - ACKs below rcv_nxt are skipped except the last one (una covers them);
 *  - early retransmit: a segment with any fastack is resent when no new
 *    segment went out in this flush;
 *  - a segment retransmitted dead_link times sets state to 0xFFFFFFFF;
 *  - reserveBytes leaves room at the front of each packet for FEC/crypto.
 */
import type { Snmp } from './snmp.js';

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
export const IKCP_OVERHEAD = 24;
export const IKCP_DEADLINK = 20;
export const IKCP_THRESH_INIT = 2;
export const IKCP_THRESH_MIN = 2;
export const IKCP_PROBE_INIT = 7000; // 7 secs to probe window size
export const IKCP_PROBE_LIMIT = 120000; // up to 120 secs to probe window
export const IKCP_SN_OFFSET = 12;

/** Signed distance between two uint32 timestamps/sequence numbers. */
const diff = (later: number, earlier: number): number => (later - earlier) | 0;

class Segment {
  conv = 0;
  cmd = 0;
  frg = 0;
  wnd = 0;
  ts = 0;
  sn = 0;
  una = 0;
  rto = 0;
  xmit = 0;
  resendts = 0;
  fastack = 0;
  acked = false;
  /** Payload bytes are data[0, len); data may have spare room (stream mode appends). */
  len = 0;
  constructor(public data: Uint8Array) {}
}

export interface KcpOptions {
  /** Milliseconds; only differences matter and they are taken modulo 2^32. */
  clock: () => number;
  /** Counters to bump where kcp-go bumps DefaultSnmp (they also reach DefaultSnmp). */
  snmp?: Snmp;
}

export class Kcp {
  readonly conv: number;
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
  probe = 0;
  interval = IKCP_INTERVAL;
  ts_flush = IKCP_INTERVAL;
  nodelay = 0;
  updated = false;
  ts_probe = 0;
  probe_wait = 0;
  dead_link = IKCP_DEADLINK;
  incr = 0;
  fastresend = 0;
  nocwnd = false;
  /** Stream mode: sends merge into full segments and frg is always 0. */
  stream = false;

  private snd_queue: Segment[] = [];
  private rcv_queue: Segment[] = [];
  private snd_buf: Segment[] = [];
  private rcv_buf: Segment[] = [];
  /** Pending ACKs as flat pairs [sn, ts, sn, ts, ...]. */
  private acklist: number[] = [];
  private buffer: Uint8Array;
  private view: DataView;
  private reserved = 0;
  private readonly clock: () => number;
  private readonly snmp: Snmp | undefined;

  constructor(
    conv: number,
    private readonly output: (packet: Uint8Array) => void,
    options: KcpOptions,
  ) {
    this.conv = conv >>> 0;
    this.clock = options.clock;
    this.snmp = options.snmp;
    this.buffer = new Uint8Array(this.mtu);
    this.view = new DataView(this.buffer.buffer);
  }

  private now(): number {
    return this.clock() >>> 0;
  }

  /** Keeps n bytes at the front of every output packet for outer headers. */
  reserveBytes(n: number): boolean {
    if (n >= this.mtu - IKCP_OVERHEAD || n < 0) return false;
    this.reserved = n;
    this.mss = this.mtu - IKCP_OVERHEAD - n;
    return true;
  }

  /** Size of the next message in rcv_queue, or -1 if none is complete. */
  peekSize(): number {
    const q = this.rcv_queue;
    if (q.length === 0) return -1;
    const first = q[0]!;
    if (first.frg === 0) return first.len;
    if (q.length < first.frg + 1) return -1;
    let length = 0;
    for (const seg of q) {
      length += seg.len;
      if (seg.frg === 0) break;
    }
    return length;
  }

  /** Copies the next message into buffer; -1 if none, -2 if buffer is too small. */
  recv(buffer: Uint8Array): number {
    const peeksize = this.peekSize();
    if (peeksize < 0) return -1;
    if (peeksize > buffer.length) return -2;

    const fastRecover = this.rcv_queue.length >= this.rcv_wnd;
    let n = 0;
    let count = 0;
    for (const seg of this.rcv_queue) {
      buffer.set(seg.data.subarray(0, seg.len), n);
      n += seg.len;
      count++;
      if (seg.frg === 0) break;
    }
    if (count > 0) this.rcv_queue.splice(0, count);
    this.moveToRcvQueue();
    // The window reopened after being full: tell the peer without waiting for its probe.
    if (this.rcv_queue.length < this.rcv_wnd && fastRecover) this.probe |= IKCP_ASK_TELL;
    return n;
  }

  /** Queues data: 0 on success, -1 if empty, -2 if it needs more than 255 fragments. */
  send(buffer: Uint8Array): number {
    if (buffer.length === 0) return -1;
    const mss = this.mss;
    if (this.stream) {
      const last = this.snd_queue[this.snd_queue.length - 1];
      if (last && last.len < mss) {
        const extend = Math.min(mss - last.len, buffer.length);
        if (last.data.length < mss) {
          const grown = new Uint8Array(mss);
          grown.set(last.data.subarray(0, last.len));
          last.data = grown;
        }
        last.data.set(buffer.subarray(0, extend), last.len);
        last.len += extend;
        buffer = buffer.subarray(extend);
      }
      if (buffer.length === 0) return 0;
    }
    const count = buffer.length <= mss ? 1 : Math.ceil(buffer.length / mss);
    if (count > 255) return -2;
    for (let i = 0; i < count; i++) {
      const size = Math.min(buffer.length, mss);
      // Stream mode may append to this segment later: give it a whole mss.
      const seg = new Segment(new Uint8Array(this.stream ? mss : size));
      seg.data.set(buffer.subarray(0, size));
      seg.len = size;
      seg.frg = this.stream ? 0 : count - i - 1;
      this.snd_queue.push(seg);
      buffer = buffer.subarray(size);
    }
    return 0;
  }

  private updateAck(rtt: number): void {
    if (this.rx_srtt === 0) {
      this.rx_srtt = rtt;
      this.rx_rttvar = rtt >> 1;
    } else {
      let delta = (rtt - this.rx_srtt) | 0;
      this.rx_srtt = (this.rx_srtt + (delta >> 3)) | 0;
      if (delta < 0) delta = -delta;
      // kcp-go: a falling RTT moves rttvar slowly (1/32), a rising one fast (1/4).
      if (rtt < this.rx_srtt - this.rx_rttvar) this.rx_rttvar = (this.rx_rttvar + ((delta - this.rx_rttvar) >> 5)) | 0;
      else this.rx_rttvar = (this.rx_rttvar + ((delta - this.rx_rttvar) >> 2)) | 0;
    }
    const rto = (this.rx_srtt >>> 0) + Math.max(this.interval, (this.rx_rttvar << 2) >>> 0);
    this.rx_rto = Math.min(Math.max(this.rx_minrto, rto >>> 0), IKCP_RTO_MAX);
  }

  private shrinkBuf(): void {
    this.snd_una = this.snd_buf.length > 0 ? this.snd_buf[0]!.sn : this.snd_nxt;
  }

  private parseAck(sn: number): void {
    if (diff(sn, this.snd_una) < 0 || diff(sn, this.snd_nxt) >= 0) return;
    for (const seg of this.snd_buf) {
      if (sn === seg.sn) {
        seg.acked = true;
        break;
      }
      if (diff(sn, seg.sn) < 0) break;
    }
  }

  private parseFastack(sn: number, ts: number): void {
    if (diff(sn, this.snd_una) < 0 || diff(sn, this.snd_nxt) >= 0) return;
    for (const seg of this.snd_buf) {
      if (diff(sn, seg.sn) < 0) break;
      if (sn !== seg.sn && diff(seg.ts, ts) <= 0) seg.fastack++;
    }
  }

  private parseUna(una: number): number {
    let count = 0;
    for (const seg of this.snd_buf) {
      if (diff(una, seg.sn) > 0) count++;
      else break;
    }
    if (count > 0) this.snd_buf.splice(0, count);
    return count;
  }

  /** Moves in-order segments from rcv_buf to rcv_queue while the window allows. */
  private moveToRcvQueue(): void {
    let count = 0;
    for (const seg of this.rcv_buf) {
      if (seg.sn === this.rcv_nxt && this.rcv_queue.length + count < this.rcv_wnd) {
        this.rcv_nxt = (this.rcv_nxt + 1) >>> 0;
        count++;
      } else break;
    }
    if (count > 0) {
      for (let i = 0; i < count; i++) this.rcv_queue.push(this.rcv_buf[i]!);
      this.rcv_buf.splice(0, count);
    }
  }

  /** Files a received PUSH into rcv_buf; returns true if it was a duplicate. */
  private parseData(sn: number, frg: number, ts: number, payload: Uint8Array): boolean {
    if (diff(sn, (this.rcv_nxt + this.rcv_wnd) >>> 0) >= 0 || diff(sn, this.rcv_nxt) < 0) return true;
    const buf = this.rcv_buf;
    let insertIdx = 0;
    let repeat = false;
    for (let i = buf.length - 1; i >= 0; i--) {
      const seg = buf[i]!;
      if (seg.sn === sn) {
        repeat = true;
        break;
      }
      if (diff(sn, seg.sn) > 0) {
        insertIdx = i + 1;
        break;
      }
    }
    if (!repeat) {
      // The datagram buffer is not ours to keep: copy the payload out.
      const seg = new Segment(payload.slice());
      seg.len = payload.length;
      seg.sn = sn;
      seg.frg = frg;
      seg.ts = ts;
      seg.cmd = IKCP_CMD_PUSH;
      seg.conv = this.conv;
      if (insertIdx === buf.length) buf.push(seg);
      else buf.splice(insertIdx, 0, seg);
    }
    this.moveToRcvQueue();
    return repeat;
  }

  /**
   * Takes one datagram's worth of segments. Returns 0, or kcp-go's codes:
   * -1 short or wrong conv, -2 truncated payload, -3 unknown command.
   * Segments before a bad one have already been applied, as in kcp-go.
   */
  input(data: Uint8Array, regular: boolean, ackNoDelay: boolean): number {
    const sndUnaBefore = this.snd_una;
    if (data.length < IKCP_OVERHEAD) return -1;
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let latest = 0;
    let gotAck = false;
    let inSegs = 0;
    let windowSlides = false;
    let off = 0;
    let rc = 0;

    while (data.length - off >= IKCP_OVERHEAD) {
      const conv = dv.getUint32(off, true);
      if (conv !== this.conv) {
        rc = -1;
        break;
      }
      const cmd = data[off + 4]!;
      const frg = data[off + 5]!;
      const wnd = dv.getUint16(off + 6, true);
      const ts = dv.getUint32(off + 8, true);
      const sn = dv.getUint32(off + 12, true);
      const una = dv.getUint32(off + 16, true);
      const length = dv.getUint32(off + 20, true);
      off += IKCP_OVERHEAD;
      if (data.length - off < length) {
        rc = -2;
        break;
      }
      if (cmd !== IKCP_CMD_PUSH && cmd !== IKCP_CMD_ACK && cmd !== IKCP_CMD_WASK && cmd !== IKCP_CMD_WINS) {
        rc = -3;
        break;
      }
      // FEC-recovered packets carry a stale window: only regular ones update it.
      if (regular) this.rmt_wnd = wnd;
      if (this.parseUna(una) > 0) windowSlides = true;
      this.shrinkBuf();

      if (cmd === IKCP_CMD_ACK) {
        this.parseAck(sn);
        this.parseFastack(sn, ts);
        gotAck = true;
        latest = ts;
      } else if (cmd === IKCP_CMD_PUSH) {
        let repeat = true;
        if (diff(sn, (this.rcv_nxt + this.rcv_wnd) >>> 0) < 0) {
          this.acklist.push(sn, ts);
          if (diff(sn, this.rcv_nxt) >= 0) repeat = this.parseData(sn, frg, ts, data.subarray(off, off + length));
        }
        if (regular && repeat) this.snmp?.add('RepeatSegs');
      } else if (cmd === IKCP_CMD_WASK) {
        // The peer's window probe: answer with our window at the next flush.
        this.probe |= IKCP_ASK_TELL;
      }
      // IKCP_CMD_WINS carries nothing beyond the wnd already taken above.
      inSegs++;
      off += length;
    }
    if (inSegs > 0) this.snmp?.add('InSegs', inSegs);
    if (rc !== 0) return rc;

    if (gotAck && regular) {
      const current = this.now();
      if (diff(current, latest) >= 0) this.updateAck(diff(current, latest));
    }

    if (!this.nocwnd && diff(this.snd_una, sndUnaBefore) > 0 && this.cwnd < this.rmt_wnd) {
      const mss = this.mss;
      if (this.cwnd < this.ssthresh) {
        this.cwnd++;
        this.incr += mss;
      } else {
        if (this.incr < mss) this.incr = mss;
        this.incr += Math.floor((mss * mss) / this.incr) + Math.floor(mss / 16);
        if ((this.cwnd + 1) * mss <= this.incr) this.cwnd = mss > 0 ? Math.floor((this.incr + mss - 1) / mss) : this.incr + mss - 1;
      }
      if (this.cwnd > this.rmt_wnd) {
        this.cwnd = this.rmt_wnd;
        this.incr = this.rmt_wnd * mss;
      }
    }

    if (windowSlides) this.flush(false);
    else if (ackNoDelay && this.acklist.length > 0) this.flush(true);
    return 0;
  }

  private wndUnused(): number {
    return this.rcv_queue.length < this.rcv_wnd ? this.rcv_wnd - this.rcv_queue.length : 0;
  }

  /** Writes one 24-byte header at `off` in the output buffer. */
  private encodeHeader(off: number, cmd: number, frg: number, wnd: number, ts: number, sn: number, una: number, len: number): number {
    const v = this.view;
    v.setUint32(off, this.conv, true);
    this.buffer[off + 4] = cmd;
    this.buffer[off + 5] = frg;
    v.setUint16(off + 6, wnd, true);
    v.setUint32(off + 8, ts, true);
    v.setUint32(off + 12, sn, true);
    v.setUint32(off + 16, una, true);
    v.setUint32(off + 20, len, true);
    this.snmp?.add('OutSegs');
    return off + IKCP_OVERHEAD;
  }

  /**
   * Sends pending ACKs, probes and data (new and retransmitted). Returns the
   * ms until the next flush is due (never more than the interval).
   */
  flush(ackOnly: boolean): number {
    const wnd = this.wndUnused();
    const una = this.rcv_nxt;
    const reserved = this.reserved;
    let ptr = reserved;
    // Emits the packet being built if `space` more bytes would not fit.
    const makeSpace = (space: number) => {
      if (ptr + space > this.mtu) {
        this.output(this.buffer.subarray(0, ptr));
        ptr = reserved;
      }
    };

    const acks = this.acklist;
    const lastAck = acks.length - 2;
    // kcp-go builds ACK, WASK and WINS in one reused segment, so window
    // probes carry the sn/ts of the last ACK encoded before them.
    let sn = 0;
    let ts = 0;
    for (let i = 0; i < acks.length; i += 2) {
      makeSpace(IKCP_OVERHEAD);
      // ACKs below rcv_nxt are implied by una; kcp-go still sends the last one.
      if (diff(acks[i]!, this.rcv_nxt) >= 0 || i === lastAck) {
        sn = acks[i]!;
        ts = acks[i + 1]!;
        ptr = this.encodeHeader(ptr, IKCP_CMD_ACK, 0, wnd, ts, sn, una, 0);
      }
    }
    acks.length = 0;

    if (ackOnly) {
      if (ptr > reserved) this.output(this.buffer.subarray(0, ptr));
      return this.interval;
    }

    // Zero remote window: probe it, backing off from 7 s up to 120 s.
    if (this.rmt_wnd === 0) {
      const current = this.now();
      if (this.probe_wait === 0) {
        this.probe_wait = IKCP_PROBE_INIT;
        this.ts_probe = (current + this.probe_wait) >>> 0;
      } else if (diff(current, this.ts_probe) >= 0) {
        if (this.probe_wait < IKCP_PROBE_INIT) this.probe_wait = IKCP_PROBE_INIT;
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
      makeSpace(IKCP_OVERHEAD);
      ptr = this.encodeHeader(ptr, IKCP_CMD_WASK, 0, wnd, ts, sn, una, 0);
    }
    if (this.probe & IKCP_ASK_TELL) {
      makeSpace(IKCP_OVERHEAD);
      ptr = this.encodeHeader(ptr, IKCP_CMD_WINS, 0, wnd, ts, sn, una, 0);
    }
    this.probe = 0;

    let cwnd = Math.min(this.snd_wnd, this.rmt_wnd);
    if (!this.nocwnd) cwnd = Math.min(this.cwnd, cwnd);

    // Move queued segments into the send buffer while the window has room.
    let newSegs = 0;
    while (newSegs < this.snd_queue.length && diff(this.snd_nxt, (this.snd_una + cwnd) >>> 0) < 0) {
      const seg = this.snd_queue[newSegs]!;
      seg.conv = this.conv;
      seg.cmd = IKCP_CMD_PUSH;
      seg.sn = this.snd_nxt;
      this.snd_buf.push(seg);
      this.snd_nxt = (this.snd_nxt + 1) >>> 0;
      newSegs++;
    }
    if (newSegs > 0) this.snd_queue.splice(0, newSegs);

    const resent = this.fastresend > 0 ? this.fastresend : 0xffffffff;
    let current = this.now();
    let change = 0;
    let lostSegs = 0;
    let fastRetransSegs = 0;
    let earlyRetransSegs = 0;
    let minrto = this.interval;

    for (const segment of this.snd_buf) {
      if (segment.acked) continue;
      let needsend = false;
      if (segment.xmit === 0) {
        needsend = true;
        segment.rto = this.rx_rto;
        segment.resendts = (current + segment.rto) >>> 0;
      } else if (segment.fastack >= resent) {
        needsend = true;
        segment.fastack = 0;
        segment.rto = this.rx_rto;
        segment.resendts = (current + segment.rto) >>> 0;
        change++;
        fastRetransSegs++;
      } else if (segment.fastack > 0 && newSegs === 0) {
        needsend = true;
        segment.fastack = 0;
        segment.rto = this.rx_rto;
        segment.resendts = (current + segment.rto) >>> 0;
        change++;
        earlyRetransSegs++;
      } else if (diff(current, segment.resendts) >= 0) {
        needsend = true;
        segment.rto += this.nodelay === 0 ? this.rx_rto : Math.floor(this.rx_rto / 2);
        segment.fastack = 0;
        segment.resendts = (current + segment.rto) >>> 0;
        lostSegs++;
      }

      if (needsend) {
        current = this.now();
        segment.xmit++;
        segment.ts = current;
        segment.wnd = wnd;
        segment.una = una;
        makeSpace(IKCP_OVERHEAD + segment.len);
        ptr = this.encodeHeader(ptr, IKCP_CMD_PUSH, segment.frg, wnd, current, segment.sn, una, segment.len);
        this.buffer.set(segment.data.subarray(0, segment.len), ptr);
        ptr += segment.len;
        if (segment.xmit >= this.dead_link) this.state = 0xffffffff;
      }
      const rto = diff(segment.resendts, current);
      if (rto > 0 && rto < minrto) minrto = rto;
    }

    if (ptr > reserved) this.output(this.buffer.subarray(0, ptr));

    const snmp = this.snmp;
    if (snmp) {
      if (lostSegs > 0) snmp.add('LostSegs', lostSegs);
      if (fastRetransSegs > 0) snmp.add('FastRetransSegs', fastRetransSegs);
      if (earlyRetransSegs > 0) snmp.add('EarlyRetransSegs', earlyRetransSegs);
      const sum = lostSegs + fastRetransSegs + earlyRetransSegs;
      if (sum > 0) snmp.add('RetransSegs', sum);
    }

    if (!this.nocwnd) {
      if (change > 0) {
        const inflight = (this.snd_nxt - this.snd_una) >>> 0;
        this.ssthresh = Math.max(Math.floor(inflight / 2), IKCP_THRESH_MIN);
        this.cwnd = (this.ssthresh + resent) >>> 0;
        this.incr = this.cwnd * this.mss;
      }
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

  /** When update() should next be called (a clock value). */
  check(): number {
    const current = this.now();
    if (!this.updated) return current;
    let tsFlush = this.ts_flush;
    if (diff(current, tsFlush) >= 10000 || diff(current, tsFlush) < -10000) tsFlush = current;
    if (diff(current, tsFlush) >= 0) return current;
    const tmFlush = diff(tsFlush, current);
    let tmPacket = 0x7fffffff;
    for (const seg of this.snd_buf) {
      const d = diff(seg.resendts, current);
      if (d <= 0) return current;
      if (d < tmPacket) tmPacket = d;
    }
    let minimal = tmPacket >= tmFlush ? tmFlush : tmPacket;
    if (minimal >= this.interval) minimal = this.interval;
    return (current + minimal) >>> 0;
  }

  setMtu(mtu: number): boolean {
    if (mtu < 50 || mtu < IKCP_OVERHEAD) return false;
    if (this.reserved >= mtu - IKCP_OVERHEAD || this.reserved < 0) return false;
    this.mtu = mtu;
    this.mss = mtu - IKCP_OVERHEAD - this.reserved;
    this.buffer = new Uint8Array(mtu);
    this.view = new DataView(this.buffer.buffer);
    return true;
  }

  /** kcp-go NoDelay: negative values leave a setting as it is; interval is clamped to 10..5000. */
  noDelay(nodelay: number, interval: number, resend: number, nc: number): void {
    if (nodelay >= 0) {
      this.nodelay = nodelay;
      this.rx_minrto = nodelay !== 0 ? IKCP_RTO_NDL : IKCP_RTO_MIN;
    }
    if (interval >= 0) this.interval = Math.min(Math.max(interval, 10), 5000);
    if (resend >= 0) this.fastresend = resend;
    if (nc >= 0) this.nocwnd = nc !== 0;
  }

  wndSize(sndwnd: number, rcvwnd: number): void {
    if (sndwnd > 0) this.snd_wnd = sndwnd;
    if (rcvwnd > 0) this.rcv_wnd = rcvwnd;
  }

  /** Segments queued or in flight, not yet acknowledged. */
  waitSnd(): number {
    return this.snd_buf.length + this.snd_queue.length;
  }

  /** Drops everything waiting to be sent (on close). */
  releaseTX(): void {
    this.snd_queue = [];
    this.snd_buf = [];
  }
}
