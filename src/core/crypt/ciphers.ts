/**
 * kcp-go's packet ciphers as importable descriptors, one export each, so a
 * page that bundles only what it uses can pass `crypt: aes` instead of the
 * name 'aes' (a name needs the table of all fourteen; see cipherByName).
 * The key sizes are kcptun's: it derives one 32-byte key and slices it to
 * what each constructor accepts ('whole': the cipher takes any length).
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
import type { BlockCrypt, CipherBackend, CryptName } from './types.js';

/** A cipher by its kcptun name, with how much of the derived key it takes and how to build it. */
export interface Cipher {
  readonly name: Exclude<CryptName, 'null'>;
  readonly keyBytes: number | 'whole';
  create(key: Uint8Array): BlockCrypt;
}

export const aes: Cipher = { name: 'aes', keyBytes: 32, create: (k) => new AesBlock(k) };
export const aes128: Cipher = { name: 'aes-128', keyBytes: 16, create: (k) => new AesBlock(k) };
export const aes192: Cipher = { name: 'aes-192', keyBytes: 24, create: (k) => new AesBlock(k) };
export const salsa20: Cipher = { name: 'salsa20', keyBytes: 'whole', create: (k) => new Salsa20Block(k) };
export const blowfish: Cipher = { name: 'blowfish', keyBytes: 'whole', create: (k) => new BlowfishBlock(k) };
export const twofish: Cipher = { name: 'twofish', keyBytes: 'whole', create: (k) => new TwofishBlock(k) };
export const cast5: Cipher = { name: 'cast5', keyBytes: 16, create: (k) => new Cast5Block(k) };
export const tripleDes: Cipher = { name: '3des', keyBytes: 24, create: (k) => new TripleDesBlock(k) };
/** 16 rounds, as kcp-go's tea.NewCipherWithRounds(key, 16). */
export const tea: Cipher = { name: 'tea', keyBytes: 16, create: (k) => new TeaBlock(k, 16) };
export const xtea: Cipher = { name: 'xtea', keyBytes: 16, create: (k) => new XteaBlock(k) };
export const xor: Cipher = { name: 'xor', keyBytes: 'whole', create: (k) => new SimpleXorBlock(k) };
export const sm4: Cipher = { name: 'sm4', keyBytes: 16, create: (k) => new Sm4Block(k) };
/**
 * kcp-go's AEAD (NewAESGCMCrypt): AES-128-GCM, each datagram nonce(12) |
 * ciphertext | tag(16), no CRC. Needs a kcp-go ≥ 5.6.49 / kcptun ≥ v20251210 peer.
 */
export const aes128gcm: Cipher = { name: 'aes-128-gcm', keyBytes: 16, create: (k) => new AesGcmBlock(k) };
/** Nonce + CRC32 header, payload in the clear: integrity without secrecy. */
export const none: Cipher = { name: 'none', keyBytes: 'whole', create: () => new NoneBlock() };

/** Slices the derived key as kcptun does and builds the cipher, preferring the runtime's backend. */
export function buildCipher(cipher: Cipher, key: Uint8Array, backend?: CipherBackend): BlockCrypt {
  const need = cipher.keyBytes;
  if (need !== 'whole' && key.length < need) throw new RangeError(`cipher '${cipher.name}' needs at least ${need} key bytes; got ${key.length}`);
  const k = need === 'whole' ? key : key.subarray(0, need);
  const block = backend?.create(cipher.name, k) ?? cipher.create(k);
  const checksum = backend?.checksum;
  // An AEAD has no CRC to speed up (and a wrapper would hide its aead).
  if (!checksum || block.checksum || block.aead) return block;
  const wrapped: BlockCrypt = { encrypt: (dst, src) => block.encrypt(dst, src), decrypt: (dst, src) => block.decrypt(dst, src), checksum };
  if (block.encryptPackets) wrapped.encryptPackets = (packets) => block.encryptPackets!(packets);
  if (block.decryptPackets) wrapped.decryptPackets = (packets) => block.decryptPackets!(packets);
  return wrapped;
}
