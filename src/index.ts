/**
 * kcp-web: kcp-go's KCP + FEC + packet crypto for browsers and Node.
 * This is the browser (and default) entry; Node resolves index.node.ts.
 */
import { dialWith, listenWith, type DialOptions, type ListenerOptions } from './api.js';
import { cipherByName } from './core/crypt/index.js';
import type { DatagramTransport } from './transports/transport.js';
import type { Session } from './core/session.js';
import type { Listener } from './core/listener.js';

export type { DialOptions, ListenOptions, ListenerOptions, CipherLookup } from './api.js';
export * as ciphers from './core/crypt/ciphers.js';

/** Opens a session to the peer at the other end of `transport` (kcp-go DialWithOptions); `crypt` may be any kcptun cipher name. */
export function dial(transport: DatagramTransport, options: DialOptions = {}): Session {
  return dialWith(cipherByName, transport, options);
}

/** Accepts sessions arriving on `transport` (kcp-go ServeConn); `crypt` may be any kcptun cipher name. */
export function listen(transport: DatagramTransport, options: ListenerOptions = {}): Listener {
  return listenWith(cipherByName, transport, options);
}
export * from './core/index.js';
export type { DatagramTransport } from './transports/transport.js';
export { connect, fetchRelayConfig, type ConnectOptions, type Connected, type RelayConfig, type TransportKind } from './transports/connect.js';
export { connectWebTransport, WebTransportDatagrams, type ConnectWebTransportOptions, type WebTransportLike } from './transports/webtransport.js';
export { connectWebSocket, WebSocketTransport, type WebSocketLike } from './transports/websocket.js';
export { connectWebRTC, DataChannelTransport, DATA_CHANNEL_INIT, WEBRTC_MTU, type ConnectWebRTCOptions, type DataChannelLike } from './transports/webrtc.js';
export { defaultRuntime } from './runtime.js';
