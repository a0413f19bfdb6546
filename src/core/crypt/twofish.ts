/**
 * Twofish (128-bit blocks, little-endian words), with key-dependent S-boxes
 * folded with the MDS matrix into four 256-word tables at key setup. kcptun
 * passes the whole 32-byte key.
 */
import { TWOFISH_Q, TWOFISH_RS } from './tables.gen.js';
import { Cfb128 } from './_cfb.js';

const MDS_POLY = 0x169; // x^8 + x^6 + x^5 + x^3 + 1
const RS_POLY = 0x14d; // x^8 + x^6 + x^3 + x^2 + 1

function gfMul(a: number, b: number, poly: number): number {
  let r = 0;
  for (; b; b >>= 1) {
    if (b & 1) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= poly;
  }
  return r;
}

/** Column `col` of the MDS matrix times byte `x`, as a little-endian word. */
function mdsColumn(x: number, col: number): number {
  const m1 = x;
  const m5b = gfMul(x, 0x5b, MDS_POLY);
  const mef = gfMul(x, 0xef, MDS_POLY);
  const cols = [
    [m1, m5b, mef, mef],
    [mef, mef, m5b, m1],
    [m5b, mef, m1, mef],
    [m5b, m1, mef, m5b],
  ][col];
  return (cols[0] | (cols[1] << 8) | (cols[2] << 16) | (cols[3] << 24)) >>> 0;
}

const q = (which: number, x: number): number => TWOFISH_Q[which * 256 + x];
/** Which q permutation each byte lane passes through at each stage of h (Twofish §4.3.2). */
const LANE_Q = [
  [1, 0, 0, 1], // stage used only with a 256-bit key
  [1, 1, 0, 0], // stage used with 192- and 256-bit keys
  [0, 1, 0, 1], // always
  [0, 0, 1, 1], // always
  [1, 0, 1, 0], // always (last)
];

/** The byte permutation part of h: x through q-boxes keyed by the k words in L (L[0] applied last). */
function hBytes(x: number, lane: number, L: Uint8Array[]): number {
  const k = L.length;
  let y = x;
  if (k === 4) y = q(LANE_Q[0][lane], y) ^ L[3][lane];
  if (k >= 3) y = q(LANE_Q[1][lane], y) ^ L[2][lane];
  y = q(LANE_Q[2][lane], y) ^ L[1][lane];
  y = q(LANE_Q[3][lane], y) ^ L[0][lane];
  return q(LANE_Q[4][lane], y);
}

function h(x: number, L: Uint8Array[]): number {
  let r = 0;
  for (let lane = 0; lane < 4; lane++) r ^= mdsColumn(hBytes(x, lane, L), lane);
  return r >>> 0;
}

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

export class TwofishBlock extends Cfb128 {
  private readonly K = new Int32Array(40);
  /** Key-dependent S-boxes times MDS, one table per input byte lane: g(x) = S0[x0] ^ S1[x1] ^ S2[x2] ^ S3[x3]. */
  private readonly S0 = new Int32Array(256);
  private readonly S1 = new Int32Array(256);
  private readonly S2 = new Int32Array(256);
  private readonly S3 = new Int32Array(256);

  constructor(key: Uint8Array) {
    super(true);
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new RangeError(`twofish needs a 16, 24 or 32-byte key; got ${key.length}`);
    const k = key.length / 8;
    const word = (i: number) => key.subarray(4 * i, 4 * i + 4);
    const Me = Array.from({ length: k }, (_, i) => word(2 * i));
    const Mo = Array.from({ length: k }, (_, i) => word(2 * i + 1));
    // S words: RS times each 8-byte key chunk, used in reverse order.
    const Svec: Uint8Array[] = [];
    for (let i = 0; i < k; i++) {
      const s = new Uint8Array(4);
      for (let row = 0; row < 4; row++) {
        let v = 0;
        for (let c = 0; c < 8; c++) v ^= gfMul(key[8 * i + c], TWOFISH_RS[row * 8 + c], RS_POLY);
        s[row] = v;
      }
      Svec.unshift(s);
    }
    for (let i = 0; i < 20; i++) {
      const A = h(2 * i, Me);
      const B = rotl(h(2 * i + 1, Mo), 8);
      this.K[2 * i] = A + B;
      this.K[2 * i + 1] = rotl((A + 2 * B) | 0, 9);
    }
    const lanes = [this.S0, this.S1, this.S2, this.S3];
    for (let lane = 0; lane < 4; lane++) {
      for (let x = 0; x < 256; x++) lanes[lane][x] = mdsColumn(hBytes(x, lane, Svec), lane);
    }
    this.keyed();
  }

  protected encryptWords(x: Int32Array): void {
    const { K, S0, S1, S2, S3 } = this;
    // Input whitening.
    let a = x[0] ^ K[0];
    let b = x[1] ^ K[1];
    let c = x[2] ^ K[2];
    let d = x[3] ^ K[3];
    for (let i = 8; i < 40; i += 4) {
      // Two rounds per pass; the halves swap roles instead of places.
      let t0 = S0[a & 255] ^ S1[(a >>> 8) & 255] ^ S2[(a >>> 16) & 255] ^ S3[a >>> 24];
      let t1 = S0[b >>> 24] ^ S1[b & 255] ^ S2[(b >>> 8) & 255] ^ S3[(b >>> 16) & 255]; // g(rotl(b, 8))
      c ^= (t0 + t1 + K[i]) | 0;
      c = (c >>> 1) | (c << 31);
      d = ((d << 1) | (d >>> 31)) ^ ((t0 + 2 * t1 + K[i + 1]) | 0);
      t0 = S0[c & 255] ^ S1[(c >>> 8) & 255] ^ S2[(c >>> 16) & 255] ^ S3[c >>> 24];
      t1 = S0[d >>> 24] ^ S1[d & 255] ^ S2[(d >>> 8) & 255] ^ S3[(d >>> 16) & 255];
      a ^= (t0 + t1 + K[i + 2]) | 0;
      a = (a >>> 1) | (a << 31);
      b = ((b << 1) | (b >>> 31)) ^ ((t0 + 2 * t1 + K[i + 3]) | 0);
    }
    // Undo the last swap, output whitening.
    x[0] = c ^ K[4];
    x[1] = d ^ K[5];
    x[2] = a ^ K[6];
    x[3] = b ^ K[7];
  }
}
