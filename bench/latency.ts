/**
 * Game-traffic latency under loss: small messages both ways at a game's
 * rates (bench/latency-options.ts), over KCP in each mode and FEC setting a
 * game could use, a WebSocket over TCP, and raw UDP with no repair (what an
 * unordered, unreliable data channel gives, as geckos.io uses), all at once
 * on one link. The measure is each message's one-way delay (sender and
 * receiver read the same monotonic clock), both directions pooled.
 *
 * The link: two network namespaces joined by two TUN devices, with a Go
 * process (bench/delaylink) holding every IP packet for a fixed one-way
 * delay — a userspace delay, since netem is missing here and no other qdisc
 * nor nftables can delay — and nftables dropping each packet at random on
 * input in each namespace (every packet, each way, UDP and TCP alike, in
 * the kernel, so TCP really retransmits). delaylink also counts the IP
 * bytes of each flow, for the bandwidth each setting costs.
 *
 * The link, the server and the client run at a raised nice level (nice -n
 * -10, still the ordinary scheduler) where that is allowed: they sleep
 * almost all the time, and on a machine busy with other work a wake-up that
 * waits behind it shows up as a late message on every flow alike, which
 * measures the machine, not the protocols. Real-time scheduling is never
 * used: it would starve everything else sharing the cores.
 *
 * Needs root, ip, nft, Go and /dev/net/tun; otherwise it returns the reason
 * it skipped. The namespaces are always removed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { buildGo, ROOT } from '../test/helpers/kcppeer.js';
import { latencyFlows, MESSAGE_BYTES, type FlowSpec, type Received } from './latency-options.js';

const DELAYLINK_SRC = `${ROOT}bench/delaylink`;
const DELAYLINK = `${ROOT}interop/bin/delaylink`;
const CLIENT_IP = '10.77.0.1';
const SERVER_IP = '10.77.0.2';

export interface Percentiles {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** Of the measured sequence numbers up to the highest one received, the share never received (%). */
  missingPct: number;
}

export interface LatencyCell {
  label: string;
  setting: string;
  kind: FlowSpec['kind'];
  hz: number;
  loss: number;
  /** Both directions pooled. */
  oneWay: Percentiles;
  up: Percentiles;
  down: Percentiles;
  /** IP bytes on the link, both directions, per message sent (either way). */
  wireBytesPerMessage: number;
  /** Those bytes over the message's own MESSAGE_BYTES. */
  overhead: number;
  /** Both directions, kbit/s. */
  kbps: number;
}

export interface LatencyResult {
  delayMs: number;
  seconds: number;
  levels: number[];
  full: boolean;
  /** Whether the link and both ends ran at a raised nice level (NICE_PREFIX). */
  niced: boolean;
  cells: LatencyCell[];
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const inNs = (ns: string, ...args: string[]) => sh('ip', ['netns', 'exec', ns, ...args]);

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN;
}

function summarize(rs: Received[]): Percentiles {
  const all = rs.flatMap((r) => r.delays).sort((a, b) => a - b);
  const missing = rs.reduce((a, r) => a + r.missing, 0);
  const expected = missing + rs.reduce((a, r) => a + r.seen, 0);
  return { n: all.length, p50: percentile(all, 50), p99: percentile(all, 99), p999: percentile(all, 99.9), max: all.at(-1) ?? NaN, missingPct: expected > 0 ? (100 * missing) / expected : 0 };
}

/** Lines of a child's stdout, one at a time. */
function lineReader(child: ChildProcess): () => Promise<string> {
  const queue: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else queue.push(l);
  });
  return () => {
    const l = queue.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`${child.spawnfile} exited with ${code}`)));
    });
  };
}

export const NICE_PREFIX = ['nice', '-n', '-10'];

/** NICE_PREFIX where raising the nice level is allowed, else nothing. */
function priority(): string[] {
  try {
    sh(NICE_PREFIX[0]!, [...NICE_PREFIX.slice(1), 'true']);
    return NICE_PREFIX;
  } catch {
    return [];
  }
}

/** spawn with the priority prefix. */
function spawnNiced(prefix: string[], cmd: string, args: string[], stdio: Parameters<typeof spawn>[2]['stdio']): ChildProcess {
  return prefix.length ? spawn(prefix[0]!, [...prefix.slice(1), cmd, ...args], { stdio }) : spawn(cmd, args, { stdio });
}

function setLoss(ns: string, percent: number): void {
  inNs(ns, 'nft', 'flush', 'ruleset');
  if (percent <= 0) return;
  inNs(ns, 'nft', 'add', 'table', 'inet', 'lossy');
  inNs(ns, 'nft', 'add', 'chain', 'inet', 'lossy', 'in', '{ type filter hook input priority 0; }');
  inNs(ns, 'nft', 'add', 'rule', 'inet', 'lossy', 'in', 'iifname', 'kwl*', 'numgen', 'random', 'mod', '100', '<', String(percent), 'drop');
}


export interface LatencyConfig {
  levels: number[];
  /** Per loss level. */
  seconds: number;
  /** One-way delay of the link. */
  delayMs: number;
  full: boolean;
  progress: (m: string) => void;
}

export async function latencyMatrix(cfg: LatencyConfig): Promise<LatencyResult | { skipped: string }> {
  if (process.getuid?.() !== 0) return { skipped: 'needs root for network namespaces and TUN devices' };
  for (const tool of ['ip', 'nft', 'go']) {
    try {
      sh('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return { skipped: `${tool} not installed` };
    }
  }
  if (!existsSync('/dev/net/tun')) return { skipped: 'no /dev/net/tun' };
  try {
    buildGo(DELAYLINK_SRC, DELAYLINK);
  } catch (e) {
    return { skipped: `cannot build bench/delaylink: ${(e as Error).message.split('\n')[0]}` };
  }
  const id = process.pid % 1_000_000;
  const [nsC, nsS, tunC, tunS] = [`kcpweb-latc-${id}`, `kcpweb-lats-${id}`, `kwlc${id}`, `kwls${id}`];
  const children: ChildProcess[] = [];
  const cleanup = () => {
    for (const c of children) c.kill('SIGKILL');
    for (const ns of [nsC, nsS]) {
      try {
        sh('ip', ['netns', 'del', ns]);
      } catch {
        /* not there */
      }
    }
  };
  const onSigint = () => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  try {
    sh('ip', ['netns', 'add', nsC]);
    sh('ip', ['netns', 'add', nsS]);
  } catch (e) {
    cleanup();
    process.off('SIGINT', onSigint);
    return { skipped: `cannot create a network namespace: ${(e as Error).message.split('\n')[0]}` };
  }
  try {
    const prefix = priority();
    const link = spawnNiced(prefix, DELAYLINK, ['-a', tunC, '-b', tunS, '-delay', String(cfg.delayMs)], ['pipe', 'pipe', 'inherit']);
    children.push(link);
    const linkLine = lineReader(link);
    if ((await linkLine()) !== 'ready') throw new Error('delaylink did not start');
    for (const [ns, tun, me, peer] of [
      [nsC, tunC, CLIENT_IP, SERVER_IP],
      [nsS, tunS, SERVER_IP, CLIENT_IP],
    ] as const) {
      sh('ip', ['link', 'set', tun, 'netns', ns]);
      inNs(ns, 'ip', 'addr', 'add', me, 'peer', peer, 'dev', tun);
      inNs(ns, 'ip', 'link', 'set', tun, 'up');
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    }
    const full = cfg.full ? '1' : '0';
    const server = spawnNiced(prefix, 'ip', ['netns', 'exec', nsS, process.execPath, '--import', 'tsx', `${ROOT}bench/latency-server.ts`, SERVER_IP, full], ['pipe', 'pipe', 'inherit']);
    children.push(server);
    const serverLine = lineReader(server);
    const { ports } = JSON.parse(await serverLine()) as { ports: number[] };
    const flows = latencyFlows(cfg.full);
    const cells: LatencyCell[] = [];
    for (const loss of cfg.levels) {
      setLoss(nsC, loss);
      setLoss(nsS, loss);
      cfg.progress(`latency: ${loss}% loss on each packet each way, ${cfg.delayMs} ms each way, ${flows.length} flows at once for ${cfg.seconds} s`);
      link.stdin!.write('stats\n');
      await linkLine();
      server.stdin!.write(`start ${cfg.seconds}\n`);
      const client = spawnNiced(prefix, 'ip', ['netns', 'exec', nsC, process.execPath, '--import', 'tsx', `${ROOT}bench/latency-client.ts`, SERVER_IP, JSON.stringify(ports), String(cfg.seconds), full], ['ignore', 'pipe', 'inherit']);
      children.push(client);
      const clientOut = await lineReader(client)();
      const down = (JSON.parse(clientOut) as { received: Received[] }).received;
      server.stdin!.write('report\n');
      const up = (JSON.parse(await serverLine()) as { received: Received[] }).received;
      link.stdin!.write('stats\n');
      const bytes = JSON.parse(await linkLine()) as Record<'up' | 'down', Record<string, { bytes: number } | undefined>>;
      for (const [i, f] of flows.entries()) {
        const port = String(ports[i]);
        const wire = (bytes.up[port]?.bytes ?? 0) + (bytes.down[port]?.bytes ?? 0);
        const sent = up[i]!.sent + down[i]!.sent;
        cells.push({
          label: f.label,
          setting: f.setting,
          kind: f.kind,
          hz: f.hz,
          loss,
          oneWay: summarize([up[i]!, down[i]!]),
          up: summarize([up[i]!]),
          down: summarize([down[i]!]),
          wireBytesPerMessage: sent ? wire / sent : NaN,
          overhead: sent ? wire / sent / MESSAGE_BYTES : NaN,
          kbps: (wire * 8) / 1000 / cfg.seconds,
        });
      }
    }
    return { delayMs: cfg.delayMs, seconds: cfg.seconds, levels: cfg.levels, full: cfg.full, niced: prefix.length > 0, cells };
  } finally {
    cleanup();
    process.off('SIGINT', onSigint);
  }
}
