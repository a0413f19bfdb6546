/**
 * CAST-128 / CAST5 (RFC 2144) with a 128-bit key, as golang.org/x/crypto/cast5:
 * 16 rounds cycling through the three round-function types, big-endian
 * words. The key schedule is written below as the RFC's own equations and
 * interpreted once per key; the rounds are unrolled.
 */
import { CAST5_SBOX } from './tables.gen.js';
import { Cfb64, ldBE } from './_cfb.js';

/**
 * RFC 2144 §2.4. "z0z1z2z3" names four bytes of the working key (x0..xF are
 * the key, z0..zF the temporary); "K" lines emit the next subkey. The
 * sequence runs twice: K1..K16 are the masking keys, K17..K32 the rotations.
 */
const SCHEDULE = `
z0z1z2z3 = x0x1x2x3 ^ S5[xD] ^ S6[xF] ^ S7[xC] ^ S8[xE] ^ S7[x8]
z4z5z6z7 = x8x9xAxB ^ S5[z0] ^ S6[z2] ^ S7[z1] ^ S8[z3] ^ S8[xA]
z8z9zAzB = xCxDxExF ^ S5[z7] ^ S6[z6] ^ S7[z5] ^ S8[z4] ^ S5[x9]
zCzDzEzF = x4x5x6x7 ^ S5[zA] ^ S6[z9] ^ S7[zB] ^ S8[z8] ^ S6[xB]
K = S5[z8] ^ S6[z9] ^ S7[z7] ^ S8[z6] ^ S5[z2]
K = S5[zA] ^ S6[zB] ^ S7[z5] ^ S8[z4] ^ S6[z6]
K = S5[zC] ^ S6[zD] ^ S7[z3] ^ S8[z2] ^ S7[z9]
K = S5[zE] ^ S6[zF] ^ S7[z1] ^ S8[z0] ^ S8[zC]
x0x1x2x3 = z8z9zAzB ^ S5[z5] ^ S6[z7] ^ S7[z4] ^ S8[z6] ^ S7[z0]
x4x5x6x7 = z0z1z2z3 ^ S5[x0] ^ S6[x2] ^ S7[x1] ^ S8[x3] ^ S8[z2]
x8x9xAxB = z4z5z6z7 ^ S5[x7] ^ S6[x6] ^ S7[x5] ^ S8[x4] ^ S5[z1]
xCxDxExF = zCzDzEzF ^ S5[xA] ^ S6[x9] ^ S7[xB] ^ S8[x8] ^ S6[z3]
K = S5[x3] ^ S6[x2] ^ S7[xC] ^ S8[xD] ^ S5[x8]
K = S5[x1] ^ S6[x0] ^ S7[xE] ^ S8[xF] ^ S6[xD]
K = S5[x7] ^ S6[x6] ^ S7[x8] ^ S8[x9] ^ S7[x3]
K = S5[x5] ^ S6[x4] ^ S7[xA] ^ S8[xB] ^ S8[x7]
z0z1z2z3 = x0x1x2x3 ^ S5[xD] ^ S6[xF] ^ S7[xC] ^ S8[xE] ^ S7[x8]
z4z5z6z7 = x8x9xAxB ^ S5[z0] ^ S6[z2] ^ S7[z1] ^ S8[z3] ^ S8[xA]
z8z9zAzB = xCxDxExF ^ S5[z7] ^ S6[z6] ^ S7[z5] ^ S8[z4] ^ S5[x9]
zCzDzEzF = x4x5x6x7 ^ S5[zA] ^ S6[z9] ^ S7[zB] ^ S8[z8] ^ S6[xB]
K = S5[z3] ^ S6[z2] ^ S7[zC] ^ S8[zD] ^ S5[z9]
K = S5[z1] ^ S6[z0] ^ S7[zE] ^ S8[zF] ^ S6[zC]
K = S5[z7] ^ S6[z6] ^ S7[z8] ^ S8[z9] ^ S7[z2]
K = S5[z5] ^ S6[z4] ^ S7[zA] ^ S8[zB] ^ S8[z6]
x0x1x2x3 = z8z9zAzB ^ S5[z5] ^ S6[z7] ^ S7[z4] ^ S8[z6] ^ S7[z0]
x4x5x6x7 = z0z1z2z3 ^ S5[x0] ^ S6[x2] ^ S7[x1] ^ S8[x3] ^ S8[z2]
x8x9xAxB = z4z5z6z7 ^ S5[x7] ^ S6[x6] ^ S7[x5] ^ S8[x4] ^ S5[z1]
xCxDxExF = zCzDzEzF ^ S5[xA] ^ S6[x9] ^ S7[xB] ^ S8[x8] ^ S6[z3]
K = S5[x8] ^ S6[x9] ^ S7[x7] ^ S8[x6] ^ S5[x3]
K = S5[xA] ^ S6[xB] ^ S7[x5] ^ S8[x4] ^ S6[x7]
K = S5[xC] ^ S6[xD] ^ S7[x3] ^ S8[x2] ^ S7[x8]
K = S5[xE] ^ S6[xF] ^ S7[x1] ^ S8[x0] ^ S8[xD]
`;

/** A byte name ("x9", "zC") as an index into the 32-byte working key. */
const byteIndex = (name: string): number => (name[0] === 'z' ? 16 : 0) + parseInt(name.slice(1), 16);

type Step = { dst: number; src: number; terms: Array<[box: number, byte: number]> };
const STEPS: Step[] = SCHEDULE.trim()
  .split('\n')
  .map((line) => {
    const [lhs, rhs] = line.split(' = ') as [string, string];
    const parts = rhs.split(' ^ ');
    const terms = parts.filter((p) => p.startsWith('S')).map((p): [number, number] => [Number(p[1]) - 1, byteIndex(p.slice(3, -1))]);
    // dst/src are word indices 0..7 (x words 0..3, z words 4..7); -1 for subkey lines.
    const word = (s: string) => byteIndex(s.slice(0, 2)) / 4;
    return { dst: lhs === 'K' ? -1 : word(lhs), src: parts[0].startsWith('S') ? -1 : word(parts[0]), terms };
  });

const S = (box: number, i: number): number => CAST5_SBOX[box * 256 + i];
const S1 = new Int32Array(CAST5_SBOX.subarray(0, 256));
const S2 = new Int32Array(CAST5_SBOX.subarray(256, 512));
const S3 = new Int32Array(CAST5_SBOX.subarray(512, 768));
const S4 = new Int32Array(CAST5_SBOX.subarray(768, 1024));

export class Cast5Block extends Cfb64 {
  /** Masking subkeys Km1..Km16 and rotation subkeys Kr1..Kr16 (5 bits each). */
  private readonly km = new Int32Array(16);
  private readonly kr = new Int32Array(16);

  constructor(key: Uint8Array) {
    super();
    if (key.length !== 16) throw new RangeError(`cast5 needs a 16-byte key; got ${key.length}`);
    const w = new Uint32Array(8); // x0..xF then z0..zF as big-endian words
    for (let i = 0; i < 4; i++) w[i] = ldBE(key, 4 * i);
    const byteAt = (i: number) => (w[i >> 2] >>> (24 - 8 * (i & 3))) & 0xff;
    const k: number[] = [];
    for (let pass = 0; pass < 2; pass++) {
      for (const { dst, src, terms } of STEPS) {
        let v = src >= 0 ? w[src] : 0;
        for (const [box, b] of terms) v ^= S(box, byteAt(b));
        if (dst >= 0) w[dst] = v;
        else k.push(v);
      }
    }
    for (let i = 0; i < 16; i++) {
      this.km[i] = k[i];
      this.kr[i] = k[16 + i] & 31;
    }
    this.keyed();
  }

  protected encryptWords(x: Int32Array): void {
    const km = this.km;
    const kr = this.kr;
    let l = x[0];
    let r = x[1];
    let t: number;
    let n: number;
    // RFC 2144 §2.2: round i uses function type 1, 2, 3, 1, 2, ... (sums and
    // differences mod 2^32). Written out rather than as helper functions, which
    // V8 stops inlining part way through the 16 rounds.
    for (let i = 0; i < 15; i += 3) {
      t = (km[i] + r) | 0;
      n = kr[i];
      t = (t << n) | (t >>> (32 - n));
      t = l ^ ((((S1[t >>> 24] ^ S2[(t >>> 16) & 255]) - S3[(t >>> 8) & 255]) | 0) + S4[t & 255]);
      l = r;
      r = t;
      t = km[i + 1] ^ r;
      n = kr[i + 1];
      t = (t << n) | (t >>> (32 - n));
      t = l ^ ((((S1[t >>> 24] - S2[(t >>> 16) & 255]) | 0) + S3[(t >>> 8) & 255]) ^ S4[t & 255]);
      l = r;
      r = t;
      t = (km[i + 2] - r) | 0;
      n = kr[i + 2];
      t = (t << n) | (t >>> (32 - n));
      t = l ^ ((((S1[t >>> 24] + S2[(t >>> 16) & 255]) | 0) ^ S3[(t >>> 8) & 255]) - S4[t & 255]);
      l = r;
      r = t;
    }
    t = (km[15] + r) | 0;
    n = kr[15];
    t = (t << n) | (t >>> (32 - n));
    t = l ^ ((((S1[t >>> 24] ^ S2[(t >>> 16) & 255]) - S3[(t >>> 8) & 255]) | 0) + S4[t & 255]);
    // The output is R16 || L16: the last round does not swap.
    x[0] = t;
    x[1] = r;
  }
}
