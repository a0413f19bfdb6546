/**
 * The game-traffic latency bench's flows (bench/latency.ts): every flow is a
 * pair of streams of small messages, one each way at the same rate, as a
 * game's inputs go up and its state comes down. Both the server process
 * (bench/latency-server.ts) and the client process (bench/latency-client.ts)
 * build the same list from the same arguments, so a flow's index is its
 * identity and its server port is the key of the link's byte counts.
 */
import type { SessionOptions } from '../src/core/options.js';

/** Payload of every message: sequence number, send time, padding (a small state update or input). */
export const MESSAGE_BYTES = 64;
/** Messages sent in a flow's first secondss are not measured (sessions settle their RTT estimates, code is compiled). */
export const WARMUP_S = 2;
/** After the last message, how long receivers keep listening for stragglers. */
export const GRACE_S = 3;

export type FlowKind = 'kcp' | 'ws' | 'udp';

export interface FlowSpec {
  kind: FlowKind;
  /** Messages per second, each way. */
  hz: number;
  /** What the table and chart call it. */
  label: string;
  /** The setting apart from the rate, the chart's series key. */
  setting: string;
  options?: SessionOptions;
}

/** FEC settings a game could use ([dataShards, parityShards], [0, 0] off); every one is a valid kcp-go/kcptun setting. */
export const FEC_SETTINGS: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [1, 1],
  [1, 2],
  [2, 1],
  [3, 2],
  [10, 3],
];

const BASE: SessionOptions = { key: 'latency', crypt: 'aes', mtu: 1200, sndwnd: 128, rcvwnd: 128 };

/**
 * The flows of one run. `full` (BENCH_LATENCY=full) adds kcptun's other
 * fast modes and 30 Hz; the default stays within a few minutes on 2 cores.
 */
export function latencyFlows(full: boolean): FlowSpec[] {
  const rates = full ? [20, 30, 60] : [20, 60];
  const modes: Array<{ name: string; options: SessionOptions }> = [
    { name: 'fast3', options: { mode: 'fast3' } },
    { name: 'fast3 + acknodelay', options: { mode: 'fast3', ackNoDelay: true } },
    ...(full ? [{ name: 'fast2', options: { mode: 'fast2' as const } }, { name: 'fast', options: { mode: 'fast' as const } }] : []),
  ];
  const flows: FlowSpec[] = [];
  for (const hz of rates) {
    for (const m of modes) {
      for (const [d, p] of FEC_SETTINGS) {
        // acknodelay without FEC and with each FEC setting in the full run; by default with the likely game settings only.
        if (!full && m.name !== 'fast3' && !(d === 0 || (d === 1 && p >= 1))) continue;
        const setting = `${m.name}${d ? ` + FEC ${d}/${p}` : ''}`;
        flows.push({ kind: 'kcp', hz, setting, label: `KCP ${setting}, ${hz} Hz`, options: { ...BASE, ...m.options, dataShards: d, parityShards: p } });
      }
    }
    flows.push({ kind: 'kcp', hz, setting: "profile 'game'", label: `KCP profile 'game', ${hz} Hz`, options: { key: 'latency', profile: 'game' } });
    flows.push({ kind: 'ws', hz, setting: 'WebSocket (TCP)', label: `WebSocket (TCP), ${hz} Hz` });
    flows.push({ kind: 'udp', hz, setting: 'raw UDP, no repair', label: `raw UDP (no repair, as an unreliable data channel), ${hz} Hz` });
  }
  return flows;
}

/** Encodes a message: sequence number and send time (ms on the monotonic clock both processes share). */
export function stamp(buf: Uint8Array, seq: number, nowMs: number): void {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setUint32(0, seq);
  v.setFloat64(4, nowMs);
}

export function readStamp(m: Uint8Array): { seq: number; sentAt: number } {
  const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
  return { seq: v.getUint32(0), sentAt: v.getFloat64(4) };
}

/** CLOCK_MONOTONIC in ms: the same clock in every process on the machine, namespaces or not. */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** What one receiving end saw of one flow. */
export interface Received {
  /** One-way delays in ms of the measured messages. */
  delays: number[];
  /** Distinct measured sequence numbers seen. */
  seen: number;
  /** Measured sequence numbers below the highest one seen that never arrived. */
  missing: number;
  /** Messages this end sent. */
  sent: number;
}

/** A receiver's record for one flow. */
export class Recorder {
  readonly delays: number[] = [];
  private readonly got = new Set<number>();
  private maxSeq = -1;
  sent = 0;
  constructor(private readonly warmupSeqs: number) {}
  add(m: Uint8Array): void {
    if (m.length < 12) return;
    const now = monoMs();
    const { seq, sentAt } = readStamp(m);
    if (seq < this.warmupSeqs || this.got.has(seq)) return;
    this.got.add(seq);
    if (seq > this.maxSeq) this.maxSeq = seq;
    this.delays.push(now - sentAt);
  }
  result(): Received {
    return { delays: this.delays.map((d) => Math.round(d * 100) / 100), seen: this.got.size, missing: Math.max(0, this.maxSeq + 1 - this.warmupSeqs - this.got.size), sent: this.sent };
  }
}

/** Sends `send(seq)` at `hz` for `seconds`, on a grid (not drifting with timer lateness); resolves after the last one. */
export function paced(hz: number, seconds: number, send: (seq: number) => void): { done: Promise<void>; stop(): void } {
  const period = 1000 / hz;
  const count = Math.round(seconds * hz);
  const start = monoMs();
  let seq = 0;
  let timer: NodeJS.Timeout | null = null;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const step = () => {
    timer = null;
    const due = Math.floor((monoMs() - start) / period);
    // A late timer sends what was due since, at once, as a game loop catching up would.
    while (seq <= due && seq < count) send(seq++);
    if (seq >= count) return finish();
    timer = setTimeout(step, Math.max(0, start + seq * period - monoMs()));
  };
  step();
  return {
    done,
    stop: () => {
      if (timer) clearTimeout(timer);
      timer = null;
      finish();
    },
  };
}
