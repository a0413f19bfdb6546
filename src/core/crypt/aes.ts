/** AES (128/192/256 by key length) for kcp-go's CFB, on @noble/ciphers' table-driven block function. */
import { unsafe } from '@noble/ciphers/aes.js';
import { le32, putLe32, type BlockCipher } from './_cfb.js';

export class Aes implements BlockCipher {
  readonly blockSize = 16;
  /** Expanded key schedule, computed once per cipher rather than per packet. */
  private readonly xk: Uint32Array;
  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new RangeError(`aes needs a 16, 24 or 32-byte key; got ${key.length}`);
    this.xk = unsafe.expandKeyLE(key);
  }
  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
    // noble's AES works on little-endian column words.
    const r = unsafe.encrypt(this.xk, le32(src, so), le32(src, so + 4), le32(src, so + 8), le32(src, so + 12));
    putLe32(dst, dof, r.s0);
    putLe32(dst, dof + 4, r.s1);
    putLe32(dst, dof + 8, r.s2);
    putLe32(dst, dof + 12, r.s3);
  }
}
