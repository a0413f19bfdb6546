/**
 * The Node entry: the browser entry's API with node:crypto as the cipher
 * backend, plus UDP (dialUdp, listenUdp), and connect() through Node's
 * WebTransport (when its optional binding is installed) or werift's WebRTC.
 */
import { cipherByName } from './core/crypt/index.js';
import { endpoint, type DialOptions, type Endpoint, type ListenOptions } from './endpoint.js';
import { nodeCipherBackend } from './adapter/node/crypt.js';
import { nodeWebTransport } from './adapter/node/webtransport.js';
import type { Session } from './core/session.js';
import type { Listener } from './core/listener.js';
import { connect as connectAny, type ConnectOptions, type Connected, type ResilienceOptions } from './transports/connect.js';
import type { ResilientTransport } from './transports/resilient.js';
import { isLoopbackHost, udpConnect, udpListen, type UdpOptions } from './transports/udp.js';
import type { WebTransportConstructor } from './transports/webtransport.js';

export * from './public.js';
export { udpConnect, udpListen, parseHostPort, type UdpOptions } from './transports/udp.js';
export { nodeCipherBackend } from './adapter/node/crypt.js';
export { nodeWebTransport } from './adapter/node/webtransport.js';
export { smuxStreamToDuplex } from './smux/node.js';

const kcp = endpoint(cipherByName, { cipherBackend: nodeCipherBackend });
/** Opens a session to the peer at the other end of `transport` (kcp-go DialWithOptions); ciphers run on node:crypto where it has them. */
export const dial: Endpoint['dial'] = kcp.dial;
/** Accepts sessions arriving on `transport` (kcp-go ServeConn); ciphers run on node:crypto where it has them. */
export const listen: Endpoint['listen'] = kcp.listen;

/** Dials a kcp-go (or kcp-web) server over UDP: `await dialUdp('127.0.0.1:29900', { key: 'secret' })`. */
export async function dialUdp(remote: string, options: DialOptions & { udp?: UdpOptions } = {}): Promise<Session> {
  const { udp, ...rest } = options;
  const transport = await udpConnect(remote, udp);
  try {
    return dial(transport, rest);
  } catch (e) {
    transport.close();
    throw e;
  }
}

/** Listens for KCP sessions on a UDP address ("host:port", port 0 picks one). */
export async function listenUdp(address: string, options: ListenOptions & { udp?: UdpOptions } = {}): Promise<Listener & { address: string }> {
  const { udp, ...rest } = options;
  const transport = await udpListen(address, udp);
  try {
    return Object.assign(listen(transport, rest), { address: transport.localAddress });
  } catch (e) {
    transport.close();
    throw e;
  }
}

/**
 * `connect(relayUrl)` for Node: WebTransport through @fails-components/webtransport
 * when its HTTP/3 binding is installed, else a WebRTC data channel through
 * werift — the same relay, the same datagrams as a browser's.
 */
export function connect(relayUrl: string, options: ConnectOptions & { resilient: true | ResilienceOptions }): Promise<Connected<ResilientTransport>>;
export function connect(relayUrl: string, options?: ConnectOptions): Promise<Connected>;
export async function connect(relayUrl: string, options: ConnectOptions = {}): Promise<Connected> {
  let WebTransport = options.WebTransport;
  if (!WebTransport) {
    WebTransport = await nodeWebTransport().catch((e: Error): WebTransportConstructor => {
      // Construction fails with the reason, so connect() reports it among its fallbacks.
      return class {
        constructor() {
          throw e;
        }
      } as unknown as WebTransportConstructor;
    });
  }
  let createPeerConnection = options.createPeerConnection;
  let toMessage = options.toMessage;
  if (!createPeerConnection) {
    const { weriftPeerConnections, weriftMessage } = await import('./adapter/node/werift.js');
    const make = await weriftPeerConnections();
    const loopback = isLoopbackHost(new URL(relayUrl).hostname);
    createPeerConnection = () => make(loopback ? { hostAddresses: ['127.0.0.1'] } : {});
    toMessage ??= weriftMessage;
  }
  return connectAny(relayUrl, { ...options, WebTransport, createPeerConnection, ...(toMessage ? { toMessage } : {}) });
}
