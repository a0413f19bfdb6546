/**
 * node:crypto fast path for kcp-go's CFB ciphers that OpenSSL has: AES
 * (CFB-128), SM4 and 3DES (CFB-64).
 *
 * kcp-go restarts CFB from its fixed IV on every packet, and a node Cipher
 * cannot be rewound, so creating one per packet costs more than AES itself.
 * Instead each direction keeps one long-lived stream that needs no rewinding
 * and yields CFB's keystream (E(C[i-1]), and E(IV) — a constant — for the
 * first block): decryption from one ECB call over the ciphertext, which
 * OpenSSL pipelines; encryption from one CBC call over the plaintext, whose
 * chain input P[i] ^ E(C[i-1]) is exactly C[i] (see encryptArena). Each
 * node:crypto call costs ~1 µs whatever its size, most of it the output
 * Buffer, so a session hands over a whole burst of packets per call
 * (encryptPackets/decryptPackets), and the XOR of keystream and data runs
 * over the whole burst at once in WebAssembly SIMD (xor.wat).
 *
 * Each cipher is checked against the TypeScript implementation when this
 * module loads; any that this OpenSSL lacks (or gets wrong) is left to the
 * TypeScript one. Which ciphers the default backend takes over is decided
 * by speed: see NATIVE_BY_DEFAULT.
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import * as zlib from 'node:zlib';
import { crc32 } from '../../core/crc32.js';
import type { BlockCrypt, Checksum, CipherBackend, CryptName } from '../../core/crypt/index.js';
import { INITIAL_VECTOR } from '../../core/crypt/_cfb.js';
import { AesBlock } from '../../core/crypt/aes.js';
import { TripleDesBlock } from '../../core/crypt/des.js';
import { Sm4Block } from '../../core/crypt/sm4.js';
import { createXorArena, XOR_ARENA_BYTES } from '../../core/wasm/xor.js';
import { createNodeGcm } from './gcm.js';

/**
 * The batch paths' scratch, shared by every cipher (each call is done with
 * it before it returns): packets in the first half, from 0; their keystream
 * in the second, from KEYSTREAM. ARENA_ROUND leaves the XOR's rounding room.
 */
const ARENA = createXorArena();
const KEYSTREAM = XOR_ARENA_BYTES / 2;
const ARENA_ROUND = KEYSTREAM - 128;
/**
 * The pieces of the current round in the arena (a packet, or the part of
 * one a round holds): where each starts, whether it begins its packet (else
 * it goes on with the piece before), which packet it is of and from which
 * byte. Typed arrays filled by index: a plain array emptied and refilled
 * per call would allocate its storage again each time.
 */
const MAX_PIECES = ARENA_ROUND / 8 + 1;
const ROUND = {
  count: 0,
  starts: new Int32Array(MAX_PIECES),
  begins: new Uint8Array(MAX_PIECES),
  pieces: new Int32Array(MAX_PIECES),
  offsets: new Int32Array(MAX_PIECES),
};

/** Views of arena[0, n) by n, made once: a single packet's round would otherwise take two new views per call. */
const ARENA_VIEWS: Uint8Array[] = [];
const MAX_CACHED_VIEW = 4096;
function arenaPrefix(n: number): Uint8Array {
  if (n > MAX_CACHED_VIEW) return ARENA.memory.subarray(0, n);
  return (ARENA_VIEWS[n] ??= ARENA.memory.subarray(0, n));
}

/** What NodeCfb.inArena does: kcp-go's exact CFB encryption, the batch kind (first blocks chained), or decryption. */
const EXACT_ENCRYPT = 0;
const ENCRYPT = 1;
const DECRYPT = 2;
type Mode = typeof EXACT_ENCRYPT | typeof ENCRYPT | typeof DECRYPT;

type Family = 'aes' | 'sm4' | '3des';

const FAMILY: Partial<Record<CryptName, Family>> = { aes: 'aes', 'aes-128': 'aes', 'aes-192': 'aes', sm4: 'sm4', '3des': '3des' };

/**
 * Measured here (Node 20, OpenSSL 3, x86-64 with AES-NI), encrypt+decrypt
 * of 1500 bytes: AES-128 ~560 MB/s native one packet per call, ~1390 in
 * bursts of 16, against ~115 in TypeScript, so AES goes native. SM4 (~123
 * native, batched or not, vs 108) and 3DES (~32 vs 29) are bound by the
 * cipher itself and gain too little to leave the TypeScript one.
 */
const NATIVE_BY_DEFAULT: ReadonlySet<Family> = new Set(['aes']);

/** OpenSSL's name of the block cipher, to which the mode is appended. */
function algorithm(family: Family, keyLength: number): string {
  return family === 'aes' ? `aes-${keyLength * 8}` : family === 'sm4' ? 'sm4' : 'des-ede3';
}

/** The pure TypeScript cipher of the same family: the reference for the self-test. */
function reference(family: Family, key: Uint8Array): BlockCrypt {
  return family === 'aes' ? new AesBlock(key) : family === 'sm4' ? new Sm4Block(key) : new TripleDesBlock(key);
}

class NodeCfb implements BlockCrypt {
  private readonly enc: Cipher;
  private readonly ecb: Cipher;
  /** E(IV): the first keystream block of every packet. */
  private readonly first: Uint8Array;
  /** The encryption stream's CBC register: its last output block. */
  private readonly register: Uint8Array;
  /** encrypt()/decrypt()'s packet as a batch of one: src in, dst out. */
  private readonly one: Uint8Array[] = [];
  private readonly oneOut: Uint8Array[] = [];

  constructor(
    algo: string,
    key: Uint8Array,
    private readonly bs: 8 | 16,
  ) {
    this.ecb = createCipheriv(`${algo}-ecb`, key, null).setAutoPadding(false);
    this.first = new Uint8Array(this.ecb.update(INITIAL_VECTOR.subarray(0, bs)));
    this.register = new Uint8Array(bs);
    this.enc = createCipheriv(`${algo}-cbc`, key, this.register).setAutoPadding(false);
  }

  /** Exactly kcp-go's CFB: the batch path, with the first block also cancelling the register and bringing in E(IV). */
  encrypt(dst: Uint8Array, src: Uint8Array): void {
    this.one[0] = src;
    this.oneOut[0] = dst;
    this.inArena(this.one, EXACT_ENCRYPT, this.oneOut);
  }

  decrypt(dst: Uint8Array, src: Uint8Array): void {
    this.one[0] = src;
    this.oneOut[0] = dst;
    this.inArena(this.one, DECRYPT, this.oneOut);
  }

  /**
   * Every packet of a burst through one CBC call, so node:crypto's per-call
   * cost (~0.6–0.9 µs) is paid once, not per packet. The register cannot be
   * reset to E(IV) between packets inside one call, so each packet's first
   * ciphertext block is its random nonce block ^ whatever the register holds
   * — as unpredictable as kcp-go's nonce ^ E(IV) — and CFB goes on from that
   * block. A receiver decrypts the first block to other random bytes and,
   * as with the nonce, ignores them.
   */
  encryptPackets(packets: readonly Uint8Array[]): void {
    this.inArena(packets, ENCRYPT);
  }

  /** Every packet of a burst through one ECB call; the same bytes as decrypt() each. */
  decryptPackets(packets: readonly Uint8Array[]): void {
    this.inArena(packets, DECRYPT);
  }

  /**
   * CBC computes Y[i] = E(X[i] ^ Y[i-1]). Fed the plaintext blocks, X[i] ^
   * Y[i-1] is exactly CFB's C[i] when Y[i-1] = E(C[i-1]), its keystream: so
   * the output, laid one block further on, is the keystream of every block,
   * and one XOR turns the arena into ciphertext. A piece's first block takes
   * the register (the output before it) as keystream: C[0] = X[0] ^ register,
   * which is also what the chain fed on. `exact` makes that C[0] kcp-go's
   * P[0] ^ E(IV).
   */
  private encryptArena(to: number, exact: boolean): void {
    const { bs, register } = this;
    const mem = ARENA.memory;
    if (exact && ROUND.begins[0]) for (let b = 0; b < bs; b++) mem[b] ^= this.first[b]! ^ register[b]!;
    const out = this.enc.update(arenaPrefix(to));
    mem.set(register, KEYSTREAM);
    mem.set(out, KEYSTREAM + bs);
    ARENA.xor(0, KEYSTREAM, to);
    for (let b = 0; b < bs; b++) register[b] = out[to - bs + b]!;
  }

  /** ECB of every block, laid one block further on, is CFB's keystream; each packet's first block is re-keyed with E(IV). */
  private decryptArena(to: number): void {
    const { bs, first } = this;
    const { starts, begins, count } = ROUND;
    const mem = ARENA.memory;
    const out = this.ecb.update(arenaPrefix(to));
    // A piece that goes on with a packet starts where the last round's left off.
    if (begins[0]) mem.set(first, KEYSTREAM);
    else mem.set(this.lastOut, KEYSTREAM);
    mem.set(out, KEYSTREAM + bs);
    ARENA.xor(0, KEYSTREAM, to);
    for (let k = 1; k < count; k++) {
      if (!begins[k]) continue;
      const at = starts[k]!;
      for (let b = 0; b < bs; b++) mem[at + b] ^= mem[KEYSTREAM + at + b]! ^ first[b]!;
    }
    for (let b = 0; b < bs; b++) this.lastOut[b] = out[to - bs + b]!;
  }

  /** The last ECB output block of the previous round, for a packet split across rounds. */
  private readonly lastOut = new Uint8Array(16);

  /**
   * Copies the packets into the arena, block-aligned (padded with whatever
   * the arena held), as many per round as fit — a packet longer than a round
   * goes on in the next, cut at a block boundary — transforms arena[0, to)
   * as `mode` says, and copies them back, or into `outs` (same lengths).
   * (A mode, not a callback: this runs per packet, and a closure per call is
   * garbage.)
   */
  private inArena(packets: readonly Uint8Array[], mode: Mode, outs: readonly Uint8Array[] = packets): void {
    const { bs } = this;
    const { starts, begins, pieces, offsets } = ROUND;
    const mem = ARENA.memory;
    let i = 0;
    let offset = 0; // how much of packets[i] earlier rounds took
    while (i < packets.length) {
      let count = 0;
      let at = 0;
      for (; i < packets.length; i++, offset = 0) {
        const p = packets[i]!;
        if (p.length === offset) continue;
        const size = Math.ceil((p.length - offset) / bs) * bs;
        if (size > ARENA_ROUND - at && at > 0) break;
        const take = Math.min(size, ARENA_ROUND - at);
        starts[count] = at;
        begins[count] = offset === 0 ? 1 : 0;
        pieces[count] = i;
        offsets[count++] = offset;
        mem.set(offset === 0 && take >= p.length ? p : p.subarray(offset, offset + take), at);
        at += take;
        if (take < size) {
          offset += take;
          break;
        }
      }
      if (at === 0) break;
      ROUND.count = count;
      if (mode === DECRYPT) this.decryptArena(at);
      else this.encryptArena(at, mode === EXACT_ENCRYPT);
      for (let k = 0; k < count; k++) {
        const p = outs[pieces[k]!]!;
        const from = offsets[k]!;
        const to = Math.min(p.length, from + (k + 1 < count ? starts[k + 1]! : at) - starts[k]!);
        p.set(starts[k] === 0 ? arenaPrefix(to - from) : mem.subarray(starts[k]!, starts[k]! + to - from), from);
      }
    }
  }
}

/** Packet lengths the load-time self-test runs, covering whole and partial last blocks. */
const PROBE_LENGTHS = [0, 1, 16, 17, 20, 27, 32, 64, 100];

/** Whether OpenSSL has the algorithm and produces kcp-go's bytes through NodeCfb, packet after packet. */
function works(family: Family, keyLength: number): boolean {
  try {
    const key = Uint8Array.from({ length: keyLength }, (_, i) => (i * 29 + 7) & 0xff);
    const ref = reference(family, key);
    const native = new NodeCfb(algorithm(family, keyLength), key, family === '3des' ? 8 : 16);
    for (const n of PROBE_LENGTHS) {
      const plain = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 0xff);
      const a = new Uint8Array(n);
      const b = new Uint8Array(n);
      ref.encrypt(a, plain);
      native.encrypt(b, plain);
      if (a.some((v, i) => v !== b[i])) return false;
      native.decrypt(b, a);
      if (plain.some((v, i) => v !== b[i])) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Algorithm name by key length → usable here; filled at load. */
const AVAILABLE = new Map<string, boolean>();
for (const [family, lengths] of [['aes', [16, 24, 32]], ['sm4', [16]], ['3des', [24]]] as const) {
  for (const n of lengths) AVAILABLE.set(algorithm(family, n), works(family, n));
}

/**
 * A native (OpenSSL) implementation of `name` with the already-sliced key,
 * whatever its speed, or undefined if this Node lacks it. For tests and
 * measurements; applications use nodeCipherBackend.
 */
export function createNodeBlockCrypt(name: CryptName, key: Uint8Array): BlockCrypt | undefined {
  if (name === 'aes-128-gcm') return createNodeGcm(key);
  const family = FAMILY[name];
  if (!family) return undefined;
  const algo = algorithm(family, key.length);
  if (!AVAILABLE.get(algo)) return undefined;
  return new NodeCfb(algo, key, family === '3des' ? 8 : 16);
}

/** Below this many bytes the TypeScript CRC beats zlib's plus the native call (~0.1 µs); at 1480 bytes zlib takes 0.4 µs against 1.1. */
const ZLIB_CRC_FROM = 256;

/** The packet checksum through zlib's crc32 (Node ≥ 20.15), which is SIMD-accelerated, for packets long enough to pay for the call. */
export const nodeChecksum: Checksum | undefined =
  typeof zlib.crc32 === 'function' ? (data, start) => (data.length - start >= ZLIB_CRC_FROM ? zlib.crc32(data.subarray(start)) : crc32(data, start)) : undefined;

/**
 * Node's default backend: OpenSSL where it is faster than the TypeScript
 * cipher (AES, AES-GCM), else undefined; zlib's CRC-32 for every cipher.
 */
export const nodeCipherBackend: CipherBackend = {
  checksum: nodeChecksum,
  create(name, key) {
    if (name === 'aes-128-gcm') return createNodeGcm(key);
    const family = FAMILY[name];
    return family && NATIVE_BY_DEFAULT.has(family) ? createNodeBlockCrypt(name, key) : undefined;
  },
};
