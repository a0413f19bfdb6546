/**
 * Quantum Permutation Pad (xtaci/qpp, as kcptun's --QPP uses it), byte for
 * byte: a size-preserving stream cipher over the bytes of a smux stream.
 *
 * Pads: `count` permutations of 0..255, each a Fisher–Yates shuffle whose
 * random indices come from an HMAC-SHA256 digest that seven AES-256 keys
 * re-encrypt before every swap; the digest is read as a big-endian integer
 * modulo (i + 1). Keys and chunks come from the seed through PBKDF2-SHA1.
 *
 * Stream: a xoshiro256** generator seeded from the seed through HMAC-SHA256
 * and PBKDF2-SHA1. Each 64-bit output covers eight bytes: its low 16 bits
 * (mod count) pick the pad, byte k of it is XORed into the k-th plaintext
 * byte before the permutation. The position is kept across calls, so how
 * data is cut into writes does not change the output.
 */
import { AesBlock } from '../core/crypt/aes.js';
import { utf8 } from '../core/crypt/kdf.js';
import { pbkdf2Sha1 } from '../core/crypt/sha1.js';
import { hmacSha256 } from '../core/crypt/sha256.js';
import type { SmuxStream } from './stream.js';

const SHUFFLE_SALT = utf8('___QUANTUM_PERMUTATION_PAD_SHUFFLE_SALT___');
const PRNG_SALT = utf8('___QUANTUM_PERMUTATION_PAD_PRNG_SALT___');
const CHUNK_DERIVE_SALT = utf8('___QUANTUM_PERMUTATION_PAD_SEED_DERIVE___');
const PM_SELECTOR = utf8('PERMUTATION_MATRIX_SELECTOR');
const PBKDF2_LOOPS = 128;
const CHUNK_DERIVE_LOOPS = 1024;
/** ⌈log2(256!) / 8⌉ = 211 bytes of seed material, in 32-byte chunks. */
const CHUNKS = 7;

/** The seed's 32-byte chunks: the seed repeated cyclically, each chunk stretched by PBKDF2. */
function seedToChunks(seed: Uint8Array): Uint8Array[] {
  if (seed.length < 32) seed = pbkdf2Sha1(seed, CHUNK_DERIVE_SALT, PBKDF2_LOOPS, 32);
  const chunks: Uint8Array[] = [];
  for (let i = 0, idx = 0; i < CHUNKS; i++) {
    const c = new Uint8Array(32);
    for (let j = 0; j < 32; j++, idx++) c[j] = seed[idx % seed.length]!;
    chunks.push(pbkdf2Sha1(c, CHUNK_DERIVE_SALT, CHUNK_DERIVE_LOOPS, 32));
  }
  return chunks;
}

function shuffle(chunk: Uint8Array, pad: Uint8Array, padId: number, blocks: AesBlock[]): void {
  const sum = hmacSha256(chunk, utf8(`QPP_${padId.toString(2)}`));
  for (let i = 255; i > 0; i--) {
    for (const b of blocks) {
      b.encryptBlock(sum, 0, sum, 0);
      b.encryptBlock(sum, 16, sum, 16);
    }
    // The 256-bit digest as a big-endian integer, modulo i + 1.
    let j = 0;
    for (let k = 0; k < 32; k++) j = (j * 256 + sum[k]!) % (i + 1);
    const t = pad[i]!;
    pad[i] = pad[j]!;
    pad[j] = t;
  }
}

/** xoshiro256** on 32-bit halves, with the position within the current 64-bit output. */
export class QppRand {
  /** s0..s3 as (hi, lo) pairs. */
  private readonly s = new Uint32Array(8);
  /** The current output. */
  hi = 0;
  lo = 0;
  /** Bytes of the current output already used (0..7). */
  count = 0;

  /** kcptun's per-stream generator (xtaci/qpp CreatePRNG): every stream direction starts one from the raw key. */
  constructor(seed: Uint8Array | string) {
    const bytes = typeof seed === 'string' ? utf8(seed) : seed;
    const x = pbkdf2Sha1(hmacSha256(bytes, PM_SELECTOR), PRNG_SALT, PBKDF2_LOOPS, 32);
    const v = new DataView(x.buffer, x.byteOffset, 32);
    for (let i = 0; i < 4; i++) {
      this.s[2 * i] = v.getUint32(8 * i + 4, true);
      this.s[2 * i + 1] = v.getUint32(8 * i, true);
    }
    this.next();
  }

  /** Advances the state; the output lands in hi/lo. */
  next(): void {
    const s = this.s;
    const h1 = s[2]!, l1 = s[3]!;
    // result = rotl(s1 * 5, 7) * 9
    let l = (l1 << 2) >>> 0;
    let h = ((h1 << 2) | (l1 >>> 30)) >>> 0;
    let nl = (l + l1) >>> 0;
    h = (h + h1 + (nl < l ? 1 : 0)) >>> 0;
    l = nl;
    const rh = ((h << 7) | (l >>> 25)) >>> 0;
    const rl = ((l << 7) | (h >>> 25)) >>> 0;
    l = (rl << 3) >>> 0;
    h = ((rh << 3) | (rl >>> 29)) >>> 0;
    nl = (l + rl) >>> 0;
    this.hi = (h + rh + (nl < l ? 1 : 0)) >>> 0;
    this.lo = nl;
    // t = s1 << 17
    const th = ((h1 << 17) | (l1 >>> 15)) >>> 0;
    const tl = (l1 << 17) >>> 0;
    s[4]! ^= s[0]!; // s2 ^= s0
    s[5]! ^= s[1]!;
    s[6]! ^= h1; // s3 ^= s1
    s[7]! ^= l1;
    s[2]! ^= s[4]!; // s1 ^= s2
    s[3]! ^= s[5]!;
    s[0]! ^= s[6]!; // s0 ^= s3
    s[1]! ^= s[7]!;
    s[4]! ^= th; // s2 ^= t
    s[5]! ^= tl;
    // s3 = rotl(s3, 45): swap halves (32), then rotate by 13
    const h3 = s[6]!, l3 = s[7]!;
    s[6] = ((l3 << 13) | (h3 >>> 19)) >>> 0;
    s[7] = ((h3 << 13) | (l3 >>> 19)) >>> 0;
  }
}

export class QuantumPermutationPad {
  readonly count: number;
  private readonly pads: Uint8Array;
  private readonly rpads: Uint8Array;

  /** xtaci/qpp NewQPP: `count` pads (1..65535) from the seed (kcptun passes the raw --key). */
  constructor(seed: Uint8Array | string, count: number) {
    if (!Number.isInteger(count) || count < 1 || count > 65535) throw new RangeError(`QPP pad count must be an integer from 1 to 65535; got ${count}`);
    const bytes = typeof seed === 'string' ? utf8(seed) : seed;
    this.count = count;
    this.pads = new Uint8Array(count * 256);
    this.rpads = new Uint8Array(count * 256);
    const chunks = seedToChunks(bytes);
    const blocks = chunks.map((c) => new AesBlock(pbkdf2Sha1(c, SHUFFLE_SALT, PBKDF2_LOOPS, 32)));
    for (let i = 0; i < count; i++) {
      const pad = this.pads.subarray(i * 256, (i + 1) * 256);
      for (let k = 0; k < 256; k++) pad[k] = k;
      shuffle(chunks[i % CHUNKS]!, pad, i, blocks);
      const rpad = this.rpads.subarray(i * 256, (i + 1) * 256);
      for (let k = 0; k < 256; k++) rpad[pad[k]!] = k;
    }
  }

  /** Encrypts `data` in place, continuing `rand`'s keystream. */
  encrypt(data: Uint8Array, rand: QppRand): void {
    this.run(data, rand, this.pads, true);
  }

  /** Decrypts `data` in place, continuing `rand`'s keystream. */
  decrypt(data: Uint8Array, rand: QppRand): void {
    this.run(data, rand, this.rpads, false);
  }

  private run(data: Uint8Array, rand: QppRand, pads: Uint8Array, enc: boolean): void {
    const n = this.count;
    let { hi, lo, count } = rand;
    let base = ((lo & 0xffff) % n) << 8;
    for (let i = 0; i < data.length; i++) {
      const rr = (count < 4 ? lo >>> (count << 3) : hi >>> ((count - 4) << 3)) & 255;
      data[i] = enc ? pads[base + (data[i]! ^ rr)]! : pads[base + data[i]!]! ^ rr;
      if (++count === 8) {
        rand.next();
        hi = rand.hi;
        lo = rand.lo;
        count = 0;
        base = ((lo & 0xffff) % n) << 8;
      }
    }
    rand.count = count;
  }
}

/** The part of a smux stream that a byte pipe uses. */
export type StreamIO = Pick<SmuxStream, 'read' | 'write' | 'closeWrite' | 'close'>;

/**
 * kcptun's QPP port: what is written to `stream` is encrypted and what is
 * read from it decrypted, each direction with its own generator started
 * from `seed`, so every stream restarts the same keystream (as in kcptun).
 */
export function qppStream(stream: StreamIO, pad: QuantumPermutationPad, seed: Uint8Array | string): StreamIO {
  const wr = new QppRand(seed);
  const rd = new QppRand(seed);
  return {
    read: async () => {
      const c = await stream.read();
      if (c) pad.decrypt(c, rd);
      return c;
    },
    // A copy: the caller may reuse its buffer, and the keystream position must advance exactly once per byte.
    write: (data) => {
      const c = data.slice();
      pad.encrypt(c, wr);
      return stream.write(c);
    },
    closeWrite: () => stream.closeWrite(),
    close: () => stream.close(),
  };
}

/** kcptun's warnings for weak QPP settings: a seed under 211 bytes, fewer than 7 pads, or a count sharing a factor with 8. */
export function qppWarnings(seed: Uint8Array | string, count: number): string[] {
  const len = typeof seed === 'string' ? utf8(seed).length : seed.length;
  const out: string[] = [];
  if (len < 211) out.push(`QPP: the key is ${len} bytes; at least 211 are needed to reach every permutation of a pad`);
  if (count < CHUNKS) out.push(`QPP: ${count} pads are fewer than the ${CHUNKS} the seed is cut into`);
  if (count % 2 === 0) out.push(`QPP: a pad count of ${count} shares a factor with 8 (the bytes per pad switch); choose an odd prime such as 61`);
  return out;
}
