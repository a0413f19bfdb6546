/** Helpers for kcptun-style tunnel tests: a TCP echo, free ports, kcptun processes, sha256 transfers. */
import { createServer, connect, type Server } from 'node:net';
import { createSocket } from 'node:dgram';
import { createHash, randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const hasKcptun = spawnSync('sh', ['-c', 'command -v kcptun-server && command -v kcptun-client'], { stdio: 'ignore' }).status === 0;

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

/** Starts kcptun-client or kcptun-server and waits for its "listening on:" log line. */
export async function startKcptun(bin: 'kcptun-client' | 'kcptun-server', args: string[]): Promise<{ child: ChildProcess; log: () => string; stop: () => Promise<void> }> {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${bin} did not start: ${log}`)), 10_000);
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
