/**
 * The relay's HTTP/3 WebTransport ingress. Which server carries it ('auto'
 * takes the first that starts, in this order):
 *  - 'node': @fails-components/webtransport's Http3Server in this process
 *    (node.ts), when its optional HTTP/3 binding is installed — nothing else
 *    to run, so a user would rather have it;
 *  - 'go': the kcp-web-wt helper (go.ts) when its binary is built;
 *  - otherwise WebTransport is off, and the reasons are reported.
 * Either way the page's datagrams reach the relay's forwarder unchanged.
 */
import { certificateFromPem } from '../certificate.js';
import { startGoHelper } from './go.js';
import { startNodeWebTransport } from './node.js';
import { WEBTRANSPORT_MTU, WT_PATH, type AdmissionHook, type IngressResult, type OnSession, type WebTransportServerChoice } from './types.js';

export { WEBTRANSPORT_MTU, WEBTRANSPORT_SERVERS, WT_PATH, type OnSession, type WebTransportIngress, type WebTransportServerChoice } from './types.js';

/**
 * Starts the WebTransport ingress on UDP `host:port`; every new session is
 * handed to `onSession`. Resolves with null and the reasons when no server
 * for it is available; `skipped` says why 'auto' passed over the Node server.
 */
export async function startWebTransportIngress(
  host: string,
  port: number,
  onSession: OnSession,
  admission?: AdmissionHook,
  choice: WebTransportServerChoice = 'auto',
  certificate?: { certPem: string; keyPem: string },
): Promise<IngressResult> {
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

