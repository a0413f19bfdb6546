/**
 * kcp-web/lite: the browser entry for pages that count their bytes. It is
 * the default entry minus the cipher name table: `crypt` takes a descriptor
 * imported from 'kcp-web/ciphers' (`crypt: aes`) or 'null', so the bundle
 * carries only the ciphers the page names.
 *
 *   import { connect, dial } from 'kcp-web/lite';
 *   import { aes } from 'kcp-web/ciphers';
 *   const { transport } = await connect(relayUrl);
 *   const session = dial(transport, { crypt: aes, key: 'secret' });
 */
import { dialWith, listenWith, type CipherLookup, type DialOptions, type ListenerOptions } from './api.js';
import { OptionError } from './core/options.js';
import type { DatagramTransport } from './transports/transport.js';
import type { Session } from './core/session.js';
import type { Listener } from './core/listener.js';

const descriptorsOnly: CipherLookup = (name) => {
  throw new OptionError('crypt', `a cipher from 'kcp-web/ciphers' (kcp-web/lite has no name table; import { ${name === '3des' ? 'tripleDes' : name.replace(/-(\d+)/, '$1')} } from 'kcp-web/ciphers', or use the 'kcp-web' entry for names)`, name);
};

/** As 'kcp-web' dial, with `crypt` a descriptor from 'kcp-web/ciphers' (or 'null'). */
export function dial(transport: DatagramTransport, options: DialOptions = {}): Session {
  return dialWith(descriptorsOnly, transport, options);
}

/** As 'kcp-web' listen, with `crypt` a descriptor from 'kcp-web/ciphers' (or 'null'). */
export function listen(transport: DatagramTransport, options: ListenerOptions = {}): Listener {
  return listenWith(descriptorsOnly, transport, options);
}

export type { DialOptions, ListenOptions, ListenerOptions } from './api.js';
export { Session, SessionClosedError } from './core/session.js';
export { Listener } from './core/listener.js';
export { Snmp, DefaultSnmp, SNMP_FIELDS, type SnmpField } from './core/snmp.js';
export { MODES, OptionError, type Mode, type SessionOptions } from './core/options.js';
export { CRYPT_NAMES, type BlockCrypt, type CryptName } from './core/crypt/types.js';
export type { Cipher } from './core/crypt/ciphers.js';
export type { DatagramTransport } from './transports/transport.js';
export { connect, fetchRelayConfig, type ConnectOptions, type Connected, type RelayConfig, type TransportKind } from './transports/connect.js';
export { defaultRuntime } from './runtime.js';
