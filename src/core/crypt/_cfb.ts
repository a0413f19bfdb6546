/**
 * kcp-go's packet encryption for block ciphers: CFB with full-block feedback,
 * restarted on every packet from one fixed initial vector (crypt.go
 * `initialVector`; 8-byte ciphers use its first 8 bytes). The random nonce at
 * the front of each packet is what makes ciphertexts differ. A short last
 * block is XORed with a truncated keystream block.
 */
import type { BlockCrypt } from './index.js';

export const INITIAL_VECTOR = Uint8Array.from([167, 115, 79, 156, 18, 172, 27, 1, 164, 21, 242, 193, 252, 120, 230, 107]);

/** One block cipher's forward direction (CFB never needs the inverse). */
export interface BlockCipher {
  readonly blockSize: 8 | 16;
  /** Encrypts src[so, so+blockSize) into dst[dof, dof+blockSize); src and dst may overlap exactly. */
  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void;
}

export class CfbCrypt implements BlockCrypt {
  private readonly ks = new Uint8Array(16);
  private readonly next = new Uint8Array(16);

  constructor(readonly cipher: BlockCipher) {}

  encrypt(dst: Uint8Array, src: Uint8Array): void {
    const { cipher, ks } = this;
    const bs = cipher.blockSize;
    cipher.encryptBlock(INITIAL_VECTOR, 0, ks, 0);
    const n = src.length;
    let o = 0;
    for (; o + bs <= n; o += bs) {
      for (let j = 0; j < bs; j++) dst[o + j] = src[o + j]! ^ ks[j]!;
      cipher.encryptBlock(dst, o, ks, 0);
    }
    for (let j = 0; o + j < n; j++) dst[o + j] = src[o + j]! ^ ks[j]!;
  }

  decrypt(dst: Uint8Array, src: Uint8Array): void {
    const { cipher } = this;
    const bs = cipher.blockSize;
    let ks = this.ks;
    let next = this.next;
    cipher.encryptBlock(INITIAL_VECTOR, 0, ks, 0);
    const n = src.length;
    let o = 0;
    for (; o + bs <= n; o += bs) {
      // Next keystream block comes from this ciphertext block: take it before dst overwrites it.
      cipher.encryptBlock(src, o, next, 0);
      for (let j = 0; j < bs; j++) dst[o + j] = src[o + j]! ^ ks[j]!;
      [ks, next] = [next, ks];
    }
    for (let j = 0; o + j < n; j++) dst[o + j] = src[o + j]! ^ ks[j]!;
  }
}

/** Big-endian 32-bit word helpers for the 64-bit-block ciphers. */
export const be32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
export function putBe32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}
export const le32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
export function putLe32(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}
