/**
 * kcp-go's packet ciphers by kcptun name. Every one is pure TypeScript here,
 * so it runs in browsers; a `CipherBackend` (node:crypto in Node) may supply
 * a faster implementation of the same bytes.
 */
import { AesBlock } from './aes.js';
import { BlowfishBlock } from './blowfish.js';
import { Cast5Block } from './cast5.js';
import { TripleDesBlock } from './des.js';
import { NoneBlock } from './none.js';
import { Salsa20Block } from './salsa20.js';
import { Sm4Block } from './sm4.js';
import { TeaBlock, XteaBlock } from './tea.js';
import { TwofishBlock } from './twofish.js';
import { SimpleXorBlock } from './xor.js';

export { deriveKey } from './kdf.js';
export { INITIAL_VECTOR } from './_cfb.js';

/** Encrypts or decrypts one whole packet, as kcp-go's BlockCrypt; dst may be src (in place), same length. */
export interface BlockCrypt {
  encrypt(dst: Uint8Array, src: Uint8Array): void;
  decrypt(dst: Uint8Array, src: Uint8Array): void;
}

export const CRYPT_NAMES = ['aes', 'aes-128', 'aes-192', 'salsa20', 'blowfish', 'twofish', 'cast5', '3des', 'tea', 'xtea', 'xor', 'sm4', 'none', 'null'] as const;
export type CryptName = (typeof CRYPT_NAMES)[number];

export function isCryptName(s: string): s is CryptName {
  return (CRYPT_NAMES as readonly string[]).includes(s);
}

/** A runtime's faster implementation of some ciphers; undefined means "use the pure TypeScript one". */
export interface CipherBackend {
  create(name: CryptName, key: Uint8Array): BlockCrypt | undefined;
}

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
/** The key is ignored. */
export const newNoneBlockCrypt = (_key?: Uint8Array): BlockCrypt => new NoneBlock();

type Named = Exclude<CryptName, 'null'>;

/**
 * How much of the 32-byte derived key each cipher takes. This is kcptun's
 * main.go, not kcp-go: kcptun derives one 32-byte key and slices it to what
 * each constructor accepts (so `aes` is AES-256, `3des` gets 24 bytes, the
 * 16-byte-key ciphers the first half), and passes it whole to the ciphers
 * that accept any length ('whole').
 */
const KEY_BYTES: Record<Named, number | 'whole'> = {
  aes: 32,
  'aes-128': 16,
  'aes-192': 24,
  salsa20: 'whole',
  blowfish: 'whole',
  twofish: 'whole',
  cast5: 16,
  '3des': 24,
  tea: 16,
  xtea: 16,
  xor: 'whole',
  sm4: 16,
  none: 'whole',
};

const PURE: Record<Named, (key: Uint8Array) => BlockCrypt> = {
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
 * The cipher kcptun builds for `name` from its 32-byte derived key (see
 * deriveKey). 'null' means no crypto header at all and returns null.
 */
export function createBlockCrypt(name: CryptName, key: Uint8Array, backend?: CipherBackend): BlockCrypt | null {
  if (!isCryptName(name)) throw new TypeError(`unknown cipher ${JSON.stringify(name)}; accepted: ${CRYPT_NAMES.join(', ')}`);
  if (name === 'null') return null;
  const need = KEY_BYTES[name];
  if (need !== 'whole' && key.length < need) throw new RangeError(`cipher '${name}' needs at least ${need} key bytes; got ${key.length}`);
  const k = need === 'whole' ? key : key.subarray(0, need);
  return backend?.create(name, k) ?? PURE[name](k);
}
