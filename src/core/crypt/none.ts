/**
 * kcp-go's `none`: packets keep the 20-byte nonce + CRC header (so a peer
 * configured with `none` still checks integrity) but travel in clear. Unlike
 * `null`, which has no header at all.
 */
import type { BlockCrypt } from './types.js';

export class NoneBlock implements BlockCrypt {
  encrypt(dst: Uint8Array, src: Uint8Array): void {
    if (dst !== src) dst.set(src);
  }
  decrypt(dst: Uint8Array, src: Uint8Array): void {
    if (dst !== src) dst.set(src);
  }
}
