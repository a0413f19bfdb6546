/**
 * CAST-128 / CAST5 (RFC 2144) with a 128-bit key: 16 rounds of the three
 * round-function types, big-endian. The key schedule is written below as the
 * RFC's own equations and interpreted once per key.
 */
import { CAST5_SBOX } from './_tables.js';
import { be32, putBe32, type BlockCipher } from './_cfb.js';

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
    return { dst: lhs === 'K' ? -1 : word(lhs), src: parts[0]!.startsWith('S') ? -1 : word(parts[0]!), terms };
  });

const S = (box: number, i: number): number => CAST5_SBOX[box * 256 + i]!;

export class Cast5 implements BlockCipher {
  readonly blockSize = 8;
  private readonly km = new Uint32Array(16);
  private readonly kr = new Uint8Array(16);

  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError(`cast5 needs a 16-byte key; got ${key.length}`);
    const w = new Uint32Array(8); // x0..xF then z0..zF as big-endian words
    for (let i = 0; i < 4; i++) w[i] = be32(key, 4 * i);
    const byteAt = (i: number) => (w[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
    const k: number[] = [];
    for (let pass = 0; pass < 2; pass++) {
      for (const { dst, src, terms } of STEPS) {
        let v = src >= 0 ? w[src]! : 0;
        for (const [box, b] of terms) v ^= S(box, byteAt(b));
        if (dst >= 0) w[dst] = v;
        else k.push(v >>> 0);
      }
    }
    for (let i = 0; i < 16; i++) {
      this.km[i] = k[i]!;
      this.kr[i] = k[16 + i]! & 31;
    }
  }

  encryptBlock(src: Uint8Array, so: number, dst: Uint8Array, dof: number): void {
    let l = be32(src, so);
    let r = be32(src, so + 4);
    for (let i = 0; i < 16; i++) {
      const type = i % 3;
      const m = this.km[i]!;
      const t = type === 0 ? (m + r) >>> 0 : type === 1 ? (m ^ r) >>> 0 : (m - r) >>> 0;
      const n = this.kr[i]!;
      const I = n === 0 ? t : ((t << n) | (t >>> (32 - n))) >>> 0;
      const a = S(0, I >>> 24);
      const b = S(1, (I >>> 16) & 0xff);
      const c = S(2, (I >>> 8) & 0xff);
      const d = S(3, I & 0xff);
      // RFC 2144 §2.2: the three round-function types.
      const f = type === 0 ? ((a ^ b) - c + d) >>> 0 : type === 1 ? (((a - b) >>> 0) + c) ^ d : ((((a + b) >>> 0) ^ c) - d) >>> 0;
      [l, r] = [r, (l ^ f) >>> 0];
    }
    putBe32(dst, dof, r);
    putBe32(dst, dof + 4, l);
  }
}
