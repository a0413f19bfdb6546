/**
 * The relay's HTTP/3 WebTransport ingress. Which server carries it:
 *  - kcp-web-wt (webtransport-go/, built from Debian's quic-go by
 *    scripts/setup.mjs) when its binary is present: it hands each WebTransport
 *    session's datagrams to a local UDP bridge here, one source port per
 *    session, and this file turns each into a DatagramTransport for the relay;
 *  - otherwise WebTransport is off, and the reason is reported.
 * @fails-components/webtransport's native HTTP/3 server is the intended
 * Node-only carrier where its binding installs; it is not wired in yet
 * (its binding cannot be installed on these machines to test it).
 */
import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DatagramTransport } from '../transports/transport.js';
import { BaseTransport } from '../transports/_base.js';
import { formatHostPort } from '../transports/udp.js';

export const WT_PATH = '/kcp-web/wt';
/** HTTP/3 datagrams Chromium accepts here (maxDatagramSize was 1215), less room for the session id. */
export const WEBTRANSPORT_MTU = 1200;

export const HELPER_BINARY = fileURLToPath(new URL('../../webtransport-go/bin/kcp-web-wt', import.meta.url));

export interface WebTransportIngress {
  /** What the start-up line and /kcp-web/config report. */
  server: string;
  url: string;
  /** SHA-256 of the self-signed certificate, hex (for serverCertificateHashes). */
  certificateHash: string;
  close(): void;
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

/**
 * Starts the WebTransport ingress on UDP `host:port`; every new session is
 * handed to `onSession`. Resolves with null and a reason when no server for
 * it is available.
 */
export async function startWebTransportIngress(
  host: string,
  port: number,
  onSession: (t: DatagramTransport) => void,
  token?: string,
): Promise<{ ingress: WebTransportIngress | null; reason: string }> {
  if (!existsSync(HELPER_BINARY)) {
    return { ingress: null, reason: `no WebTransport server: ${HELPER_BINARY} is not built (scripts/setup.mjs builds it from Debian's quic-go)` };
  }
  const bridge = dgram.createSocket('udp4');
  await new Promise<void>((r) => bridge.bind(0, '127.0.0.1', r));
  const peers = new Map<string, BridgedTransport>();
  bridge.on('message', (msg, rinfo) => {
    // Only the helper on this host talks to the bridge.
    if (rinfo.address !== '127.0.0.1') return;
    const key = `${rinfo.address}:${rinfo.port}`;
    let t = peers.get(key);
    if (!t) {
      t = new BridgedTransport(bridge, rinfo.address, rinfo.port, () => peers.delete(key));
      peers.set(key, t);
      onSession(t);
    }
    t.arrive(msg);
  });
  bridge.on('error', () => {});

  const child: ChildProcess = spawn(HELPER_BINARY, ['--listen', formatHostPort(host, port), '--bridge', `127.0.0.1:${bridge.address().port}`, '--path', WT_PATH, ...(token !== undefined ? ['--token', token] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    const [addr, hash] = await new Promise<[string, string]>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('kcp-web-wt did not start in 10 s')), 10000);
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`kcp-web-wt exited with ${code}: ${stderr.trim()}`));
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /^ready (\S+) ([0-9a-f]{64})$/.exec(line);
        if (m) {
          clearTimeout(t);
          resolve([m[1]!, m[2]!]);
        }
      });
    });
    return {
      ingress: {
        server: 'quic-go helper (webtransport-go/kcp-web-wt)',
        url: `https://${addr}${WT_PATH}`,
        certificateHash: hash,
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
  }
}
