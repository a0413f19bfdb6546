/**
 * `connect(relayUrl)`: asks a kcp-web relay which transports it offers and
 * opens the best one this runtime has — WebTransport datagrams, else a
 * WebRTC data channel — falling back when the first choice fails. KCP over
 * WebSocket (TCP) is used only when asked for by name.
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
   * certificate is verified as usual (a CA-signed one).
   */
  webtransport?: { port: number; path: string; certificateHash?: string; certificateHashes?: string[] };
  websocket?: { path: string };
}

export interface ConnectOptions extends ConnectWebRTCOptions {
  /** Only these kinds, in this order of preference (default: what the relay offers, WebTransport first). */
  transports?: TransportKind[];
  WebTransport?: WebTransportConstructor;
  /** WebSocket constructor for the 'websocket' kind (defaults to the global one). */
  WebSocket?: new (url: string) => WebSocketLike;
  /** The relay's access token, if it requires one. */
  token?: string;
}

export interface Connected {
  transport: DatagramTransport;
  kind: TransportKind;
  /** Why earlier choices were skipped, if any. */
  fallbacks: string[];
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

export async function connect(relayUrl: string, options: ConnectOptions = {}): Promise<Connected> {
  const config = await fetchRelayConfig(relayUrl, options);
  const wanted = (options.transports ?? ['webtransport', 'webrtc']).filter((k) => config.transports.includes(k));
  if (wanted.length === 0) throw new Error(`kcp-web relay at ${relayUrl} offers ${config.transports.join(', ') || 'no transport'}, none of ${(options.transports ?? []).join(', ')}`);
  const fallbacks: string[] = [];
  for (const kind of wanted) {
    try {
      if (kind === 'webtransport') {
        const wt = config.webtransport!;
        const base = new URL(relayUrl);
        const q = options.token ? `?token=${encodeURIComponent(options.token)}` : '';
        const transport = await connectWebTransport(`https://${base.hostname}:${wt.port}${wt.path}${q}`, {
          certificateHashes: wt.certificateHashes ?? (wt.certificateHash ? [wt.certificateHash] : []),
          mtu: config.mtu,
          ...(options.timeout ? { timeout: options.timeout } : {}),
          ...(options.WebTransport ? { WebTransport: options.WebTransport } : {}),
        });
        return { transport, kind, fallbacks };
      }
      if (kind === 'websocket') {
        const ws = new URL(config.websocket?.path ?? '/kcp-web/ws', relayUrl);
        ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
        if (options.token) ws.searchParams.set('token', options.token);
        const transport = await connectWebSocket(ws.toString(), {
          mtu: config.mtu,
          ...(options.timeout ? { timeout: options.timeout } : {}),
          ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
        });
        return { transport, kind, fallbacks };
      }
      const headers = { ...options.headers, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
      const transport = await connectWebRTC(new URL(config.webrtc?.path ?? 'kcp-web/rtc', relayUrl).toString(), { mtu: config.mtu, ...options, headers });
      return { transport, kind, fallbacks };
    } catch (e) {
      fallbacks.push(`${kind}: ${(e as Error).message}`);
    }
  }
  throw new Error(`could not connect to the kcp-web relay at ${relayUrl}: ${fallbacks.join('; ')}`);
}
