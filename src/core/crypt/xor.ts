/**
 * kcp-go's `xor`: every packet is XORed with the same pad,
 * pbkdf2-sha1(key, saltxor, 32 iterations, 1500 bytes). Obfuscation, not
 * secrecy. As in kcp-go (xorsimd.Bytes), only the first 1500 bytes (its
 * mtuLimit) of a longer packet are touched.
 */
import type { BlockCrypt } from './types.js';
import { xorPad } from './kdf.js';

export class SimpleXorBlock implements BlockCrypt {
  private readonly pad: Uint8Array;

  constructor(key: Uint8Array) {
    this.pad = xorPad(key);
  }

  encrypt(dst: Uint8Array, src: Uint8Array): void {
    const pad = this.pad;
    const n = Math.min(src.length, pad.length);
    for (let i = 0; i < n; i++) dst[i] = src[i] ^ pad[i];
  }

  decrypt(dst: Uint8Array, src: Uint8Array): void {
    this.encrypt(dst, src);
  }
}
