/**
 * kcp-web: kcp-go's KCP + FEC + packet crypto for browsers and Node.
 * This is the browser (and default) entry; Node resolves index.node.ts.
 */
export { dial, listen, type DialOptions, type ListenOptions, type ListenerOptions } from './api.js';
export * from './core/index.js';
export type { DatagramTransport } from './transports/transport.js';
export { connect, fetchRelayConfig, type ConnectOptions, type Connected, type RelayConfig, type TransportKind } from './transports/connect.js';
export { connectWebTransport, WebTransportDatagrams, type ConnectWebTransportOptions, type WebTransportLike } from './transports/webtransport.js';
export { connectWebSocket, WebSocketTransport, type WebSocketLike } from './transports/websocket.js';
export { connectWebRTC, DataChannelTransport, DATA_CHANNEL_INIT, WEBRTC_MTU, type ConnectWebRTCOptions, type DataChannelLike } from './transports/webrtc.js';
export { defaultRuntime } from './runtime.js';
