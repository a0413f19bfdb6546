/**
 * What a page needs to reach a kcp-web relay: its config (which transports
 * it offers, where) and how to open each kind of transport to it.
 */
import type { DatagramTransport } from '../core/transport.js';
import { connectWebRTC, type ConnectWebRTCOptions } from './webrtc.js';
import { connectWebTransport, type WebTransportConstructor } from './webtransport.js';
import { connectWebSocket, type WebSocketLike } from './websocket.js';

export type TransportKind = 'webtransport' | 'webrtc' | 'websocket';

export interface RelayConfig {
  transports: TransportKind[];
  mtu: number;
  webrtc?: { path: string };
  /**
   * certificateHashes: the certificate the relay serves and the one it
   * will serve after its next rotation, both pinned; certificateHash: the
   * served one (older relays publish only it). Both absent when the relay's
   * certificate is verified as usual (a CA-signed one). host: where this
   * relay's own WebTransport server is reached (behind a balancer, the
   * answering relay, whose certificate these hashes pin); without it, the
   * host the config came from.
   */
  webtransport?: { host?: string; port: number; path: string; certificateHash?: string; certificateHashes?: string[] };
  websocket?: { path: string };
  /** Where a resilient page picks up and refreshes its resume credential (relays that offer resuming). */
  resume?: { path: string };
}

export interface ConnectOptions extends ConnectWebRTCOptions {
  /** Only these kinds, in this order of preference (default: what the relay offers, WebTransport first). */
  transports?: TransportKind[];
  WebTransport?: WebTransportConstructor;
  /** WebSocket constructor for the 'websocket' kind (defaults to the global one). */
  WebSocket?: new (url: string) => WebSocketLike;
  /** The relay's access token, if it requires one. */
  token?: string;
  /**
   * Keep the session going when its transport fails: `connect` returns a
   * ResilientTransport, which reconnects over the next kind and takes the
   * same relay session (and so the same kcp-go session) over.
   */
  resilient?: boolean | ResilienceOptions;
}

export interface ResilienceOptions {
  /** The kinds to move through, in this order (default: those the relay offers of webtransport, webrtc, websocket). */
  transports?: TransportKind[];
  /**
   * A transport that has brought nothing back for this long (ms) since the
   * session sent something counts as failed, as when a middlebox silently
   * drops its packets. Default 3000.
   */
  silence?: number;
}

export async function fetchRelayConfig(relayUrl: string, options: ConnectOptions = {}): Promise<RelayConfig> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = new URL('kcp-web/config', relayUrl).toString();
  let res: Response;
  try {
    res = await doFetch(url, options.headers ? { headers: options.headers } : {});
  } catch (e) {
    throw new Error(`cannot reach the kcp-web relay at ${url}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`kcp-web relay at ${url} answered ${res.status}`);
  return (await res.json()) as RelayConfig;
}

/** Opens one kind of transport to the relay; `query` goes on its request URL (a resume credential and claim). */
export async function openTransport(kind: TransportKind, relayUrl: string, config: RelayConfig, options: ConnectOptions, query: Record<string, string> = {}): Promise<DatagramTransport> {
  const withQuery = (url: URL) => {
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  };
  if (kind === 'webtransport') {
    const wt = config.webtransport;
    if (!wt) throw new Error('the relay offers no WebTransport');
    const host = wt.host === undefined ? new URL(relayUrl).hostname : wt.host.includes(':') ? `[${wt.host}]` : wt.host;
    const url = new URL(`https://${host}:${wt.port}${wt.path}`);
    if (options.token) url.searchParams.set('token', options.token);
    return connectWebTransport(withQuery(url).toString(), {
      certificateHashes: wt.certificateHashes ?? (wt.certificateHash ? [wt.certificateHash] : []),
      mtu: config.mtu,
      ...(options.timeout ? { timeout: options.timeout } : {}),
      ...(options.WebTransport ? { WebTransport: options.WebTransport } : {}),
    });
  }
  if (kind === 'websocket') {
    const ws = new URL(config.websocket?.path ?? '/kcp-web/ws', relayUrl);
    ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
    if (options.token) ws.searchParams.set('token', options.token);
    return connectWebSocket(withQuery(ws).toString(), {
      mtu: config.mtu,
      ...(options.timeout ? { timeout: options.timeout } : {}),
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    });
  }
  const headers = { ...options.headers, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
  return connectWebRTC(withQuery(new URL(config.webrtc?.path ?? 'kcp-web/rtc', relayUrl)).toString(), { mtu: config.mtu, ...options, headers });
}
