/**
 * TEA and XTEA, big-endian as golang.org/x/crypto's. kcp-go builds TEA with
 * 16 rounds (8 cycles), not TEA's usual 64: `tea.NewCipherWithRounds(key, 16)`.
 */
import { be32, putBe32, type BlockCipher } from './_cfb.js';

const DELTA = 0x9e3779b9;

function keyWords(key: Uint8Array, name: string): Uint32Array {
  if (key.length !== 16) throw new RangeError(`${name} needs a 16-byte key; got ${key.length}`);
  return Uint32Array.of(be32(key, 0), be32(key, 4), be32(key, 8), be32(key, 12));
}

export class Tea implements BlockCipher {
  readonly blockSize = 8;
  private readonly k: Uint32Array;
  constructor(
    key: Uint8Array,
    private readonly rounds = 16,
  ) {
    this.k = keyWords(key, 'tea');
  }
  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
    const [k0, k1, k2, k3] = this.k as unknown as [number, number, number, number];
    let v0 = be32(src, so);
    let v1 = be32(src, so + 4);
    let sum = 0;
    for (let i = 0; i < this.rounds / 2; i++) {
      sum = (sum + DELTA) | 0;
      v0 = (v0 + ((((v1 << 4) + k0) | 0) ^ ((v1 + sum) | 0) ^ (((v1 >>> 5) + k1) | 0))) | 0;
      v1 = (v1 + ((((v0 << 4) + k2) | 0) ^ ((v0 + sum) | 0) ^ (((v0 >>> 5) + k3) | 0))) | 0;
    }
    putBe32(dst, dof, v0);
    putBe32(dst, dof + 4, v1);
  }
}

export class Xtea implements BlockCipher {
  readonly blockSize = 8;
  /** The 64 per-round key+sum values, precomputed as x/crypto/xtea does. */
  private readonly table = new Uint32Array(64);
  constructor(key: Uint8Array) {
    const k = keyWords(key, 'xtea');
    let sum = 0;
    for (let i = 0; i < 64; ) {
      this.table[i++] = sum + k[sum & 3]!;
      sum = (sum + DELTA) >>> 0;
      this.table[i++] = sum + k[(sum >>> 11) & 3]!;
    }
  }
  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
    const t = this.table;
    let v0 = be32(src, so);
    let v1 = be32(src, so + 4);
    for (let i = 0; i < 64; i += 2) {
      v0 = (v0 + (((((v1 << 4) ^ (v1 >>> 5)) + v1) | 0) ^ t[i]!)) | 0;
      v1 = (v1 + (((((v0 << 4) ^ (v0 >>> 5)) + v0) | 0) ^ t[i + 1]!)) | 0;
    }
    putBe32(dst, dof, v0);
    putBe32(dst, dof + 4, v1);
  }
}
