/**
 * kcp-go's salsa20 packet cipher: Salsa20/20 keyed with the 32-byte key,
 * using the packet's first 8 bytes (part of the random nonce) as the Salsa20
 * nonce and encrypting the rest; those 8 bytes stay in clear.
 */
import { salsa20 } from '@noble/ciphers/salsa.js';
import type { BlockCrypt } from './index.js';

export class Salsa20Crypt implements BlockCrypt {
  private readonly key: Uint8Array;
  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError(`salsa20 needs a 32-byte key; got ${key.length}`);
    this.key = key.slice();
  }
  encrypt(dst: Uint8Array, src: Uint8Array): void {
    if (src.length <= 8) {
      if (dst !== src) dst.set(src);
      return;
    }
    const nonce = src.slice(0, 8);
    const body = src.subarray(8);
    // noble writes its output to a 4-byte-aligned buffer; received datagrams may not be aligned.
    const out = salsa20(this.key, nonce, body);
    dst.set(nonce, 0);
    dst.set(out, 8);
  }
  decrypt(dst: Uint8Array, src: Uint8Array): void {
    this.encrypt(dst, src);
  }
}
