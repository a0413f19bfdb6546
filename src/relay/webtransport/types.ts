/** What the relay and its two WebTransport servers share. */
import type { DatagramTransport } from '../../core/transport.js';
import type { Verdict } from '../admission.js';

export const WT_PATH = '/kcp-web/wt';
/** HTTP/3 datagrams Chromium accepts here (maxDatagramSize was 1215), less room for the session id. */
export const WEBTRANSPORT_MTU = 1200;

/** How a WebTransport server asks the relay whether a session may open (token, ticket, upstream, caps): in process, or over HTTP for the helper. */
export interface AdmissionHook {
  admit(credential: string | null, address: string): Verdict;
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
  /** Present when the server made its own certificate: the relay rotates it (rotation.ts). */
  rotation?: CertificateSwap;
  close(): void;
}

/** How a WebTransport server changes its self-signed certificate without a restart. */
export interface CertificateSwap {
  /** Makes the next certificate (not served yet); resolves with its SHA-256, hex. */
  prepareNext(): Promise<string>;
  /** Serves the next certificate to new connections from now on (open ones keep theirs); resolves with its SHA-256. */
  promote(): Promise<string>;
}


/**
 * Called with each new session's transport and what identifies its
 * admission: a Go-helper session's bridge socket port, or the credential an
 * in-process session presented.
 */
export type OnSession = (transport: DatagramTransport, from: { bridgePort: number } | { credential: string | null }) => void;

export type IngressResult = { ingress: WebTransportIngress | null; reason: string; skipped?: string };
