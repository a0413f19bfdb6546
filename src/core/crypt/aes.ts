/**
 * AES-128/192/256 (chosen by key length, as Go's aes.NewCipher), encryption
 * direction only since CFB never decrypts blocks. Classic big-endian T-table
 * form: four 1 KiB tables that stay in L1 cache. We tried @noble/ciphers'
 * block function (two 256 KiB merged tables, a result object per block); this
 * one is faster inside kcp-go's CFB loop and costs no startup time.
 *
 * Where WebAssembly is available the whole CFB pass runs in
 * ../wasm/aes.wat on the same tables (the packet is copied into its memory
 * and back): browsers, which have no AES for it (WebCrypto has no CFB and
 * is asynchronous). Node's entry uses node:crypto instead. The scalar code
 * below is the fallback, and tests switch it on with useWasmAes(false).
 */
import { Cfb128 } from './_cfb.js';
import { AES_WASM } from '../wasm/aes.gen.js';
import { instantiate } from '../wasm/instantiate.js';

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

/** aes.wat's memory layout. */
const WASM_TABLES = 0;
const WASM_SBOX = 4096;
const WASM_ROUND_KEYS = 4352;
const WASM_FIRST = 4608;
const WASM_BUF = 5120;
/** Longest buffer aes.wat takes in one call; longer ones (not packets) use the scalar code. */
const WASM_MAX = 65536 - WASM_BUF;

interface AesKernel {
  mem: Uint8Array;
  view: DataView;
  encrypt: (len: number, rounds: number) => void;
  decrypt: (len: number, rounds: number) => void;
  /** Whose round keys the memory holds. */
  keyedFor: AesBlock | null;
}

/** The WebAssembly CFB pass; undefined until the first cipher is built, null where unavailable or switched off. */
let kernel: AesKernel | null | undefined;

/**
 * Switches the WebAssembly AES on (if this runtime has WebAssembly) or off
 * (scalar code) for every AES cipher; returns whether it is now in use. The
 * bytes are the same either way: tests run kcp-go's vectors both ways.
 */
export function useWasmAes(on: boolean): boolean {
  const instance = on ? instantiate(AES_WASM) : null;
  kernel = null;
  if (!instance) return false;
  const view = new DataView(instance.memory.buffer);
  // Big-endian words stored big-endian are the little-endian words aes.wat reads.
  [TE0, TE1, TE2, TE3].forEach((t, i) => t.forEach((w, a) => view.setInt32(WASM_TABLES + 1024 * i + 4 * a, w, false)));
  SBOX.forEach((s, a) => (instance.memory[WASM_SBOX + a] = s));
  kernel = { mem: instance.memory, view, encrypt: instance.exports.encrypt as AesKernel['encrypt'], decrypt: instance.exports.decrypt as AesKernel['decrypt'], keyedFor: null };
  return true;
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
    if (kernel === undefined) useWasmAes(true);
  }

  override encrypt(dst: Uint8Array, src: Uint8Array): void {
    const k = kernel;
    if (!k || src.length > WASM_MAX) return super.encrypt(dst, src);
    this.pass(k, dst, src, k.encrypt);
  }

  override decrypt(dst: Uint8Array, src: Uint8Array): void {
    const k = kernel;
    if (!k || src.length > WASM_MAX) return super.decrypt(dst, src);
    this.pass(k, dst, src, k.decrypt);
  }

  private pass(k: AesKernel, dst: Uint8Array, src: Uint8Array, run: AesKernel['encrypt']): void {
    if (k.keyedFor !== this) {
      const rk = this.rk;
      for (let i = 0; i < rk.length; i++) k.view.setInt32(WASM_ROUND_KEYS + 4 * i, rk[i]!, false);
      for (let i = 0; i < 4; i++) k.view.setInt32(WASM_FIRST + 4 * i, this.first[i]!, false);
      k.keyedFor = this;
    }
    const n = src.length;
    k.mem.set(src, WASM_BUF);
    run(n, this.rk.length / 4 - 1);
    dst.set(k.mem.subarray(WASM_BUF, WASM_BUF + n));
  }

  protected encryptWords(x: Int32Array): void {
    aesEncryptWords(this.rk, x);
  }
}
