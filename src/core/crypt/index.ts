/**
 * kcp-go's packet ciphers by kcptun name. Every one is pure TypeScript here,
 * so it runs in browsers; a `CipherBackend` (node:crypto in Node) may supply
 * a faster implementation of the same bytes.
 */
import { Aes } from './aes.js';
import { Blowfish } from './blowfish.js';
import { Cast5 } from './cast5.js';
import { TripleDes } from './des.js';
import { Salsa20Crypt } from './salsa20.js';
import { NoneCrypt, SimpleXorCrypt } from './simple.js';
import { Sm4 } from './sm4.js';
import { Tea, Xtea } from './tea.js';
import { Twofish } from './twofish.js';
import { CfbCrypt } from './_cfb.js';

export { deriveKey } from './kdf.js';
export { CfbCrypt, INITIAL_VECTOR, type BlockCipher } from './_cfb.js';

/** Encrypts or decrypts one whole packet, as kcp-go's BlockCrypt; dst may be src. */
export interface BlockCrypt {
  encrypt(dst: Uint8Array, src: Uint8Array): void;
  decrypt(dst: Uint8Array, src: Uint8Array): void;
}

export const CRYPT_NAMES = ['aes', 'aes-128', 'aes-192', 'salsa20', 'blowfish', 'twofish', 'cast5', '3des', 'tea', 'xtea', 'xor', 'sm4', 'none', 'null'] as const;
export type CryptName = (typeof CRYPT_NAMES)[number];

export function isCryptName(s: string): s is CryptName {
  return (CRYPT_NAMES as readonly string[]).includes(s);
}

/** A runtime's faster implementation of some ciphers; undefined means "use ours". */
export interface CipherBackend {
  create(name: CryptName, key: Uint8Array): BlockCrypt | undefined;
}

// kcp-go's constructors, by the names its users know.
export const newAESBlockCrypt = (key: Uint8Array): BlockCrypt => new CfbCrypt(new Aes(key));
export const newSalsa20BlockCrypt = (key: Uint8Array): BlockCrypt => new Salsa20Crypt(key);
export const newBlowfishBlockCrypt = (key: Uint8Array): BlockCrypt => new CfbCrypt(new Blowfish(key));
export const newTwofishBlockCrypt = (key: Uint8Array): BlockCrypt => new CfbCrypt(new Twofish(key));
export const newCast5BlockCrypt = (key: Uint8Array): BlockCrypt => new CfbCrypt(new Cast5(key));
export const newTripleDESBlockCrypt = (key: Uint8Array): BlockCrypt => new CfbCrypt(new TripleDes(key));
export const newTEABlockCrypt = (key: Uint8Array): BlockCrypt => new CfbCrypt(new Tea(key, 16));
export const newXTEABlockCrypt = (key: Uint8Array): BlockCrypt => new CfbCrypt(new Xtea(key));
export const newSM4BlockCrypt = (key: Uint8Array): BlockCrypt => new CfbCrypt(new Sm4(key));
export const newSimpleXORBlockCrypt = (key: Uint8Array): BlockCrypt => new SimpleXorCrypt(key);
export const newNoneBlockCrypt = (_key?: Uint8Array): BlockCrypt => new NoneCrypt();

/** How many bytes of the derived key each cipher takes, as kcptun's main.go slices it. */
const KEY_BYTES: Record<Exclude<CryptName, 'null'>, number> = {
  aes: 32,
  'aes-128': 16,
  'aes-192': 24,
  salsa20: 32,
  blowfish: 32,
  twofish: 32,
  cast5: 16,
  '3des': 24,
  tea: 16,
  xtea: 16,
  xor: 32,
  sm4: 16,
  none: 32,
};

const PURE: Record<Exclude<CryptName, 'null'>, (key: Uint8Array) => BlockCrypt> = {
  aes: newAESBlockCrypt,
  'aes-128': newAESBlockCrypt,
  'aes-192': newAESBlockCrypt,
  salsa20: newSalsa20BlockCrypt,
  blowfish: newBlowfishBlockCrypt,
  twofish: newTwofishBlockCrypt,
  cast5: newCast5BlockCrypt,
  '3des': newTripleDESBlockCrypt,
  tea: newTEABlockCrypt,
  xtea: newXTEABlockCrypt,
  xor: newSimpleXORBlockCrypt,
  sm4: newSM4BlockCrypt,
  none: newNoneBlockCrypt,
};

/**
 * The cipher kcptun would build for `name` from its derived 32-byte key
 * (see deriveKey). 'null' means no crypto header at all and returns null.
 */
export function createBlockCrypt(name: CryptName, key: Uint8Array, backend?: CipherBackend): BlockCrypt | null {
  if (!isCryptName(name)) throw new TypeError(`unknown cipher ${JSON.stringify(name)}; accepted: ${CRYPT_NAMES.join(', ')}`);
  if (name === 'null') return null;
  if (key.length < KEY_BYTES[name]) throw new RangeError(`cipher '${name}' needs at least ${KEY_BYTES[name]} key bytes; got ${key.length}`);
  const k = key.subarray(0, KEY_BYTES[name]);
  return backend?.create(name, k) ?? PURE[name](k);
}
