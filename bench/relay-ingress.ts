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
 * WebTransport is not measured here: no WebTransport client runs in Node on
 * this machine (@fails-components/webtransport's binding is not installed)
 * and Chromium cannot hold hundreds of sessions.
 *
 * Standalone: node --import tsx bench/relay-ingress.ts [100,1000] [seconds]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { startServer, ROOT } from '../test/helpers/kcppeer.js';
import { loadNodeDataChannel } from '../src/adapter/node/datachannel.js';

export type Ingress = 'floor (Node UDP forwarder)' | 'WebRTC node-datachannel' | 'WebRTC werift' | 'WebSocket';
export const INGRESSES: readonly Ingress[] = ['floor (Node UDP forwarder)', 'WebRTC node-datachannel', 'WebRTC werift', 'WebSocket'];

export interface IngressRow {
  ingress: Ingress;
  sessions: number;
  /** Datagrams the relay forwarded per second, both directions. */
  forwardedPerSec: number;
  /** What the load offered, both directions (sessions × rate × 2). */
  offeredPerSec: number;
  relayCpuPct: number;
  usPerDatagram: number;
  kbPerSession: number;
  openMs: number;
  loadCpuPct: number;
  /** Datagrams per second the load could not send: its session had closed. */
  failedPerSec: number;
  /** 1-minute load average when the level ended (2 cores). */
  loadAvg: number;
  skipped?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const TSX = ['--import', 'tsx'];

interface ServerLine {
  cpuUs: number;
  forwarded: number;
  rssMB: number;
  sessions: number;
}

async function level(ingress: Ingress, n: number, rate: number, seconds: number, upstream: string, progress: (m: string) => void): Promise<IngressRow> {
  const args = ingress.startsWith('floor') ? ['floor', upstream] : ['relay', ingress === 'WebRTC werift' ? 'werift' : 'node-datachannel', upstream];
  const server = await startServer(process.execPath, [...TSX, `${ROOT}bench/relay-ingress-server.ts`, ...args], /^listening (\S+)/);
  const lines: ServerLine[] = [];
  createInterface({ input: server.child.stdout! }).on('line', (l) => l.startsWith('{') && lines.push(JSON.parse(l) as ServerLine));
  let load: ChildProcess | undefined;
  try {
    await sleep(1500);
    const idleRss = lines.at(-1)?.rssMB ?? NaN;
    const kind = ingress.startsWith('floor') ? 'udp' : ingress === 'WebSocket' ? 'websocket' : 'webrtc';
    load = spawn(process.execPath, [...TSX, `${ROOT}bench/relay-ingress-load.ts`, 'load', kind, server.address, String(n), String(rate)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    load.stderr!.on('data', (d) => (stderr += d));
    const loadCpu: number[] = [];
    const loadFailed: number[] = [];
    const openMs = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${n} ${ingress} sessions not open in 120 s`)), 120_000);
      load!.once('exit', (code) => reject(new Error(`load exited with ${code}: ${stderr.slice(-500)}`)));
      createInterface({ input: load!.stdout! }).on('line', (l) => {
        if (l.startsWith('open ')) {
          clearTimeout(t);
          resolve(Number(l.slice(5)));
        } else if (l.startsWith('{')) {
          const r = JSON.parse(l) as { cpuPct: number; failed: number };
          loadCpu.push(r.cpuPct);
          loadFailed.push(r.failed);
        }
      });
    });
    progress(`relay ingress: ${n} ${ingress} sessions open in ${(openMs / 1000).toFixed(1)} s; measuring ${seconds} s`);
    await sleep(2000); // every session sending, the per-second lines aligned
    const from = lines.length;
    const cpuFrom = loadCpu.length;
    await sleep(seconds * 1000);
    const steady = lines.slice(from);
    const cpuUs = steady.reduce((a, l) => a + l.cpuUs, 0);
    const forwarded = steady.reduce((a, l) => a + l.forwarded, 0);
    return {
      ingress,
      sessions: Math.max(0, ...steady.map((l) => l.sessions)),
      forwardedPerSec: forwarded / steady.length,
      offeredPerSec: n * rate * 2,
      relayCpuPct: cpuUs / steady.length / 1e4,
      usPerDatagram: cpuUs / forwarded,
      kbPerSession: ((mean(steady.map((l) => l.rssMB)) - idleRss) * 1024) / n,
      openMs,
      loadCpuPct: mean(loadCpu.slice(cpuFrom)),
      failedPerSec: mean(loadFailed.slice(cpuFrom)),
      loadAvg: loadavg()[0]!,
    };
  } finally {
    load?.kill('SIGKILL');
    server.stop();
    await sleep(300);
  }
}

/**
 * Every ingress at every level; a level an ingress cannot hold (werift at
 * 1000 × rate × 2 would need several cores) is listed as skipped with why.
 */
export async function relayIngress(levels: number[], rate: number, seconds: number, progress: (m: string) => void): Promise<IngressRow[]> {
  const echo = await startServer(process.execPath, [...TSX, `${ROOT}bench/relay-ingress-load.ts`, 'echo'], /^listening (\S+)/);
  const ndc = await loadNodeDataChannel();
  const rows: IngressRow[] = [];
  const skippedRow = (ingress: Ingress, n: number, why: string): IngressRow => ({ ingress, sessions: n, forwardedPerSec: NaN, offeredPerSec: n * rate * 2, relayCpuPct: NaN, usPerDatagram: NaN, kbPerSession: NaN, openMs: NaN, loadCpuPct: NaN, failedPerSec: NaN, loadAvg: loadavg()[0]!, skipped: why });
  try {
    for (const n of levels) {
      for (const ingress of INGRESSES) {
        // The WebRTC load runs node-datachannel clients, whichever stack answers.
        if (ingress.startsWith('WebRTC') && 'reason' in ndc) rows.push(skippedRow(ingress, n, ndc.reason));
        else if (ingress === 'WebRTC werift' && n > 200) rows.push(skippedRow(ingress, n, `werift's cost per datagram at ${n} × ${rate}/s each way needs more than the machine's 2 cores (see its row at a lower level)`));
        else {
          progress(`relay ingress: ${ingress}, ${n} sessions at ${rate} datagrams/s each way`);
          try {
            rows.push(await level(ingress, n, rate, seconds, echo.address, progress));
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
    `| relay ingress, sessions × ${rate} datagrams/s each way (100 bytes, UDP echo upstream) | forwarded/s (offered; sends failing/s) | relay CPU (% of one core) | relay CPU per forwarded datagram | × floor | RSS per session | time to open all | load generator CPU | load average |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      if (r.skipped) return `| ${r.ingress}, ${r.sessions} sessions | skipped: ${r.skipped} | | | | | | | |`;
      const f = floor(r.sessions);
      return `| ${r.ingress}, ${r.sessions} sessions | ${r.forwardedPerSec.toFixed(0)} (${r.offeredPerSec}${r.failedPerSec > 0 ? `; ${r.failedPerSec.toFixed(0)} failing` : ''}) | ${r.relayCpuPct.toFixed(0)}% | ${r.usPerDatagram.toFixed(1)} µs | ${f ? (r.usPerDatagram / f.usPerDatagram).toFixed(1) : '–'}× | ${r.kbPerSession.toFixed(0)} KB | ${(r.openMs / 1000).toFixed(1)} s | ${r.loadCpuPct.toFixed(0)}% | ${r.loadAvg.toFixed(1)} |`;
    }),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const levels = (process.argv[2] ?? '100,1000').split(',').map(Number);
  const seconds = Number(process.argv[3] ?? 8);
  const rows = await relayIngress(levels, 20, seconds, (m) => console.error(m));
  console.log(ingressTable(rows, 20));
  process.exit(0);
}
