/**
 * WebTransport in Node through @fails-components/webtransport, an optional
 * dependency: its HTTP/3 carrier is a native binding
 * (@fails-components/webtransport-transport-http3-quiche) whose install
 * fetches a prebuilt binary, or its sources, from github.com. Where that
 * failed (no internet, no prebuilt for the platform) both the client and
 * the server are unavailable, and `loadFailsWebTransport` says why instead
 * of letting the library print its own errors at import time.
 */
import type { WebTransportConstructor, WebTransportLike } from '../../transports/webtransport.js';

export const FAILS_PACKAGE = '@fails-components/webtransport';
export const FAILS_BINDING = '@fails-components/webtransport-transport-http3-quiche';

/** What kcp-web uses of the library's HTTP/3 server (see its lib/server.js). */
export interface FailsHttp3Server {
  startServer(): void;
  stopServer(): void;
  ready: Promise<void>;
  address(): { port: number; host: string } | null;
  sessionStream(path: string): ReadableStream<FailsServerSession>;
  /** Serves a new certificate to new connections. */
  updateCert(cert: string, privKey: string): void;
  setRequestCallback(cb: (args: { header: Record<string, string> }) => Promise<{ status: number; path?: string; header?: Record<string, string> }>): void;
}

export interface FailsServerSession extends WebTransportLike {
  close(info?: { closeCode?: number; reason?: string }): void;
  /** The CONNECT request's headers (':path' with its query). */
  header?: Record<string, string>;
}

export interface FailsWebTransport {
  WebTransport: WebTransportConstructor;
  Http3Server: new (init: { port: number; host: string; secret: string; cert: string; privKey: string; defaultDatagramsReadableMode?: 'bytes' }) => FailsHttp3Server;
}

let loading: Promise<FailsWebTransport | { reason: string }> | undefined;

/** The library with a working HTTP/3 binding, or the reason it is not usable here. */
export function loadFailsWebTransport(): Promise<FailsWebTransport | { reason: string }> {
  loading ??= (async () => {
    try {
      import.meta.resolve(FAILS_PACKAGE);
    } catch {
      return { reason: `${FAILS_PACKAGE} is not installed (npm install ${FAILS_PACKAGE} ${FAILS_BINDING})` };
    }
    try {
      import.meta.resolve(FAILS_BINDING);
    } catch {
      return { reason: `its HTTP/3 binding ${FAILS_BINDING} is not installed (its install downloads a prebuilt binary or the sources from github.com)` };
    }
    try {
      // Both are optional: computed specifiers keep bundlers and tsc from requiring them.
      const lib = (await import(FAILS_PACKAGE)) as FailsWebTransport & { quicheLoaded: Promise<unknown> };
      await lib.quicheLoaded;
      return lib;
    } catch (e) {
      return { reason: `${FAILS_BINDING} failed to load: ${(e as Error).message}` };
    }
  })();
  return loading;
}

/** The WebTransport client constructor for Node, or an error saying what to install. */
export async function nodeWebTransport(): Promise<WebTransportConstructor> {
  const lib = await loadFailsWebTransport();
  if ('reason' in lib) throw new Error(`no WebTransport in Node: ${lib.reason}`);
  return lib.WebTransport;
}
