/**
 * kcp-go's AEAD packet cipher (NewAESGCMCrypt; kcptun `-crypt aes-128-gcm`):
 * each datagram is a 12-byte random nonce, the AES-GCM ciphertext of the
 * FEC header and KCP segments, and the 16-byte tag; no additional data, no
 * CRC. See Aead in types.ts for how a session uses it.
 *
 * Written here rather than taken from @noble/ciphers' gcm(), which builds
 * its key schedule and GHASH tables again for every (key, nonce) pair: at
 * one call per datagram that measured ~10 MB/s against this one's ~100.
 * Here the schedule and the tables are made once per key, and a packet is
 * sealed and opened in place, in one pass (CTR and GHASH together), with
 * nothing allocated per packet.
 *
 * GHASH multiplies by H with Shoup's 8-bit tables: Y·H is the XOR over the
 * 16 bytes of Y of T[i][byte i], where T[i][v] = v·x^(8i)·H. That is 16
 * lookups of four words per block and no shifting, for 64 KiB of tables per
 * key (a listener's sessions share their cipher, and so the tables).
 */
import { aesEncryptWords, expandAesKey } from './aes.js';
import { ldBE, stBE } from './_cfb.js';
import type { Aead, BlockCrypt } from './types.js';

export const GCM_NONCE_SIZE = 12;
export const GCM_TAG_SIZE = 16;

/** What every implementation of kcp-go's GCM packet format shares: its sizes, and no same-length transform. */
export abstract class GcmPacketCipher implements BlockCrypt, Aead {
  readonly nonceSize = GCM_NONCE_SIZE;
  readonly overhead = GCM_TAG_SIZE;

  get aead(): Aead {
    return this;
  }

  /** An AEAD cipher seals whole datagrams (sealPacket), changing their length; there is no same-length transform. */
  encrypt(): void {
    throw new TypeError('aes-128-gcm seals whole datagrams: use sealPacket/openPacket, not encrypt');
  }
  decrypt(): void {
    throw new TypeError('aes-128-gcm opens whole datagrams: use sealPacket/openPacket, not decrypt');
  }

  abstract seal(packet: Uint8Array): void;
  abstract open(packet: Uint8Array): boolean;
}

export class AesGcmBlock extends GcmPacketCipher {
  private readonly rk: Int32Array;
  /** T[i][v] as words: (i * 256 + v) * 4 + word. */
  private readonly table = new Int32Array(16 * 256 * 4);
  /** The AES register: a counter block, then its keystream. */
  private readonly x = new Int32Array(4);

  /** A 16, 24 or 32-byte key (kcptun passes 16: AES-128), as Go's aes.NewCipher. */
  constructor(key: Uint8Array) {
    super();
    this.rk = expandAesKey(key);
    const h = new Int32Array(4);
    aesEncryptWords(this.rk, h); // H = E(0^128)
    this.fillTable(h);
  }

  /**
   * T[i][0x80 >> j] = H·x^(8i + j) (GCM's bit order: the first bit of the
   * block is the coefficient of x^0, so multiplying by x shifts right), and
   * T[i] is linear in v, so every other entry is an XOR of two filled ones.
   */
  private fillTable(h: Int32Array): void {
    const t = this.table;
    let v0 = h[0]!, v1 = h[1]!, v2 = h[2]!, v3 = h[3]!;
    for (let i = 0; i < 16; i++) {
      const base = i * 1024;
      for (let bit = 0x80; bit > 0; bit >>= 1) {
        const o = base + bit * 4;
        t[o] = v0;
        t[o + 1] = v1;
        t[o + 2] = v2;
        t[o + 3] = v3;
        // ·x: shift the 128 bits right by one; a bit carried out of x^127 folds back as x^128 = x^7 + x^2 + x + 1 (0xe1 at the front).
        const carry = v3 & 1;
        v3 = (v3 >>> 1) | (v2 << 31);
        v2 = (v2 >>> 1) | (v1 << 31);
        v1 = (v1 >>> 1) | (v0 << 31);
        v0 = (v0 >>> 1) ^ (carry ? 0xe1000000 : 0);
      }
      for (let v = 2; v < 256; v <<= 1) {
        for (let low = 1; low < v; low++) {
          const o = base + (v + low) * 4;
          const a = base + v * 4;
          const b = base + low * 4;
          t[o] = t[a]! ^ t[b]!;
          t[o + 1] = t[a + 1]! ^ t[b + 1]!;
          t[o + 2] = t[a + 2]! ^ t[b + 2]!;
          t[o + 3] = t[a + 3]! ^ t[b + 3]!;
        }
      }
    }
  }

  /**
   * Seals packet in place: packet[0, 12) is the nonce (already filled),
   * packet[12, length - 16) the plaintext, the last 16 bytes room for the tag.
   */
  seal(packet: Uint8Array): void {
    if (packet.length < GCM_NONCE_SIZE + GCM_TAG_SIZE) throw new RangeError(`a sealed packet needs ${GCM_NONCE_SIZE + GCM_TAG_SIZE} bytes of nonce and tag room; got ${packet.length}`);
    this.crypt(packet, true);
    const end = packet.length - GCM_TAG_SIZE;
    for (let i = 0; i < 4; i++) stBE(packet, end + 4 * i, this.s[i]!);
  }

  /**
   * Opens packet in place (same layout as seal); true if the tag holds. On
   * false the payload bytes are garbage and must be dropped. Never throws.
   */
  open(packet: Uint8Array): boolean {
    if (packet.length < GCM_NONCE_SIZE + GCM_TAG_SIZE) return false;
    this.crypt(packet, false);
    const end = packet.length - GCM_TAG_SIZE;
    let diff = 0;
    for (let i = 0; i < 4; i++) diff |= ldBE(packet, end + 4 * i) ^ this.s[i]!;
    return diff === 0;
  }

  /** The tag of the last crypt(): GHASH, then masked with E(J0). */
  private readonly s = new Int32Array(4);

  /** CTR over the payload and GHASH over the ciphertext, block by block; leaves the tag in this.s. */
  private crypt(p: Uint8Array, sealing: boolean): void {
    const { rk, x, table: t } = this;
    const n0 = ldBE(p, 0);
    const n1 = ldBE(p, 4);
    const n2 = ldBE(p, 8);
    const end = p.length - GCM_TAG_SIZE;
    let y0 = 0, y1 = 0, y2 = 0, y3 = 0;
    // Counter 1 (J0) masks the tag; the payload starts at 2.
    let ctr = 2;
    for (let o = GCM_NONCE_SIZE; o < end; o += 16, ctr++) {
      x[0] = n0;
      x[1] = n1;
      x[2] = n2;
      x[3] = ctr;
      aesEncryptWords(rk, x);
      let c0: number, c1: number, c2: number, c3: number;
      if (o + 16 <= end) {
        const w0 = ldBE(p, o), w1 = ldBE(p, o + 4), w2 = ldBE(p, o + 8), w3 = ldBE(p, o + 12);
        const k0 = w0 ^ x[0]!, k1 = w1 ^ x[1]!, k2 = w2 ^ x[2]!, k3 = w3 ^ x[3]!;
        stBE(p, o, k0);
        stBE(p, o + 4, k1);
        stBE(p, o + 8, k2);
        stBE(p, o + 12, k3);
        if (sealing) (c0 = k0), (c1 = k1), (c2 = k2), (c3 = k3);
        else (c0 = w0), (c1 = w1), (c2 = w2), (c3 = w3);
      } else {
        // A short last block: GHASH takes the ciphertext zero-padded to 16 bytes.
        const c = this.last;
        c.fill(0);
        for (let i = 0; o + i < end; i++) {
          const ks = (x[i >> 2]! >>> (24 - 8 * (i & 3))) & 255;
          const before = p[o + i]!;
          p[o + i] = before ^ ks;
          c[i] = sealing ? before ^ ks : before;
        }
        c0 = ldBE(c, 0);
        c1 = ldBE(c, 4);
        c2 = ldBE(c, 8);
        c3 = ldBE(c, 12);
      }
      y0 ^= c0;
      y1 ^= c1;
      y2 ^= c2;
      y3 ^= c3;
      // y = y·H, a table row per byte.
      let z0 = 0, z1 = 0, z2 = 0, z3 = 0, r = 0;
      r = (y0 >>> 22) & 1020; z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 1024 + ((y0 >>> 14) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 2048 + ((y0 >>> 6) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 3072 + ((y0 << 2) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 4096 + ((y1 >>> 22) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 5120 + ((y1 >>> 14) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 6144 + ((y1 >>> 6) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 7168 + ((y1 << 2) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 8192 + ((y2 >>> 22) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 9216 + ((y2 >>> 14) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 10240 + ((y2 >>> 6) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 11264 + ((y2 << 2) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 12288 + ((y3 >>> 22) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 13312 + ((y3 >>> 14) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 14336 + ((y3 >>> 6) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      r = 15360 + ((y3 << 2) & 1020); z0 ^= t[r]!; z1 ^= t[r + 1]!; z2 ^= t[r + 2]!; z3 ^= t[r + 3]!;
      y0 = z0;
      y1 = z1;
      y2 = z2;
      y3 = z3;
    }
    // The lengths block: no additional data, then the payload's length in bits (64-bit big-endian; a datagram's fits in 32).
    y3 ^= (end - GCM_NONCE_SIZE) * 8;
    const s = this.s;
    s[0] = y0;
    s[1] = y1;
    s[2] = y2;
    s[3] = y3;
    this.mulH(s);
    x[0] = n0;
    x[1] = n1;
    x[2] = n2;
    x[3] = 1;
    aesEncryptWords(rk, x);
    for (let i = 0; i < 4; i++) s[i] ^= x[i]!;
  }

  /** s = s·H (the lengths block; the loop above has the same steps inline). */
  private mulH(s: Int32Array): void {
    const t = this.table;
    let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
    for (let i = 0; i < 16; i++) {
      const r = i * 1024 + ((s[i >> 2]! >>> (24 - 8 * (i & 3))) & 255) * 4;
      z0 ^= t[r]!;
      z1 ^= t[r + 1]!;
      z2 ^= t[r + 2]!;
      z3 ^= t[r + 3]!;
    }
    s[0] = z0;
    s[1] = z1;
    s[2] = z2;
    s[3] = z3;
  }

  /** A short last block, zero-padded. */
  private readonly last = new Uint8Array(16);
}
