/**
 * What kcp-web's own stack costs a server per message, without sockets: the
 * sessions bench's load (aes, normal mode, 32-byte messages at 20/s from
 * each of `n` clients) is first played out in one process between real
 * client sessions and a listener over an in-memory wire, with the clock moved
 * by hand, and every datagram that reaches the listener is recorded with its
 * step. Then a fresh listener gets the same datagrams at the same clock times
 * while only it runs: the time per message received is what KCP, the
 * cipher, the listener and its sessions' timers cost, with no dgram, event
 * loop or load generator on the same cores. Run in a child process (a
 * clean heap); the median of three replays.
 *
 * Standalone: node --import tsx bench/server-stack.ts 1000,10000
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dial, listen } from '../src/index.node.js';
import { manualRuntime } from './manual-runtime.js';
import type { DatagramTransport } from '../src/core/transport.js';
import { deriveKey } from '../src/core/crypt/kdf.js';
import { SESSION_OPTIONS } from './sessions-options.js';

export interface StackCost {
  sessions: number;
  messages: number;
  /** Wall time per message received, µs (single-threaded: the stack's CPU). */
  usPerMessage: number;
}

/** Clock step: each client sends every 10 steps, i.e. 20 messages/s. */
const STEP_MS = 5;
const WARM_STEPS = 200;

/** One clock for the clients and the listener; each replay starts it again at 0. */
const clock = { t: 0 };
const randomBytes = (b: Uint8Array) => {
  for (let i = 0; i < b.length; i++) b[i] = (Math.random() * 256) | 0;
};
const stepRuntime = () => manualRuntime(clock, { afterInput: true, random: randomBytes });

const key = deriveKey(SESSION_OPTIONS.key as string);
const options = { ...SESSION_OPTIONS, key };

function server(sendTo: ((d: Uint8Array, to: string) => void) | null) {
  const runtime = stepRuntime();
  let deliver: (d: Uint8Array, from: string) => void = () => {};
  const transport: DatagramTransport = { mtu: 1500, sendCopies: true, send: (d, to) => sendTo?.(d, to!), receive: (f) => void (deliver = f), close: () => {} };
  const listener = listen(transport, { ...options, runtime, maxSessions: 1_000_000 });
  let messages = 0;
  listener.onsession = (s) => void (s.onmessage = () => void messages++);
  return { runtime, listener, deliver: (d: Uint8Array, from: string) => deliver(d, from), messages: () => messages };
}

function measure(n: number, steps: number): StackCost {
  // Play: n clients and a listener; record what reaches the listener at each step.
  const clientRuntime = stepRuntime();
  const toClient = new Map<string, (d: Uint8Array, from: string) => void>();
  const replies: Array<[Uint8Array, string]> = [];
  const played = server((d, to) => void replies.push([d.slice(), to]));
  const toServer: Array<[Uint8Array, string]> = [];
  const clients = Array.from({ length: n }, (_, i) => {
    const name = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${40000 + (i % 20000)}`;
    const t: DatagramTransport = { mtu: 1500, sendCopies: true, send: (d) => void toServer.push([d.slice(), name]), receive: (f) => void toClient.set(name, f), close: () => {} };
    return dial(t, { ...options, runtime: clientRuntime, conv: i + 1 });
  });
  const message = new Uint8Array(32);
  const recorded: Array<Array<[Uint8Array, string]>> = [];
  for (let k = 0; k < WARM_STEPS + steps; k++) {
    clock.t += STEP_MS;
    for (let i = k % 10; i < n; i += 10) clients[i]!.send(message);
    clientRuntime.runDue();
    clientRuntime.runAfterInput();
    played.runtime.runDue();
    played.runtime.runAfterInput();
    const step = toServer.splice(0);
    recorded.push(step);
    for (const [d, from] of step) played.deliver(d.slice(), from);
    played.runtime.runAfterInput();
    for (const [d, to] of replies.splice(0)) toClient.get(to)!(d, 'server');
    clientRuntime.runAfterInput();
  }
  for (const c of clients) c.close();
  played.listener.close();

  // Replay into a fresh listener, three times; only it runs.
  const runs: number[] = [];
  let messages = 0;
  for (let r = 0; r < 3; r++) {
    clock.t = 0;
    const s = server(null);
    const replay = (from: number, to: number) => {
      for (let k = from; k < to; k++) {
        clock.t += STEP_MS;
        s.runtime.runDue();
        s.runtime.runAfterInput();
        // A fresh array per datagram, as a socket hands out.
        for (const [d, f] of recorded[k]!) s.deliver(d.slice(), f);
        s.runtime.runAfterInput();
      }
    };
    replay(0, WARM_STEPS);
    const before = s.messages();
    const t0 = performance.now();
    replay(WARM_STEPS, WARM_STEPS + steps);
    const ms = performance.now() - t0;
    messages = s.messages() - before;
    runs.push((ms * 1000) / messages);
    s.listener.close();
  }
  runs.sort((a, b) => a - b);
  return { sessions: n, messages, usPerMessage: runs[1]! };
}

/** Runs each level in a child process; rows, or why not. */
export function serverStackCost(levels: number[]): StackCost[] | { skipped: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', levels.join(',')], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { skipped: `server-stack child failed: ${r.stderr.trim().split('\n').pop()}` };
  return JSON.parse(r.stdout) as StackCost[];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const levels = (process.argv.at(-1) ?? '1000').split(',').map(Number);
  // Bounded: about 2,000 steps' worth of messages per level (10 s of the load at 1000 sessions).
  const rows = levels.map((n) => measure(n, Math.max(100, Math.round(2_000_000 / n))));
  if (process.argv.includes('--child')) console.log(JSON.stringify(rows));
  else for (const r of rows) console.log(`${r.sessions} sessions: ${r.messages} messages, ${r.usPerMessage.toFixed(2)} µs per message, ${((r.usPerMessage * r.sessions * 20) / 1e6).toFixed(2)} cores at 20 messages/s each`);
}
