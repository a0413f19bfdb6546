/**
 * The Node-only WebTransport server: @fails-components/webtransport's
 * Http3Server (libquiche) inside the relay process, used when its HTTP/3
 * binding is installed. Each session's datagrams become a
 * WebTransportDatagrams transport — the same class a browser page uses — so
 * the relay forwards them exactly as it forwards the Go helper's.
 */
import { randomBytes } from 'node:crypto';
import { loadFailsWebTransport, type FailsServerSession } from '../../adapter/node/webtransport.js';
import { WebTransportDatagrams } from '../../transports/webtransport.js';
import { selfSignedCertificate, type Certificate } from '../certificate.js';
import type { AdmissionHook, IngressResult, OnSession } from './types.js';

/** The ?token= of the session's CONNECT request: the relay routes the session by it, as the request callback admitted it. */
function credentialOf(session: FailsServerSession): string | null {
  try {
    return new URL(session.header?.[':path'] ?? '/', 'https://relay').searchParams.get('token');
  } catch {
    return null;
  }
}

export async function startNodeWebTransport(
  host: string,
  port: number,
  path: string,
  mtu: number,
  onSession: OnSession,
  admission?: AdmissionHook,
  given?: Certificate,
): Promise<IngressResult> {
  const lib = await loadFailsWebTransport();
  if ('reason' in lib) return { ingress: null, reason: lib.reason };
  const cert = given ?? await selfSignedCertificate([host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, 'localhost']);
  const server = new lib.Http3Server({ port, host, secret: randomBytes(16).toString('hex'), cert: cert.certPem, privKey: cert.keyPem });
  // Every session request passes here first: the relay's admission (token,
  // ticket, caps) runs before the session, and so any upstream UDP socket,
  // exists; the query is stripped so sessions reach the one path stream below.
  server.setRequestCallback(async ({ header }) => {
    let url: URL;
    try {
      url = new URL(header[':path'] ?? '/', 'https://relay');
    } catch {
      return { status: 400 };
    }
    if (url.pathname !== path) return { status: 404 };
    // Resume credentials are bound to the client's IP, which this server does not tell: the page moves on to its next transport.
    if (url.searchParams.has('resume') || url.searchParams.has('claim')) return { status: 501 };
    const verdict = admission?.admit(url.searchParams.get('token'), '');
    if (verdict && 'refusal' in verdict) return { status: verdict.refusal[0] };
    return { status: 200, path };
  });
  const sessions = server.sessionStream(path);
  server.startServer();
  try {
    await server.ready;
  } catch (e) {
    return { ingress: null, reason: `its HTTP/3 server did not start on ${host}:${port}: ${(e as Error).message}` };
  }
  const open = new Set<FailsServerSession>();
  void (async () => {
    const reader = sessions.getReader();
    for (;;) {
      const { value: session, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done || !session) return;
      open.add(session);
      session.closed.finally(() => open.delete(session)).catch(() => {});
      session.ready.then(
        () => onSession(new WebTransportDatagrams(session, mtu), { credential: credentialOf(session) }),
        () => open.delete(session),
      );
    }
  })();
  const addr = server.address();
  const hosts = [host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, 'localhost'];
  let next: Certificate | undefined;
  return {
    ingress: {
      server: '@fails-components/webtransport (HTTP/3 in Node)',
      url: `https://${addr?.host ?? host}:${addr?.port ?? port}${path}`,
      certificateHash: cert.pinnableHash,
      // A reload in place (updateCert): sessions already open keep going.
      ...(given ? {} : {
        rotation: {
          async prepareNext() {
            next = await selfSignedCertificate(hosts);
            return next.sha256;
          },
          async promote() {
            if (!next) throw new Error('no next certificate');
            server.updateCert(next.certPem, next.keyPem);
            const hash = next.sha256;
            next = undefined;
            return hash;
          },
        },
      }),
      close() {
        for (const s of open) {
          try {
            s.close();
          } catch {
            /* closed */
          }
        }
        server.stopServer();
      },
    },
    reason: '',
  };
}
