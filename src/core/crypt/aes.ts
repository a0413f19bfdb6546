/**
 * AES-128/192/256 (chosen by key length, as Go's aes.NewCipher), encryption
 * direction only since CFB never decrypts blocks. Classic big-endian T-table
 * form: four 1 KiB tables that stay in L1 cache. We tried @noble/ciphers'
 * block function (two 256 KiB merged tables, a result object per block); this
 * one is faster inside kcp-go's CFB loop and costs no startup time.
 */
import { Cfb128 } from './_cfb.js';

const SBOX = new Int32Array(256);
const TE0 = new Int32Array(256);
const TE1 = new Int32Array(256);
const TE2 = new Int32Array(256);
const TE3 = new Int32Array(256);
{
  // The S-box from its definition: multiplicative inverse in GF(2^8), then the affine map.
  const xtime = (a: number): number => ((a << 1) ^ (a & 0x80 ? 0x11b : 0)) & 0xff;
  const exp = new Uint8Array(255);
  const log = new Uint8Array(256);
  for (let i = 0, a = 1; i < 255; i++, a ^= xtime(a)) {
    exp[i] = a; // powers of the generator 3
    log[a] = i;
  }
  const rotl8 = (a: number, n: number): number => ((a << n) | (a >>> (8 - n))) & 0xff;
  for (let a = 0; a < 256; a++) {
    const inv = a === 0 ? 0 : exp[(255 - log[a]) % 255];
    const s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
    SBOX[a] = s;
    // SubBytes + MixColumns for one input byte: column (2s, s, s, 3s), rotated per row.
    const t = (xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s);
    TE0[a] = t;
    TE1[a] = (t >>> 8) | (t << 24);
    TE2[a] = (t >>> 16) | (t << 16);
    TE3[a] = (t >>> 24) | (t << 8);
  }
}

const subWord = (w: number): number => (SBOX[w >>> 24] << 24) | (SBOX[(w >>> 16) & 255] << 16) | (SBOX[(w >>> 8) & 255] << 8) | SBOX[w & 255];

/** The AES key schedule: 4 * (rounds + 1) big-endian words for a 16, 24 or 32-byte key. */
export function expandAesKey(key: Uint8Array): Int32Array {
  const nk = key.length / 4;
  if (nk !== 4 && nk !== 6 && nk !== 8) throw new RangeError(`aes needs a 16, 24 or 32-byte key; got ${key.length}`);
  const w = new Int32Array(4 * (nk + 7)); // nk + 6 rounds

  for (let i = 0; i < nk; i++) w[i] = (key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3];
  for (let i = nk, rcon = 1; i < w.length; i++) {
    let t = w[i - 1];
    if (i % nk === 0) {
      t = subWord((t << 8) | (t >>> 24)) ^ (rcon << 24);
      rcon = ((rcon << 1) ^ (rcon & 0x80 ? 0x11b : 0)) & 0xff;
    } else if (nk > 6 && i % nk === 4) {
      t = subWord(t);
    }
    w[i] = w[i - nk] ^ t;
  }
  return w;
}

/** Encrypts one block, four big-endian words, in place under the schedule rk (expandAesKey). */
export function aesEncryptWords(rk: Int32Array, x: Int32Array): void {
  let s0 = x[0] ^ rk[0];
  let s1 = x[1] ^ rk[1];
  let s2 = x[2] ^ rk[2];
  let s3 = x[3] ^ rk[3];
  let k = 4;
  for (let r = rk.length / 4 - 2; r > 0; r--, k += 4) {
    const t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 255] ^ TE2[(s2 >>> 8) & 255] ^ TE3[s3 & 255] ^ rk[k];
    const t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 255] ^ TE2[(s3 >>> 8) & 255] ^ TE3[s0 & 255] ^ rk[k + 1];
    const t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 255] ^ TE2[(s0 >>> 8) & 255] ^ TE3[s1 & 255] ^ rk[k + 2];
    const t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 255] ^ TE2[(s1 >>> 8) & 255] ^ TE3[s2 & 255] ^ rk[k + 3];
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  // Last round: no MixColumns.
  x[0] = ((SBOX[s0 >>> 24] << 24) | (SBOX[(s1 >>> 16) & 255] << 16) | (SBOX[(s2 >>> 8) & 255] << 8) | SBOX[s3 & 255]) ^ rk[k];
  x[1] = ((SBOX[s1 >>> 24] << 24) | (SBOX[(s2 >>> 16) & 255] << 16) | (SBOX[(s3 >>> 8) & 255] << 8) | SBOX[s0 & 255]) ^ rk[k + 1];
  x[2] = ((SBOX[s2 >>> 24] << 24) | (SBOX[(s3 >>> 16) & 255] << 16) | (SBOX[(s0 >>> 8) & 255] << 8) | SBOX[s1 & 255]) ^ rk[k + 2];
  x[3] = ((SBOX[s3 >>> 24] << 24) | (SBOX[(s0 >>> 16) & 255] << 16) | (SBOX[(s1 >>> 8) & 255] << 8) | SBOX[s2 & 255]) ^ rk[k + 3];
}

export class AesBlock extends Cfb128 {
  /** Expanded key: 4 * (rounds + 1) words, computed once per key. */
  private readonly rk: Int32Array;

  constructor(key: Uint8Array) {
    super(false);
    this.rk = expandAesKey(key);
    this.keyed();
  }

  protected encryptWords(x: Int32Array): void {
    aesEncryptWords(this.rk, x);
  }
}
