/**
 * kcp-go's packet ciphers by kcptun name. Every one is pure TypeScript here,
 * so it runs in browsers; a `CipherBackend` (node:crypto in Node) may supply
 * a faster implementation of the same bytes.
 */
import { AesBlock } from './aes.js';
import { AesGcmBlock } from './aesgcm.js';
import { BlowfishBlock } from './blowfish.js';
import { Cast5Block } from './cast5.js';
import { TripleDesBlock } from './des.js';
import { NoneBlock } from './none.js';
import { Salsa20Block } from './salsa20.js';
import { Sm4Block } from './sm4.js';
import { TeaBlock, XteaBlock } from './tea.js';
import { TwofishBlock } from './twofish.js';
import { SimpleXorBlock } from './xor.js';
import * as C from './ciphers.js';
import { buildCipher, type Cipher } from './ciphers.js';
import { CRYPT_NAMES, type BlockCrypt, type CipherBackend, type CryptName } from './types.js';

export { deriveKey } from './kdf.js';
export { INITIAL_VECTOR } from './_cfb.js';

export { CRYPT_NAMES, isCryptName, type Aead, type BlockCrypt, type CipherBackend, type Checksum, type CryptName } from './types.js';
export type { Cipher } from './ciphers.js';

// kcp-go's constructors, by the names its users know, taking raw keys as kcp-go does.
/** AES-128/192/256 by key length (16, 24 or 32 bytes). */
export const newAESBlockCrypt = (key: Uint8Array): BlockCrypt => new AesBlock(key);
/** Any key length: copied into 32 bytes, zero-padded, as kcp-go does. */
export const newSalsa20BlockCrypt = (key: Uint8Array): BlockCrypt => new Salsa20Block(key);
/** 1 to 56 bytes. */
export const newBlowfishBlockCrypt = (key: Uint8Array): BlockCrypt => new BlowfishBlock(key);
/** 16, 24 or 32 bytes. */
export const newTwofishBlockCrypt = (key: Uint8Array): BlockCrypt => new TwofishBlock(key);
/** 16 bytes. */
export const newCast5BlockCrypt = (key: Uint8Array): BlockCrypt => new Cast5Block(key);
/** 24 bytes: three DES keys. */
export const newTripleDESBlockCrypt = (key: Uint8Array): BlockCrypt => new TripleDesBlock(key);
/** 16 bytes; 16 rounds, as kcp-go's tea.NewCipherWithRounds(key, 16). */
export const newTEABlockCrypt = (key: Uint8Array): BlockCrypt => new TeaBlock(key, 16);
/** 16 bytes. */
export const newXTEABlockCrypt = (key: Uint8Array): BlockCrypt => new XteaBlock(key);
/** 16 bytes. */
export const newSM4BlockCrypt = (key: Uint8Array): BlockCrypt => new Sm4Block(key);
/** Any key length (it is a pbkdf2 password). */
export const newSimpleXORBlockCrypt = (key: Uint8Array): BlockCrypt => new SimpleXorBlock(key);
/** 16, 24 or 32 bytes (kcptun passes 16): kcp-go's AEAD, nonce(12) | AES-GCM ciphertext | tag(16) per datagram. */
export const newAESGCMCrypt = (key: Uint8Array): BlockCrypt => new AesGcmBlock(key);
/** The key is ignored. */
export const newNoneBlockCrypt = (_key?: Uint8Array): BlockCrypt => new NoneBlock();

const BY_NAME: Record<Exclude<CryptName, 'null'>, Cipher> = {
  aes: C.aes,
  'aes-128': C.aes128,
  'aes-192': C.aes192,
  salsa20: C.salsa20,
  blowfish: C.blowfish,
  twofish: C.twofish,
  cast5: C.cast5,
  '3des': C.tripleDes,
  tea: C.tea,
  xtea: C.xtea,
  xor: C.xor,
  sm4: C.sm4,
  'aes-128-gcm': C.aes128gcm,
  none: C.none,
};

/** The cipher descriptor for a kcptun name (this pulls every cipher into a bundle; import one from 'kcp-web/ciphers' to avoid that). */
export function cipherByName(name: Exclude<CryptName, 'null'>): Cipher {
  const c = BY_NAME[name];
  if (!c) throw new TypeError(`unknown cipher ${JSON.stringify(name)}; accepted: ${CRYPT_NAMES.join(', ')}`);
  return c;
}

/**
 * The cipher kcptun builds from its 32-byte derived key (see deriveKey), by
 * name or descriptor. 'null' means no crypto header at all and returns null.
 */
export function createBlockCrypt(cipher: CryptName | Cipher, key: Uint8Array, backend?: CipherBackend): BlockCrypt | null {
  if (cipher === 'null') return null;
  return buildCipher(typeof cipher === 'string' ? cipherByName(cipher) : cipher, key, backend);
}
