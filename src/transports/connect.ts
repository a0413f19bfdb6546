/**
 * `connect(relayUrl)`: asks a kcp-web relay which transports it offers and
 * opens the best one this runtime has — WebTransport datagrams, else a
 * WebRTC data channel — falling back when the first choice fails. KCP over
 * WebSocket (TCP) is used only when asked for by name, or as a resilient
 * transport's last resort.
 */
import type { DatagramTransport } from '../core/transport.js';
import { fetchRelayConfig, openTransport, type ConnectOptions, type ResilienceOptions, type TransportKind } from './open.js';
import { ResilientTransport } from './resilient.js';

export { fetchRelayConfig, type ConnectOptions, type RelayConfig, type ResilienceOptions, type TransportKind } from './open.js';

export interface Connected<T extends DatagramTransport = DatagramTransport> {
  transport: T;
  kind: TransportKind;
  /** Why earlier choices were skipped, if any. */
  fallbacks: string[];
}

/** With `resilient`, the transport is a ResilientTransport: the session on it survives its pipe. */
export function connect(relayUrl: string, options: ConnectOptions & { resilient: true | ResilienceOptions }): Promise<Connected<ResilientTransport>>;
export function connect(relayUrl: string, options?: ConnectOptions): Promise<Connected>;
export async function connect(relayUrl: string, options: ConnectOptions = {}): Promise<Connected> {
  const config = await fetchRelayConfig(relayUrl, options);
  if (options.resilient) return ResilientTransport.open(relayUrl, config, options, options.resilient === true ? {} : options.resilient);
  const wanted = (options.transports ?? ['webtransport', 'webrtc']).filter((k) => config.transports.includes(k));
  if (wanted.length === 0) throw new Error(`kcp-web relay at ${relayUrl} offers ${config.transports.join(', ') || 'no transport'}, none of ${(options.transports ?? []).join(', ')}`);
  const fallbacks: string[] = [];
  for (const kind of wanted) {
    try {
      return { transport: await openTransport(kind, relayUrl, config, options), kind, fallbacks };
    } catch (e) {
      fallbacks.push(`${kind}: ${(e as Error).message}`);
    }
  }
  throw new Error(`could not connect to the kcp-web relay at ${relayUrl}: ${fallbacks.join('; ')}`);
}

