/** The cipher vocabulary shared by every layer; no cipher code here, so importing it costs nothing. */

/** Encrypts or decrypts one whole packet, as kcp-go's BlockCrypt; dst may be src (in place), same length. */
export interface BlockCrypt {
  encrypt(dst: Uint8Array, src: Uint8Array): void;
  decrypt(dst: Uint8Array, src: Uint8Array): void;
  /** The packet header's CRC-32/IEEE of data[start, end), when a runtime has a faster one than the core's (see CipherBackend). */
  checksum?(data: Uint8Array, start: number): number;
  /**
   * Encrypts several packets in place in one go, where a runtime has a batch
   * fast path (node:crypto). Each packet's first block — the random nonce,
   * which kcp-go's receiver decrypts and discards — is replaced by other
   * unpredictable bytes; every later byte is what encrypt() gives.
   */
  encryptPackets?(packets: readonly Uint8Array[]): void;
  /** Decrypts several packets in place in one go, exactly as decrypt() each. */
  decryptPackets?(packets: readonly Uint8Array[]): void;
  /**
   * Set on an AEAD cipher (kcp-go's aeadCrypt: aes-128-gcm). Its datagrams
   * have no CRC header and are longer than their plaintext, so sessions seal
   * and open them through this instead of encrypt/decrypt, which such a
   * cipher refuses (as kcp-go's panics).
   */
  readonly aead?: Aead;
}

/**
 * An AEAD packet cipher as kcp-go lays it out: nonce | ciphertext | tag, one
 * datagram sealed on its own with a fresh random nonce, no additional data.
 * Both methods work in place on the whole datagram.
 */
export interface Aead {
  /** Bytes of nonce in front of the ciphertext (12 for GCM). */
  readonly nonceSize: number;
  /** Bytes of tag after it (16 for GCM). */
  readonly overhead: number;
  /** packet[0, nonceSize) is the nonce, already filled; the plaintext follows; the last `overhead` bytes are room for the tag. */
  seal(packet: Uint8Array): void;
  /** Decrypts in place; true if the tag holds (else the payload is garbage). Never throws. */
  open(packet: Uint8Array): boolean;
}

/** CRC-32/IEEE of data[start, end), as kcp-go's crc32.ChecksumIEEE. */
export type Checksum = (data: Uint8Array, start: number) => number;

export const CRYPT_NAMES = ['aes', 'aes-128', 'aes-192', 'salsa20', 'blowfish', 'twofish', 'cast5', '3des', 'tea', 'xtea', 'xor', 'sm4', 'aes-128-gcm', 'none', 'null'] as const;
export type CryptName = (typeof CRYPT_NAMES)[number];

export function isCryptName(s: string): s is CryptName {
  return (CRYPT_NAMES as readonly string[]).includes(s);
}

/** A runtime's faster implementation of some ciphers; undefined means "use the pure TypeScript one". */
export interface CipherBackend {
  create(name: CryptName, key: Uint8Array): BlockCrypt | undefined;
  /** A faster packet checksum (node:zlib's crc32), given to every cipher built with this backend. */
  checksum?: Checksum;
}
