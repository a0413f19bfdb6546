/**
 * TEA and XTEA, big-endian words as golang.org/x/crypto's. kcp-go builds TEA
 * with `tea.NewCipherWithRounds(key, 16)`: 16 Feistel rounds (8 cycles), not
 * the 64 rounds that x/crypto's tea.NewCipher uses by default. XTEA keeps its
 * standard 64 rounds.
 */
import { Cfb64, ldBE } from './_cfb.js';

const DELTA = 0x9e3779b9 | 0;

function checkKey(key: Uint8Array, name: string): void {
  if (key.length !== 16) throw new RangeError(`${name} needs a 16-byte key; got ${key.length}`);
}

export class TeaBlock extends Cfb64 {
  /** Key words then the cycle count, in one typed array: number fields declared without a value are slower to read in V8. */
  private readonly k = new Int32Array(5);

  constructor(key: Uint8Array, rounds = 16) {
    super();
    checkKey(key, 'tea');
    if (rounds <= 0 || rounds % 2 !== 0) throw new RangeError(`tea needs an even, positive number of rounds; got ${rounds}`);
    for (let i = 0; i < 4; i++) this.k[i] = ldBE(key, 4 * i);
    this.k[4] = rounds / 2;
    this.keyed();
  }

  protected encryptWords(x: Int32Array): void {
    const k = this.k;
    const k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3];
    let v0 = x[0];
    let v1 = x[1];
    let sum = 0;
    for (let i = k[4]; i > 0; i--) {
      sum = (sum + DELTA) | 0;
      v0 = (v0 + ((((v1 << 4) + k0) | 0) ^ ((v1 + sum) | 0) ^ (((v1 >>> 5) + k1) | 0))) | 0;
      v1 = (v1 + ((((v0 << 4) + k2) | 0) ^ ((v0 + sum) | 0) ^ (((v0 >>> 5) + k3) | 0))) | 0;
    }
    x[0] = v0;
    x[1] = v1;
  }
}

export class XteaBlock extends Cfb64 {
  /** The 64 per-round key+sum values, precomputed as x/crypto/xtea does. */
  private readonly table = new Int32Array(64);

  constructor(key: Uint8Array) {
    super();
    checkKey(key, 'xtea');
    const k = [ldBE(key, 0), ldBE(key, 4), ldBE(key, 8), ldBE(key, 12)];
    for (let i = 0, sum = 0; i < 64; ) {
      this.table[i++] = sum + k[sum & 3];
      sum = (sum + DELTA) | 0;
      this.table[i++] = sum + k[(sum >>> 11) & 3];
    }
    this.keyed();
  }

  protected encryptWords(x: Int32Array): void {
    const t = this.table;
    let v0 = x[0];
    let v1 = x[1];
    for (let i = 0; i < 64; i += 2) {
      v0 = (v0 + (((((v1 << 4) ^ (v1 >>> 5)) + v1) | 0) ^ t[i])) | 0;
      v1 = (v1 + (((((v0 << 4) ^ (v0 >>> 5)) + v0) | 0) ^ t[i + 1])) | 0;
    }
    x[0] = v0;
    x[1] = v1;
  }
}
