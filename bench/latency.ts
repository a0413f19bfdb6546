/**
 * p50/p99 message round-trip time at 0/5/10% packet loss: KCP (kcp-web,
 * fast3, FEC off and 10/3) against a WebSocket over TCP, on the same link at
 * the same time. The link: loopback inside a network namespace this bench
 * creates, with random loss applied by nftables to every packet, UDP and TCP
 * alike, in the kernel (so TCP really retransmits). netem is not available
 * on these machines ("Specified qdisc kind is unknown"), so the link has no
 * added delay: RTTs are loopback RTTs plus recovery. Needs root, ip and nft;
 * otherwise it returns null with the reason. The namespace is always removed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from '../test/helpers/kcppeer.js';

export interface LatencyRow {
  loss: number;
  kcp: { p50: number; p99: number; max: number; sent: number; missing: number };
  kcpFec: LatencyRow['kcp'];
  ws: LatencyRow['kcp'];
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

function nftLoss(ns: string, percent: number): void {
  sh('ip', ['netns', 'exec', ns, 'nft', 'flush', 'ruleset']);
  if (percent <= 0) return;
  sh('ip', ['netns', 'exec', ns, 'nft', 'add', 'table', 'inet', 'lossy']);
  sh('ip', ['netns', 'exec', ns, 'nft', 'add', 'chain', 'inet', 'lossy', 'in', '{ type filter hook input priority 0; }']);
  sh('ip', ['netns', 'exec', ns, 'nft', 'add', 'rule', 'inet', 'lossy', 'in', 'numgen', 'random', 'mod', '100', '<', String(percent), 'drop']);
}

export async function latencyLevels(levels: number[], seconds: number, progress: (m: string) => void): Promise<{ rows: LatencyRow[] } | { skipped: string }> {
  if (process.getuid?.() !== 0) return { skipped: 'needs root for a network namespace' };
  for (const tool of ['ip', 'nft']) {
    try {
      sh('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return { skipped: `${tool} not installed (apt-get install iproute2 nftables)` };
    }
  }
  const ns = `kcpweb-lat-${process.pid}`;
  try {
    sh('ip', ['netns', 'add', ns]);
  } catch (e) {
    return { skipped: `cannot create a network namespace: ${(e as Error).message.split('\n')[0]}` };
  }
  const cleanup = () => {
    try {
      sh('ip', ['netns', 'del', ns]);
    } catch {
      /* gone */
    }
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const server = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', `${ROOT}bench/latency-server.ts`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    const addrs = await new Promise<string>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`latency server exited with ${code}`)));
      createInterface({ input: server.stdout! }).once('line', resolve);
    });
    const rows: LatencyRow[] = [];
    for (const loss of levels) {
      nftLoss(ns, loss);
      progress(`latency: ${loss}% loss each packet, ${seconds} s of 64-byte messages every 20 ms, KCP and WebSocket at once`);
      const out = sh('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', `${ROOT}bench/latency-client.ts`, addrs, String(seconds)]);
      rows.push({ loss, ...(JSON.parse(out.trim().split('\n').at(-1)!) as Omit<LatencyRow, 'loss'>) });
    }
    return { rows };
  } finally {
    server.kill('SIGKILL');
    cleanup();
  }
}
