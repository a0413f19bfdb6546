/**
 * The relay at game scale: relay CPU per forwarded datagram, per ingress,
 * beside a floor (a plain Node UDP forwarder), at N concurrent sessions each
 * sending `rate` 100-byte datagrams/s to a UDP echo behind the relay (so
 * `rate` each way). Three processes: the relay (or the floor) measured alone
 * (bench/relay-ingress-server.ts), the load and the echo
 * (bench/relay-ingress-load.ts); all share this machine's cores, so the load
 * average is reported with them. Memory per session: the relay's RSS with
 * the sessions open less its RSS before, over N.
 *
 * Counting: every process answers "read" with cumulative counters, read at
 * quiet moments — after a warm-up burst has drained, and after the counted
 * window has drained — so each hop (load's sends → relay forwarded up →
 * echoed → relay forwarded down → load received) is counted over the same
 * datagrams, none from an earlier phase and none still in flight. (Per-second
 * lines from a relay whose event loop the load stalls arrive late and cover
 * more than a second; summed as seconds they "forwarded" more than was offered.)
 *
 * WebTransport: the relay's ingress is the Go helper (webtransport-go/), a
 * child process of the relay that bridges each session's datagrams over UDP
 * to it, so the relay's CPU and RSS are its process's plus its children's.
 * No WebTransport client runs in Node here (@fails-components/webtransport's
 * binding is not installed) and Chromium cannot hold hundreds of sessions, so
 * that load is a Go program (bench/wt-load, built with go build on first use
 * into interop/bin): each session its own QUIC connection, as a browser tab's.
 * Datagrams lost before the relay counts them (a socket's receive buffer
 * full: the helper's QUIC socket, the relay's bridge socket from the helper)
 * are not among the relay's drops: the kernel's count for the relay's UDP
 * sockets and its helper's (/proc/net/udp) is shown beside them.
 *
 * Standalone: node --import tsx bench/relay-ingress.ts [100,1000] [seconds] [only the ingresses whose name has this]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { buildGo, ROOT } from '../test/helpers/kcppeer.js';
import type { Counters } from './relay-ingress-server.js';
import type { EchoCounters, LoadCounters } from './relay-ingress-load.js';
import { loadNodeDataChannel } from '../src/adapter/node/datachannel.js';
import { childPids } from './proc.js';

export type Ingress = 'floor (Node UDP forwarder)' | 'WebRTC node-datachannel' | 'WebRTC werift' | 'WebSocket' | 'WebTransport (Go helper)';
export const INGRESSES: readonly Ingress[] = ['floor (Node UDP forwarder)', 'WebRTC node-datachannel', 'WebRTC werift', 'WebSocket', 'WebTransport (Go helper)'];

/** The WebTransport load (Go: no WebTransport client runs in Node here). */
const WT_LOAD_SRC = `${ROOT}bench/wt-load`;
const WT_LOAD = `${ROOT}interop/bin/wt-load`;

export interface IngressRow {
  ingress: Ingress;
  sessions: number;
  /** The rate asked of the load, both directions (sessions × rate × 2). */
  nominalPerSec: number;
  /**
   * The measured window's counts, every one read at the same quiet moments
   * (before the load starts, after every hop has drained), so each hop's
   * count is at most the one before it.
   */
  counts: {
    /** Datagrams the load handed to its sessions (and sends that threw). */
    offered: number;
    failed: number;
    /** Forwarded by the relay towards the upstream. */
    forwardedUp: number;
    /** Received (and echoed) by the upstream. */
    echoed: number;
    /** Forwarded by the relay back towards the clients. */
    forwardedDown: number;
    /** Received by the load. */
    returned: number;
    /** The relay's own drop counters (budgets, failed sends), both directions. */
    relayDropped: number;
    /** Dropped by the kernel at the relay's UDP sockets, and at its child's (the Go helper's), receive buffers full. */
    socketDrops: number;
    helperSocketDrops: number;
  };
  /** Time the load was sending. */
  sendingMs: number;
  /** Relay CPU while the load was sending, in cores (1 = one core busy). */
  relayCores: number;
  /** Relay CPU with every session open and no traffic, in cores. */
  idleCores: number;
  /** Relay CPU (the window and its drain, less idle) per datagram it forwarded, either direction; its child processes' included. */
  usPerDatagram: number;
  /** The child processes' (the Go WebTransport helper's) part of usPerDatagram. */
  childUsPerDatagram: number;
  kbPerSession: number;
  openMs: number;
  loadCores: number;
  /** 1-minute load average when the level ended (2 cores). */
  loadAvg: number;
  /** Hops whose count exceeds the hop before: the counts are not to be trusted. */
  inconsistent?: string;
  skipped?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Datagrams the kernel dropped at the UDP sockets of process `pid`, and at
 * its children's (the drops column of /proc/net/udp: a receive buffer full),
 * read from here so that the measured process does not pay for the reading.
 */
function socketDrops(pid: number): { own: number; children: number } {
  const pids = [String(pid), ...childPids(pid)];
  /** Socket inode → whether a child holds it. */
  const inodes = new Map<string, boolean>();
  const ls = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return []; // exited meanwhile
    }
  };
  for (const p of pids) {
    for (const fd of ls(`/proc/${p}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${p}/fd/${fd}`));
        if (m) inodes.set(m[1]!, p !== pids[0]);
      } catch {
        // closed meanwhile
      }
    }
  }
  const drops = { own: 0, children: 0 };
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const child = inodes.get(f[9] ?? '');
      if (f.length > 12 && child !== undefined) drops[child ? 'children' : 'own'] += Number(f[f.length - 1]);
    }
  }
  return drops;
}
const TSX = ['--import', 'tsx'];

/** A process of this bench driven over stdin: each command is answered by one stdout line. */
class Driven {
  private readonly waiting: Array<(line: string) => void> = [];
  private stderr = '';
  readonly exited: Promise<never>;
  /** Lines no command asked for (the load's "open MS"). */
  onLine: (line: string) => void = () => {};

  private constructor(
    readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.stderr!.on('data', (d) => (this.stderr = (this.stderr + d).slice(-2000)));
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const w = this.waiting.shift();
      if (w) w(l);
      else this.onLine(l);
    });
    this.exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${this.stderr}`))));
    this.exited.catch(() => {});
  }

  /** A TypeScript file of this bench and its arguments, run by Node. */
  static spawn(args: string[]): Driven {
    return Driven.run(process.execPath, [...TSX, ...args], args.slice(0, 2).join(' '));
  }

  static run(command: string, args: string[], name = command): Driven {
    return new Driven(spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] }), name);
  }

  /** The first line matching `re`, before `timeoutMs`. */
  until(re: RegExp, timeoutMs: number, what: string): Promise<RegExpExecArray> {
    return Promise.race([
      this.exited,
      new Promise<RegExpExecArray>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${what} not in ${timeoutMs / 1000} s`)), timeoutMs);
        this.onLine = (l) => {
          const m = re.exec(l);
          if (m) {
            clearTimeout(t);
            resolve(m);
          }
        };
      }),
    ]);
  }

  ask(command: string): Promise<string> {
    const answer = new Promise<string>((r) => this.waiting.push(r));
    this.child.stdin!.write(`${command}\n`);
    return Promise.race([this.exited, answer]);
  }

  async read<T>(): Promise<T> {
    return JSON.parse(await this.ask('read')) as T;
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

/**
 * Reads all three until nothing is queued in the load and two reads 500 ms
 * apart agree: every datagram in flight has arrived or is lost.
 */
async function drained(server: Driven, load: Driven, echo: Driven): Promise<[Counters, LoadCounters, EchoCounters]> {
  const readAll = () => Promise.all([server.read<Counters>(), load.read<LoadCounters>(), echo.read<EchoCounters>()]);
  let before = await readAll();
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    const now = await readAll();
    if (now[1].queued === 0 && now[0].up === before[0].up && now[0].down === before[0].down && now[1].received === before[1].received && now[2].received === before[2].received) return now;
    before = now;
  }
  throw new Error('the relay still forwarding 30 s after the load stopped');
}

async function level(ingress: Ingress, n: number, rate: number, seconds: number, echo: Driven, echoAddress: string, progress: (m: string) => void): Promise<IngressRow> {
  const wt = ingress.startsWith('WebTransport');
  const args = ingress.startsWith('floor') ? ['floor', echoAddress] : ['relay', ingress === 'WebRTC werift' ? 'werift' : 'node-datachannel', echoAddress, ...(wt ? ['go'] : [])];
  const server = Driven.spawn([`${ROOT}bench/relay-ingress-server.ts`, ...args]);
  let load: Driven | undefined;
  try {
    const address = (await server.until(/^listening (\S+)/, 15_000, 'the relay listening'))[1]!;
    await sleep(1500);
    const before = await server.read<Counters>();
    const kind = ingress.startsWith('floor') ? 'udp' : ingress === 'WebSocket' ? 'websocket' : 'webrtc';
    load = wt ? Driven.run(WT_LOAD, ['--relay', address, '--sessions', String(n), '--rate', String(rate)], 'bench/wt-load') : Driven.spawn([`${ROOT}bench/relay-ingress-load.ts`, 'load', kind, address, String(n), String(rate)]);
    const openMs = Number((await load.until(/^open (\d+)/, 180_000, `${n} ${ingress} sessions open`))[1]);
    progress(`relay ingress: ${n} ${ingress} sessions open in ${(openMs / 1000).toFixed(1)} s; measuring ${seconds} s`);
    // A warm-up burst whose datagrams are drained before the counted window begins.
    await load.ask('start');
    await sleep(2000);
    await load.ask('stop');
    await drained(server, load, echo);
    const quiet = await server.read<Counters>();
    await sleep(1000);
    const [s0, l0, e0] = await Promise.all([server.read<Counters>(), load.read<LoadCounters>(), echo.read<EchoCounters>()]);
    const drops0 = socketDrops(server.child.pid!);
    await load.ask('start');
    await sleep(seconds * 1000);
    const sEnd = await server.read<Counters>();
    await load.ask('stop');
    const [s1, l1, e1] = await drained(server, load, echo);
    const drops1 = socketDrops(server.child.pid!);
    const idleCpuPerMs = (s0.cpuUs - quiet.cpuUs) / (s0.ms - quiet.ms);
    const idleChildCpuPerMs = (s0.childCpuUs - quiet.childCpuUs) / (s0.ms - quiet.ms);
    const counts = {
      offered: l1.sent - l0.sent,
      failed: l1.failed - l0.failed,
      forwardedUp: s1.up - s0.up,
      echoed: e1.received - e0.received,
      forwardedDown: s1.down - s0.down,
      returned: l1.received - l0.received,
      relayDropped: s1.dropped - s0.dropped,
      socketDrops: drops1.own - drops0.own,
      helperSocketDrops: drops1.children - drops0.children,
    };
    const hops: Array<[string, number, number]> = [
      ['forwarded up > offered', counts.forwardedUp, counts.offered],
      ['echoed > forwarded up', counts.echoed, counts.forwardedUp],
      ['forwarded down > echoed', counts.forwardedDown, counts.echoed],
      ['returned > forwarded down', counts.returned, counts.forwardedDown],
    ];
    const inconsistent = hops.filter(([, a, b]) => a > b).map(([what]) => what).join(', ');
    const forwarded = counts.forwardedUp + counts.forwardedDown;
    return {
      ingress,
      sessions: s1.sessions,
      nominalPerSec: n * rate * 2,
      counts,
      sendingMs: l1.sendingMs - l0.sendingMs,
      relayCores: (sEnd.cpuUs - s0.cpuUs) / (sEnd.ms - s0.ms) / 1000,
      idleCores: idleCpuPerMs / 1000,
      usPerDatagram: (s1.cpuUs - s0.cpuUs - idleCpuPerMs * (s1.ms - sEnd.ms)) / forwarded,
      childUsPerDatagram: (s1.childCpuUs - s0.childCpuUs - idleChildCpuPerMs * (s1.ms - sEnd.ms)) / forwarded,
      kbPerSession: ((sEnd.rssMB - before.rssMB) * 1024) / n,
      openMs,
      loadCores: (l1.cpuUs - l0.cpuUs) / (l1.sendingMs - l0.sendingMs) / 1000,
      loadAvg: loadavg()[0]!,
      ...(inconsistent ? { inconsistent } : {}),
    };
  } finally {
    load?.stop();
    server.stop();
    await sleep(300);
  }
}

/**
 * Every ingress at every level; a level an ingress cannot hold (werift at
 * 1000 × rate × 2 would need several cores) is listed as skipped with why.
 */
export async function relayIngress(levels: number[], rate: number, seconds: number, progress: (m: string) => void, only = ''): Promise<IngressRow[]> {
  const echo = Driven.spawn([`${ROOT}bench/relay-ingress-load.ts`, 'echo']);
  const echoAddress = (await echo.until(/^listening (\S+)/, 15_000, 'the echo listening'))[1]!;
  const ndc = await loadNodeDataChannel();
  let noWtLoad = '';
  if (INGRESSES.some((i) => i.startsWith('WebTransport') && i.includes(only))) {
    try {
      buildGo(WT_LOAD_SRC, WT_LOAD);
    } catch (e) {
      noWtLoad = `no WebTransport load: ${(e as Error).message}`;
    }
  }
  const rows: IngressRow[] = [];
  const none = { offered: 0, failed: 0, forwardedUp: 0, echoed: 0, forwardedDown: 0, returned: 0, relayDropped: 0, socketDrops: 0, helperSocketDrops: 0 };
  const skippedRow = (ingress: Ingress, n: number, why: string): IngressRow => ({ ingress, sessions: n, nominalPerSec: n * rate * 2, counts: none, sendingMs: NaN, relayCores: NaN, idleCores: NaN, usPerDatagram: NaN, childUsPerDatagram: NaN, kbPerSession: NaN, openMs: NaN, loadCores: NaN, loadAvg: loadavg()[0]!, skipped: why });
  try {
    for (const n of levels) {
      for (const ingress of INGRESSES.filter((i) => i.includes(only))) {
        // The WebRTC load runs node-datachannel clients, whichever stack answers.
        if (ingress.startsWith('WebRTC') && 'reason' in ndc) rows.push(skippedRow(ingress, n, ndc.reason));
        else if (ingress.startsWith('WebTransport') && noWtLoad) rows.push(skippedRow(ingress, n, noWtLoad));
        else if (ingress === 'WebRTC werift' && n > 200) rows.push(skippedRow(ingress, n, `werift's cost per datagram at ${n} × ${rate}/s each way needs more than the machine's 2 cores (see its row at a lower level)`));
        else {
          progress(`relay ingress: ${ingress}, ${n} sessions at ${rate} datagrams/s each way`);
          try {
            rows.push(await level(ingress, n, rate, seconds, echo, echoAddress, progress));
          } catch (e) {
            rows.push(skippedRow(ingress, n, (e as Error).message));
          }
        }
      }
    }
  } finally {
    echo.stop();
  }
  return rows;
}

export function ingressTable(rows: IngressRow[], rate: number): string {
  const floor = (n: number) => rows.find((r) => r.ingress.startsWith('floor') && r.sessions === n && !r.skipped);
  return [
    `| relay ingress, sessions × ${rate} datagrams/s each way (100 bytes, UDP echo upstream) | offered: the load's sends (both ways per s, of the rate asked) | forwarded up → echoed → forwarded down → returned | relay's drops (the kernel's at its UDP sockets) | relay CPU per forwarded datagram (its child processes' included) | × floor | relay CPU sending (idle) | RSS per session | time to open all | load generator CPU | load average |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      if (r.skipped) return `| ${r.ingress}, ${r.sessions} sessions | skipped: ${r.skipped} | | | | | | | | | |`;
      const f = floor(r.sessions);
      const c = r.counts;
      const perSec = ((2 * c.offered) / r.sendingMs) * 1000;
      return `| ${r.ingress}, ${r.sessions} sessions | ${c.offered} sent${c.failed ? ` (+${c.failed} failed)` : ''}; ${perSec.toFixed(0)}/s of ${r.nominalPerSec}/s | ${c.forwardedUp} → ${c.echoed} → ${c.forwardedDown} → ${c.returned}${r.inconsistent ? ` (do not add up: ${r.inconsistent})` : ''} | ${c.relayDropped}${c.socketDrops || c.helperSocketDrops ? ` (+ full receive buffers: ${c.socketDrops} at the relay's sockets${r.ingress.startsWith('WebTransport') ? `, ${c.helperSocketDrops} at the Go helper's` : ''})` : ''} | ${r.usPerDatagram.toFixed(1)} µs${r.childUsPerDatagram > 0.05 ? ` (Go helper ${r.childUsPerDatagram.toFixed(1)})` : ''} | ${f ? (r.usPerDatagram / f.usPerDatagram).toFixed(1) : '–'}× | ${r.relayCores.toFixed(2)} cores (${r.idleCores.toFixed(2)}) | ${r.kbPerSession.toFixed(0)} KB | ${(r.openMs / 1000).toFixed(1)} s | ${r.loadCores.toFixed(2)} cores | ${r.loadAvg.toFixed(1)} |`;
    }),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const levels = (process.argv[2] ?? '100,1000').split(',').map(Number);
  const seconds = Number(process.argv[3] ?? 8);
  const rows = await relayIngress(levels, 20, seconds, (m) => console.error(m), process.argv[4]);
  console.log(ingressTable(rows, 20));
  process.exit(0);
}
