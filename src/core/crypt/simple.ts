/** kcp-go's two non-ciphers: `xor` (a fixed key-derived pad) and `none` (header, no encryption). */
import type { BlockCrypt } from './index.js';
import { xorTable } from './kdf.js';

/** XORs the packet with a 1500-byte pad derived from the key: obfuscation, not secrecy. */
export class SimpleXorCrypt implements BlockCrypt {
  private readonly table: Uint8Array;
  constructor(key: Uint8Array) {
    this.table = xorTable(key);
  }
  encrypt(dst: Uint8Array, src: Uint8Array): void {
    const t = this.table;
    const n = Math.min(src.length, t.length);
    for (let i = 0; i < n; i++) dst[i] = src[i]! ^ t[i]!;
  }
  decrypt(dst: Uint8Array, src: Uint8Array): void {
    this.encrypt(dst, src);
  }
}

/** Keeps kcp-go's nonce + CRC header but leaves the packet in clear. */
export class NoneCrypt implements BlockCrypt {
  encrypt(dst: Uint8Array, src: Uint8Array): void {
    if (dst !== src) dst.set(src);
  }
  decrypt(dst: Uint8Array, src: Uint8Array): void {
    if (dst !== src) dst.set(src);
  }
}
