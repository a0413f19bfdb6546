/**
 * The Go WebTransport server: kcp-web-wt (webtransport-go/), a quic-go
 * helper process. It hands each WebTransport session's datagrams to a local
 * UDP bridge here, one source port per session, and this file turns each
 * into a DatagramTransport for the relay.
 */
import dgram from 'node:dgram';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BaseTransport } from '../../transports/_base.js';
import { formatHostPort, raiseBuffers } from '../../transports/udp.js';
import type { Certificate } from '../certificate.js';
import { WEBTRANSPORT_MTU, WT_PATH, type AdmissionHook, type IngressResult, type OnSession } from './types.js';

/** The helper's sources, which the package carries, and its binary, built from them on first use. */
const HELPER_SOURCES = fileURLToPath(new URL('../../../webtransport-go/', import.meta.url));
export const HELPER_BINARY = join(HELPER_SOURCES, 'bin', 'kcp-web-wt');

const GOOS: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin', win32: 'windows', freebsd: 'freebsd' };

/**
 * The npm package that carries the helper prebuilt for this platform, as
 * esbuild ships its binary: one package per os/cpu (package.json `os`,
 * `cpu`), all optional dependencies of kcp-web, so npm installs only the
 * one that fits. Named by Node's platform and arch: @kcp-web/wt-linux-x64.
 */
export const HELPER_PACKAGE = `@kcp-web/wt-${process.platform}-${process.arch}`;

/** Names the helper binary to run, overriding the search (also how a relay run from the CLI's cache finds the package). */
export const HELPER_BINARY_ENV = 'KCP_WEB_WT_BINARY';

/** The helper binary inside HELPER_PACKAGE, if that package is installed. */
export function packagedHelper(): string | null {
  if (!GOOS[process.platform]) return null;
  try {
    const dir = fileURLToPath(new URL('.', import.meta.resolve(`${HELPER_PACKAGE}/package.json`)));
    const bin = join(dir, 'bin', process.platform === 'win32' ? 'kcp-web-wt.exe' : 'kcp-web-wt');
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/**
 * Where the helper comes from, in this order: the prebuilt package for this
 * platform; the binary built from the sources (scripts/setup.mjs, or a
 * previous first use); a build now, when Go is installed. Either the
 * binary and how it was found, or why there is none.
 */
function findHelper(): { binary: string; from: string } | { missing: string } {
  const named = process.env[HELPER_BINARY_ENV];
  if (named) return existsSync(named) ? { binary: named, from: named.includes(`${HELPER_PACKAGE}/`) ? HELPER_PACKAGE : `${HELPER_BINARY_ENV}=${named}` } : { missing: `${HELPER_BINARY_ENV}=${named} does not exist` };
  const packaged = packagedHelper();
  if (packaged) return { binary: packaged, from: HELPER_PACKAGE };
  const local = { binary: HELPER_BINARY, from: 'webtransport-go/bin/kcp-web-wt, built from its sources' };
  if (existsSync(HELPER_BINARY)) return local;
  const missing = buildHelper();
  return missing ? { missing: `${HELPER_PACKAGE} is not installed, and ${missing}` } : local;
}

/** Builds the helper if it is not built yet and Go is installed; the reason it is unavailable, or null. */
function buildHelper(): string | null {
  if (existsSync(HELPER_BINARY)) return null;
  if (!existsSync(join(HELPER_SOURCES, 'go.mod'))) return `${HELPER_SOURCES} is missing`;
  console.error(`kcp-web relay: building the WebTransport helper once (go build in ${HELPER_SOURCES})`);
  const go = spawnSync('go', ['build', '-o', HELPER_BINARY, '.'], { cwd: HELPER_SOURCES, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (go.error) return `${HELPER_BINARY} is not built and Go (≥ 1.24) is not installed to build it`;
  if (go.status !== 0) return `go build of ${HELPER_SOURCES} failed: ${go.stderr.trim().split('\n').slice(-3).join(' ')}`;
  return null;
}

class BridgedTransport extends BaseTransport {
  readonly mtu = WEBTRANSPORT_MTU;
  constructor(
    private readonly bridge: dgram.Socket,
    private readonly address: string,
    private readonly port: number,
    private readonly onClose: () => void,
  ) {
    super();
  }
  send(d: Uint8Array): void {
    if (!this.closed) this.bridge.send(d, this.port, this.address);
  }
  /** A datagram from the helper for this session. */
  arrive(d: Uint8Array): void {
    this.deliver(d, 'peer');
  }
  protected release(): void {
    this.onClose();
  }
}

export async function startGoHelper(
  host: string,
  port: number,
  onSession: OnSession,
  admission?: AdmissionHook,
  cert?: Certificate,
): Promise<IngressResult> {
  const helper = findHelper();
  if ('missing' in helper) return { ingress: null, reason: `no WebTransport server: ${helper.missing}` };
  const bridge = dgram.createSocket('udp4');
  await new Promise<void>((r) => bridge.bind(0, '127.0.0.1', r));
  // Every session's datagrams arrive on this one socket.
  raiseBuffers(bridge);
  const peers = new Map<string, BridgedTransport>();
  bridge.on('message', (msg, rinfo) => {
    // Only the helper on this host talks to the bridge.
    if (rinfo.address !== '127.0.0.1') return;
    const key = `${rinfo.address}:${rinfo.port}`;
    let t = peers.get(key);
    if (!t) {
      t = new BridgedTransport(bridge, rinfo.address, rinfo.port, () => peers.delete(key));
      peers.set(key, t);
      onSession(t, { bridgePort: rinfo.port });
    }
    t.arrive(msg);
  });
  bridge.on('error', () => {});

  // The helper reads a given certificate from files, removed once it has started.
  const certDir = cert ? mkdtempSync(join(tmpdir(), 'kcp-web-wt-')) : undefined;
  if (cert && certDir) {
    writeFileSync(join(certDir, 'cert.pem'), cert.certPem);
    writeFileSync(join(certDir, 'key.pem'), cert.keyPem, { mode: 0o600 });
  }
  const certArgs = certDir ? ['--cert', join(certDir, 'cert.pem'), '--key', join(certDir, 'key.pem')] : [];
  // --exit-with-stdin: the helper ends when this process does, however it ends (its stdin pipe closes).
  const child: ChildProcess = spawn(helper.binary, ['--listen', formatHostPort(host, port), '--bridge', `127.0.0.1:${bridge.address().port}`, '--path', WT_PATH, '--exit-with-stdin', ...certArgs, ...(admission ? ['--auth', admission.url, '--auth-secret', admission.secret] : [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // One Go thread unless the operator says otherwise: each datagram passes several goroutines (socket
    // reader, QUIC connection, bridge), and on one thread those hand-offs are not wake-ups of other
    // threads. It halves the helper's CPU per datagram at 1000 sessions; a relay is one Node thread
    // anyway, and more relays (docs/deploy.md) are how a host uses more cores.
    env: { ...process.env, GOMAXPROCS: process.env.GOMAXPROCS ?? '1' },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    /** Answers to our stdin commands (next, promote), in order. */
    const answers: Array<(line: string) => void> = [];
    const lines = createInterface({ input: child.stdout! });
    const [addr, hash] = await new Promise<[string, string]>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('kcp-web-wt did not start in 10 s')), 10000);
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`kcp-web-wt exited with ${code}: ${stderr.trim()}`));
      });
      lines.on('line', (line) => {
        const m = /^ready (\S+) ([0-9a-f]{64})$/.exec(line);
        if (m) {
          clearTimeout(t);
          resolve([m[1]!, m[2]!]);
        } else if (/^(next|current|error) /.test(line)) answers.shift()?.(line);
      });
    });
    child.stdin!.on('error', () => {});
    child.once('exit', () => {
      for (const answer of answers.splice(0)) answer('error kcp-web-wt exited');
    });
    /** Sends a rotation command; resolves with the hash the helper answers. */
    const command = (cmd: 'next' | 'promote') =>
      new Promise<string>((resolve, reject) => {
        answers.push((line) => {
          const m = /^(?:next|current) ([0-9a-f]{64})$/.exec(line);
          if (m) resolve(m[1]!);
          else reject(new Error(`kcp-web-wt ${cmd}: ${line}`));
        });
        child.stdin!.write(`${cmd}\n`);
      });
    return {
      ingress: {
        server: `quic-go helper (${helper.from})`,
        url: `https://${addr}${WT_PATH}`,
        certificateHash: cert ? cert.pinnableHash : hash,
        // The helper reloads in place (no restart): open sessions keep going.
        ...(cert ? {} : { rotation: { prepareNext: () => command('next'), promote: () => command('promote') } }),
        close() {
          child.kill('SIGTERM');
          for (const p of [...peers.values()]) p.close();
          bridge.close();
        },
      },
      reason: '',
    };
  } catch (e) {
    child.kill('SIGKILL');
    bridge.close();
    return { ingress: null, reason: (e as Error).message };
  } finally {
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  }
}
