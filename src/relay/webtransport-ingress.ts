/**
 * The relay's HTTP/3 WebTransport ingress. Which server carries it ('auto'
 * takes the first that starts, in this order):
 *  - 'node': @fails-components/webtransport's Http3Server in this process
 *    (webtransport-node.ts), when its optional HTTP/3 binding is installed —
 *    nothing else to run, so a user would rather have it;
 *  - 'go': kcp-web-wt (webtransport-go/, built from Debian's quic-go by
 *    scripts/setup.mjs) when its binary is present: it hands each WebTransport
 *    session's datagrams to a local UDP bridge here, one source port per
 *    session, and this file turns each into a DatagramTransport for the relay;
 *  - otherwise WebTransport is off, and the reasons are reported.
 * Either way the page's datagrams reach the relay's forward() unchanged.
 */
import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DatagramTransport } from '../transports/transport.js';
import { BaseTransport } from '../transports/_base.js';
import { formatHostPort } from '../transports/udp.js';
import { startNodeWebTransport } from './webtransport-node.js';
import { certificateFromPem, type Certificate } from './certificate.js';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WT_PATH = '/kcp-web/wt';
/** HTTP/3 datagrams Chromium accepts here (maxDatagramSize was 1215), less room for the session id. */
export const WEBTRANSPORT_MTU = 1200;

/** How a WebTransport server asks the relay whether a session may open (token, ticket, caps): in process, or over HTTP for the helper. */
export interface Admission {
  check(credential: string | null, address: string): [number, string] | null;
  url: string;
  secret: string;
}

export const WEBTRANSPORT_SERVERS = ['auto', 'node', 'go'] as const;
export type WebTransportServerChoice = (typeof WEBTRANSPORT_SERVERS)[number];

export const HELPER_BINARY = fileURLToPath(new URL('../../webtransport-go/bin/kcp-web-wt', import.meta.url));

export interface WebTransportIngress {
  /** What the start-up line and /kcp-web/config report. */
  server: string;
  url: string;
  /**
   * SHA-256 of the certificate, hex, for the page's serverCertificateHashes;
   * undefined for a certificate valid over 14 days (browsers pin only short ones: the page verifies it as usual).
   */
  certificateHash: string | undefined;
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
 * handed to `onSession`. Resolves with null and the reasons when no server
 * for it is available; `skipped` says why 'auto' passed over the Node server.
 */
export async function startWebTransportIngress(
  host: string,
  port: number,
  onSession: (t: DatagramTransport, bridgePort?: number) => void,
  admission?: Admission,
  choice: WebTransportServerChoice = 'auto',
  certificate?: { certPem: string; keyPem: string },
): Promise<{ ingress: WebTransportIngress | null; reason: string; skipped?: string }> {
  let skipped: string | undefined;
  const cert = certificate ? certificateFromPem(certificate.certPem, certificate.keyPem) : undefined;
  if (choice !== 'go') {
    const node = await startNodeWebTransport(host, port, WT_PATH, WEBTRANSPORT_MTU, onSession, admission, cert);
    if (node.ingress || choice === 'node') return { ...node, reason: node.reason && `@fails-components/webtransport: ${node.reason}` };
    skipped = `@fails-components/webtransport not used: ${node.reason}`;
  }
  const go = await startGoHelper(host, port, onSession, admission, cert);
  return { ...go, ...(skipped ? { skipped, reason: go.reason && `${go.reason}; ${skipped}` } : {}) };
}

async function startGoHelper(
  host: string,
  port: number,
  onSession: (t: DatagramTransport, bridgePort?: number) => void,
  admission?: Admission,
  cert?: Certificate,
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
      onSession(t, rinfo.port);
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
  const child: ChildProcess = spawn(HELPER_BINARY, ['--listen', formatHostPort(host, port), '--bridge', `127.0.0.1:${bridge.address().port}`, '--path', WT_PATH, '--exit-with-stdin', ...certArgs, ...(admission ? ['--auth', admission.url, '--auth-secret', admission.secret] : [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
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
        certificateHash: cert ? cert.pinnableHash : hash,
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
