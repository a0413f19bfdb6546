/**
 * What every entry exports besides its dial and listen: the session and
 * listener, their options and counters, the transports and the runtime
 * interface. Nothing here is internal: kcp-web's own building blocks (Kcp,
 * FEC, packet sealing) stay out of the public API.
 */
export type { DialOptions, ListenOptions, EndpointOptions, Endpoint } from './endpoint.js';
export { Session, SessionClosedError } from './core/session.js';
export { Listener } from './core/listener.js';
export { Snmp, DefaultSnmp, SNMP_FIELDS, type SnmpField } from './core/snmp.js';
export { MODES, IDLE_CLOCKS, OptionError, type Mode, type IdleClock, type SessionOptions } from './core/options.js';
export { CRYPT_NAMES, type Aead, type BlockCrypt, type Checksum, type CipherBackend, type CryptName } from './core/crypt/types.js';
export type { Cipher } from './core/crypt/ciphers.js';
export type { Runtime } from './core/runtime.js';
export type { DatagramTransport } from './core/transport.js';
export { defaultRuntime, type DefaultRuntimeOptions, type TimerSource } from './default-runtime.js';
export { connect, fetchRelayConfig, type ConnectOptions, type Connected, type RelayConfig, type ResilienceOptions, type TransportKind } from './transports/connect.js';
export { ResilientTransport, TransportChangeEvent } from './transports/resilient.js';
export { connectWebTransport, WebTransportDatagrams, type ConnectWebTransportOptions, type WebTransportConstructor, type WebTransportLike } from './transports/webtransport.js';
export { connectWebSocket, WebSocketTransport, type WebSocketLike } from './transports/websocket.js';
export { connectWebRTC, DataChannelTransport, DATA_CHANNEL_INIT, WEBRTC_MTU, type ConnectWebRTCOptions, type DataChannelLike, type DataChannelTransportOptions, type PeerConnectionLike } from './transports/webrtc.js';
export {
  smuxClient, smuxServer, SmuxSession, SmuxStream, SmuxError, SmuxStats, SmuxConfigError, SnappyConn, SnappyError, defaultSmuxConfig,
  QuantumPermutationPad, QppRand, qppStream,
  type SmuxConfig, type SmuxOptions, type SmuxTimers, type SmuxErrorCode, type ByteConn, type StreamIO,
} from './smux/index.js';
