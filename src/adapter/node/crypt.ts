/**
 * node:crypto fast path for kcp-go's CFB ciphers that OpenSSL has: AES
 * (CFB-128), SM4 and 3DES (CFB-64).
 *
 * kcp-go restarts CFB from its fixed IV on every packet, and a node Cipher
 * cannot be rewound, so creating one per packet costs more than AES itself.
 * Instead each direction keeps one long-lived stream that needs no rewinding,
 * and works out CFB's keystream from it in one native call per packet:
 * - CFB's keystream block i is E(C[i-1]), and E(IV) for the first, which is
 *   a constant per key, computed once.
 * - decryption: all C[i-1] are known, so one ECB call over C0 … C(m-2)
 *   yields the rest of the keystream (and OpenSSL pipelines ECB).
 * - encryption: CBC computes Y[i] = E(P[i] ^ Y[i-1]); with Y[-1] = E(IV),
 *   P[i] ^ Y[i-1] is exactly CFB's C[i], so CBC's output is CFB's keystream
 *   shifted by one block. One stream serves every packet: its register holds
 *   the last output of the previous packet, which the first input block
 *   cancels (P0 ^ E(IV) ^ register). OpenSSL's CBC runs in one assembly
 *   loop, where its CFB calls the block function once per block.
 * Either way the packet is then src ^ keystream.
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

/**
 * The batch paths' scratch, shared by every cipher (each call is done with
 * it before it returns): packets in the first half, from 0; their keystream
 * in the second, from KEYSTREAM. ARENA_BATCH leaves the XOR's rounding room.
 */
const ARENA = createXorArena();
const KEYSTREAM = XOR_ARENA_BYTES / 2;
const ARENA_BATCH = KEYSTREAM - 128;

type Family = 'aes' | 'sm4' | '3des';

const FAMILY: Partial<Record<CryptName, Family>> = { aes: 'aes', 'aes-128': 'aes', 'aes-192': 'aes', sm4: 'sm4', '3des': '3des' };

/**
 * Measured on the development machine (Node 20, OpenSSL 3, x86-64 with
 * AES-NI), encrypt+decrypt of 1500 bytes: AES-128 ~730 MB/s native vs ~200
 * in TypeScript, so AES goes native. Each node:crypto call costs ~0.9 µs
 * whatever its size, and CBC's serial chain ~1.1 µs more per 1488 bytes,
 * ECB's ~0.4 µs. SM4 (~127 vs 125) and 3DES (~35 vs 31) gain too little
 * to be worth a second implementation on the default path.
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
  /** Word-aligned keystream and packet, for an XOR 4 bytes at a time (packets and OpenSSL's output may sit at any offset). */
  private ks = new Int32Array(512);
  private data = new Int32Array(512);
  private stage = new Uint8Array(2048);
  /** Where each packet of the current batch starts in the arena. */
  private readonly starts: number[] = [];

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

  encrypt(dst: Uint8Array, src: Uint8Array): void {
    const { bs, register } = this;
    const n = src.length;
    if (n === 0) return;
    const feed = this.feed(n);
    const ks = this.keystream(n);
    if (feed > 0) {
      const stage = this.staged(feed);
      stage.set(src.subarray(0, feed));
      for (let i = 0; i < bs; i++) stage[i] ^= this.first[i]! ^ register[i]!;
      const out = this.enc.update(stage.subarray(0, feed));
      ks.set(out, bs);
      register.set(out.subarray(feed - bs));
    }
    this.xor(dst, src, n);
  }

  decrypt(dst: Uint8Array, src: Uint8Array): void {
    const { bs } = this;
    const n = src.length;
    if (n === 0) return;
    const feed = this.feed(n);
    const ks = this.keystream(n);
    if (feed > 0) ks.set(this.ecb.update(src.subarray(0, feed)), bs);
    this.xor(dst, src, n);
  }

  /**
   * Every packet of a burst through one CBC call, so node:crypto's per-call
   * cost (~0.6–0.9 µs) is paid once, not per packet. The register cannot be
   * reset to E(IV) between packets inside one call, so each packet's first
   * ciphertext block is its random nonce block ^ whatever the register holds
   * — as unpredictable as kcp-go's nonce ^ E(IV) — and CFB goes on from that
   * block. A receiver decrypts the first block to other random bytes and,
   * as with the nonce, ignores them.
   *
   * In the arena every packet starts on a block boundary (padded with
   * whatever the arena held), all of it is fed, and the output is laid one
   * block further on: then the keystream of every block, the first included,
   * is the output at its own offset, and one XOR covers the whole burst.
   */
  encryptPackets(packets: readonly Uint8Array[]): void {
    this.inArena(packets, 'encrypt', (to) => {
      const { bs, register } = this;
      const mem = ARENA.memory;
      const out = this.enc.update(mem.subarray(0, to));
      mem.set(register, KEYSTREAM);
      mem.set(out, KEYSTREAM + bs);
      ARENA.xor(0, KEYSTREAM, to);
      register.set(out.subarray(to - bs, to));
    });
  }

  /** Every packet of a burst through one ECB call, laid out as for encryptPackets; each first block is then re-keyed with E(IV). */
  decryptPackets(packets: readonly Uint8Array[]): void {
    this.inArena(packets, 'decrypt', (to, starts) => {
      const { bs, first } = this;
      const mem = ARENA.memory;
      const out = this.ecb.update(mem.subarray(0, to));
      mem.set(first, KEYSTREAM);
      mem.set(out, KEYSTREAM + bs);
      ARENA.xor(0, KEYSTREAM, to);
      for (let k = 1; k < starts.length; k++) {
        const at = starts[k]!;
        for (let b = 0; b < bs; b++) mem[at + b] ^= mem[KEYSTREAM + at + b]! ^ first[b]!;
      }
    });
  }

  /**
   * Copies the packets into the arena, as many at a time as fit, lets `run`
   * transform arena[0, to) — packets at `starts` — and copies them back.
   */
  private inArena(packets: readonly Uint8Array[], alone: 'encrypt' | 'decrypt', run: (to: number, starts: readonly number[]) => void): void {
    const { bs } = this;
    const mem = ARENA.memory;
    const starts = this.starts;
    let i = 0;
    while (i < packets.length) {
      starts.length = 0;
      let at = 0;
      let j = i;
      for (; j < packets.length; j++) {
        const n = packets[j]!.length;
        const size = Math.ceil(n / bs) * bs;
        if (at + size > ARENA_BATCH) break;
        starts.push(at);
        mem.set(packets[j]!, at);
        at += size;
      }
      if (j === i) {
        // Longer than the arena holds (no session packet is): on its own.
        this[alone](packets[i]!, packets[i]!);
        i++;
        continue;
      }
      if (at > 0) run(at, starts);
      for (let k = i; k < j; k++) packets[k]!.set(mem.subarray(starts[k - i]!, starts[k - i]! + packets[k]!.length));
      i = j;
    }
  }

  /** Bytes of an n-byte packet that feed the cipher: its whole blocks before the last. */
  private feed(n: number): number {
    return n > 0 ? (Math.ceil(n / this.bs) - 1) * this.bs : 0;
  }

  /** The staging buffer, at least n bytes. */
  private staged(n: number): Uint8Array {
    if (this.stage.length < n) this.stage = new Uint8Array(2 * n);
    return this.stage;
  }

  /** Room for n bytes of keystream, starting with E(IV). */
  private keystream(n: number): Uint8Array {
    const words = (n + 3) >> 2;
    if (this.ks.length < words + 4) {
      this.ks = new Int32Array(2 * words + 4);
      this.data = new Int32Array(2 * words + 4);
    }
    const ks = new Uint8Array(this.ks.buffer);
    ks.set(this.first);
    return ks;
  }

  /** dst = src ^ keystream over n bytes (dst may be src). */
  private xor(dst: Uint8Array, src: Uint8Array, n: number): void {
    const { ks, data } = this;
    const data8 = new Uint8Array(data.buffer, 0, n);
    data8.set(src);
    for (let i = 0, words = (n + 3) >> 2; i < words; i++) data[i] = data[i]! ^ ks[i]!;
    dst.set(data8);
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

/** Node's default backend: OpenSSL where it is faster than the TypeScript cipher (AES), else undefined; zlib's CRC-32 for every cipher. */
export const nodeCipherBackend: CipherBackend = {
  checksum: nodeChecksum,
  create(name, key) {
    const family = FAMILY[name];
    return family && NATIVE_BY_DEFAULT.has(family) ? createNodeBlockCrypt(name, key) : undefined;
  },
};
