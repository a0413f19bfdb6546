/** The pure core: no Node or DOM dependencies, usable with any runtime and transport. */
export { Session, SessionClosedError, type SessionInit } from './session.js';
export { Listener, ACCEPT_BACKLOG, MAX_SESSIONS } from './listener.js';
export { Snmp, DefaultSnmp, SNMP_FIELDS, type SnmpField } from './snmp.js';
export { MODES, MODE_PRESETS, MTU_LIMIT, OptionError, resolveOptions, type Mode, type SessionOptions, type ResolvedOptions } from './options.js';
export type { Runtime } from './runtime.js';
export { Kcp } from './kcp.js';
export { FecEncoder, FecDecoder } from './fec.js';
export { CRYPT_NAMES, cipherByName, createBlockCrypt, deriveKey, isCryptName, type BlockCrypt, type Cipher, type CipherBackend, type CryptName } from './crypt/index.js';
export { sealPacket, openPacket, CRYPT_HEADER_SIZE } from './crypt/packet.js';
