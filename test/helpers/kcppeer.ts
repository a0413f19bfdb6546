/**
 * Runs the real kcp-go peer (interop/kcppeer, built by scripts/setup.mjs from
 * the Go module proxy) as a child process: the newest kcp-go (KCPPEER) or
 * v5.6.1 (KCPPEER_V561).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const KCPPEER = `${ROOT}interop/bin/kcppeer`;
export const hasKcpPeer = existsSync(KCPPEER);
export const KCPPEER_V561 = `${ROOT}interop/bin/kcppeer-v5.6.1`;
export const hasKcpPeerV561 = existsSync(KCPPEER_V561);

/**
 * Builds the Go program in `dir` (its dependencies pinned by its go.mod and
 * go.sum, through the Go module proxy) into `binary`, when the binary is
 * missing or older than any of its sources; throws with go build's last lines.
 */
export function buildGo(dir: string, binary: string): void {
  const sources = readdirSync(dir).filter((f) => /\.(go|mod|sum)$/.test(f));
  const newest = Math.max(...sources.map((f) => statSync(join(dir, f)).mtimeMs));
  if (existsSync(binary) && statSync(binary).mtimeMs >= newest) return;
  try {
    execFileSync('go', ['build', '-o', binary, '.'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`go build in ${dir} failed: ${stderr.split('\n').slice(-3).join(' ') || (e as Error).message}`);
  }
}

/** Stops an echo server with SIGTERM and returns the SNMP counters it prints on the way out. */
export async function stopWithCounters(server: ServerProcess): Promise<Record<string, number>> {
  return (await stopWithReport(server)).snmp;
}

/** Stops an echo server with SIGTERM: its SNMP counters and how many sessions its listener accepted (-1 if it did not say). */
export async function stopWithReport(server: ServerProcess): Promise<{ snmp: Record<string, number>; sessions: number }> {
  const out: string[] = [];
  createInterface({ input: server.child.stdout! }).on('line', (l) => out.push(l));
  // 'close', not 'exit': the last line can still be in the pipe when 'exit' fires.
  const closed = new Promise((r) => server.child.once('close', r));
  server.child.kill('SIGTERM');
  await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
  server.stop();
  const line = out.find((l) => l.startsWith('{"s'));
  const report = line ? (JSON.parse(line) as { snmp?: Record<string, number>; sessions?: number }) : {};
  return { snmp: report.snmp ?? {}, sessions: report.sessions ?? -1 };
}

export interface ServerProcess {
  address: string;
  child: ChildProcess;
  stop(): void;
}

/** Starts a server process and waits for its first line matching `ready` (the address is group 1). */
export async function startServer(cmd: string, args: string[], ready: RegExp, timeoutMs = 15000): Promise<ServerProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout! });
  const address = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${cmd} did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${cmd} exited with ${code} before it was ready: ${stderr}`));
    });
    lines.on('line', (line) => {
      const m = ready.exec(line);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
  return {
    address,
    child,
    stop: () => {
      child.kill('SIGKILL');
    },
  };
}

/** kcp-go's echo server, with kcptun-style flags. */
export function startGoEcho(flags: string[], bin = KCPPEER): Promise<ServerProcess> {
  return startServer(bin, ['echo', '--listen', '127.0.0.1:0', ...flags], /^listening (\S+)/);
}

/** kcp-web's own CLI echo server (bin/kcp-web.js, the compiled CLI). */
export function startKcpWebEcho(flags: string[]): Promise<ServerProcess> {
  return startServer(process.execPath, [`${ROOT}bin/kcp-web.js`, 'echo', '--listen', '127.0.0.1:0', ...flags], /listening on (\S+)/);
}

export interface GoClientResult {
  bytes: number;
  received: number;
  sha256Sent: string;
  sha256Recv: string;
  ms: number;
  ok: boolean;
  error?: string;
  snmp: Record<string, number>;
}

/** kcp-go's client: sends `bytes` random bytes to `remote`, reads the echo, reports sha256 of both. */
export function runGoClient(remote: string, bytes: number, flags: string[], timeoutMs: number, bin = KCPPEER): Promise<GoClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['client', '--remote', remote, '--bytes', String(bytes), '--timeout', `${timeoutMs}ms`, ...flags], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out) as GoClientResult);
      } catch {
        reject(new Error(`kcppeer client printed no result: ${out} ${err}`));
      }
    });
  });
}
