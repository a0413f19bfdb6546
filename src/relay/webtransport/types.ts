/** What the relay and its two WebTransport servers share. */
import type { DatagramTransport } from '../../core/transport.js';
import type { Refusal } from '../admission.js';

export const WT_PATH = '/kcp-web/wt';
/** HTTP/3 datagrams Chromium accepts here (maxDatagramSize was 1215), less room for the session id. */
export const WEBTRANSPORT_MTU = 1200;

/** How a WebTransport server asks the relay whether a session may open (token, ticket, caps): in process, or over HTTP for the helper. */
export interface AdmissionHook {
  check(credential: string | null, address: string): Refusal | null;
  url: string;
  secret: string;
}

export const WEBTRANSPORT_SERVERS = ['auto', 'node', 'go'] as const;
export type WebTransportServerChoice = (typeof WEBTRANSPORT_SERVERS)[number];

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


/** Called with each new session's transport; `bridgePort` names a Go-helper session's bridge socket. */
export type OnSession = (transport: DatagramTransport, bridgePort?: number) => void;

export type IngressResult = { ingress: WebTransportIngress | null; reason: string; skipped?: string };
