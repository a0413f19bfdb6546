/** Helpers for kcptun-style tunnel tests: a TCP echo, free ports, kcptun processes, sha256 transfers through kcp-web client / server. */
import { createServer, connect, type Server } from 'node:net';
import { createSocket } from 'node:dgram';
import { createHash, randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTunnelClient, type TunnelClient } from '../../src/cli/client.js';
import { startTunnelServer } from '../../src/cli/server.js';
import { parseTunnelFlags } from '../../src/cli/tunnel-flags.js';

export const hasKcptun = spawnSync('sh', ['-c', 'command -v kcptun-server && command -v kcptun-client'], { stdio: 'ignore' }).status === 0;

/** The stand-in for kcptun's last release, built from modules by scripts/setup.mjs. */
export const KCPTUN2026 = fileURLToPath(new URL('../../interop/bin/kcptun2026', import.meta.url));
export const hasKcptun2026 = existsSync(KCPTUN2026);

/** A TCP echo server that passes half-closes on (end after the peer's end). */
export async function startEcho(): Promise<{ port: number; server: Server }> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface KcptunProcess {
  child: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts a kcptun side (`kcptun-client`, `kcptun-server`, or a path such as
 * KCPTUN2026 with its subcommand first in `args`) and waits for its
 * "listening on:" log line.
 */
export async function startKcptun(bin: string, args: string[], startMs = 10_000): Promise<KcptunProcess> {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${bin} did not start in ${startMs} ms: ${log}`)), startMs);
    child.stderr!.on('data', (d: Buffer) => {
      log += d;
      if (/listening on:/.test(log)) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${bin} exited with ${code}: ${log}`));
    });
  });
  return {
    child,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** Sends `size` random bytes on each of `n` parallel TCP connections to `port` and checks the echo by sha256. */
export async function echoTransfers(port: number, n: number, size: number, timeoutMs = 120_000): Promise<Array<{ sent: string; received: string; bytes: number }>> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const data = randomBytes(size);
      const sent = createHash('sha256').update(data).digest('hex');
      const h = createHash('sha256');
      let bytes = 0;
      const sock = connect({ port, host: '127.0.0.1', noDelay: true });
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`echo timed out after ${bytes} of ${size} bytes`)), timeoutMs);
        sock.on('data', (d: Buffer) => {
          h.update(d);
          bytes += d.length;
          if (bytes >= size) {
            clearTimeout(t);
            sock.end();
            resolve();
          }
        });
        sock.on('error', (e) => {
          clearTimeout(t);
          reject(e);
        });
        sock.on('close', () => {
          clearTimeout(t);
          resolve();
        });
        sock.write(data);
      });
      sock.destroy();
      return { sent, received: h.digest('hex'), bytes };
    }),
  );
}

const quiet = (): void => {};

function assertEchoed(results: Array<{ sent: string; received: string; bytes: number }>, size: number): void {
  for (const r of results) {
    if (r.bytes !== size || r.received !== r.sent) throw new Error(`echo mismatch: ${r.bytes} of ${size} bytes, sha256 ${r.received} ≠ ${r.sent}`);
  }
}

/**
 * `kcp-web client` → a native server: `startServer(udpPort)` starts the
 * peer (forwarding to a TCP echo), then `conns` parallel TCP connections of
 * `size` bytes each go through kcp-web client and must come back with the
 * same sha256.
 */
export async function throughKcpWebClient(startServer: (udp: number) => Promise<KcptunProcess>, flags: string[], conns: number, size: number): Promise<void> {
  const udp = await freeUdpPort();
  const server = await startServer(udp);
  let client: TunnelClient | null = null;
  try {
    client = await startTunnelClient(parseTunnelFlags('client', ['-l', '127.0.0.1:0', '-r', `127.0.0.1:${udp}`, '--quiet', ...flags], '')!, quiet);
    assertEchoed(await echoTransfers(Number(client.address.split(':').pop()), conns, size), size);
  } finally {
    await client?.close();
    await server.stop();
  }
}

/**
 * A native client → `kcp-web server` forwarding to the echo on `echoPort`:
 * `startClient(tcpPort, udpPort)` starts the peer listening on `tcpPort`.
 */
export async function throughKcpWebServer(startClient: (tcp: number, udp: number) => Promise<KcptunProcess>, flags: string[], echoPort: number, conns: number, size: number): Promise<void> {
  const udp = await freeUdpPort();
  const tcp = await freeTcpPort();
  const server = await startTunnelServer(parseTunnelFlags('server', ['-l', `127.0.0.1:${udp}`, '-t', `127.0.0.1:${echoPort}`, '--quiet', ...flags], '')!, quiet);
  let client: KcptunProcess | null = null;
  try {
    client = await startClient(tcp, udp);
    assertEchoed(await echoTransfers(tcp, conns, size), size);
  } finally {
    await client?.stop();
    await server.close();
  }
}
