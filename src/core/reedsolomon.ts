/**
 * Reed-Solomon erasure coding over GF(2^8), giving the same bytes as the
 * codec kcp-go gets from klauspost/reedsolomon 1.9.13 `New(data, parity)`
 * with default options (no Cauchy, no PAR1, no fast-one-parity XOR matrix):
 *
 *  - field: polynomial x^8+x^4+x^3+x^2+1 (0x11d, "generatingPolynomial = 29"),
 *    generator 2, log/exp tables as galois.go;
 *  - encoding matrix (buildMatrix): the (data+parity)×data Vandermonde
 *    matrix, row r column c holding r^c (with 0^0 = 1), multiplied by the
 *    inverse of its top data×data square. The top rows become the identity
 *    (systematic code) and the bottom rows are the parity coefficients.
 *  - reconstruction uses the first `data` present shards in index order and
 *    the inverse of their rows, as reconstruct() does.
 * Both matrices are computed by interpolation (see ReedSolomon below).
 *
 * Speed: encoding and reconstruction are one matrix × shards product each
 * (mulRows). Where WebAssembly SIMD is available it runs in the kernel of
 * ./wasm/gf256.ts; otherwise (or when a test forces it, useWasmGf(false))
 * in scalar code: products come from one 64 KiB table (a 256-entry row per
 * coefficient), and shards that share their alignment are processed four
 * bytes at a time through Uint32Array views: four lookups build a word that
 * is XORed into the output with one store. Bytes stay in their lanes, so the
 * result does not depend on the platform's endianness.
 */
import { loadGfKernel, type GfKernel } from './wasm/gf256.js';

const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    EXP[i + 255] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
}

export function galMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

function galInv(a: number): number {
  return EXP[255 - LOG[a]!]!;
}

/** a^n as klauspost's galExp (0^0 = 1). */
export function galExp(a: number, n: number): number {
  if (n === 0) return 1;
  if (a === 0) return 0;
  return EXP[(LOG[a]! * n) % 255]!;
}

/** TABLES[c][x] = c·x: views into one 64 KiB block, built on first use. */
let TABLES: Uint8Array[] | null = null;
function tables(): Uint8Array[] {
  if (!TABLES) {
    const all = new Uint8Array(65536);
    for (let c = 1; c < 256; c++) for (let x = 1; x < 256; x++) all[(c << 8) | x] = EXP[LOG[c]! + LOG[x]!]!;
    TABLES = Array.from({ length: 256 }, (_, c) => all.subarray(c << 8, (c + 1) << 8));
  }
  return TABLES;
}

/** One Uint32Array over each ArrayBuffer we meet, so word access costs no allocation per call. */
const wordViews = new WeakMap<ArrayBufferLike, Uint32Array>();
function words(b: Uint8Array): Uint32Array {
  const buf = b.buffer;
  let w = wordViews.get(buf);
  if (!w) {
    w = new Uint32Array(buf, 0, buf.byteLength >>> 2);
    wordViews.set(buf, w);
  }
  return w;
}

/** out[start, end) = c·src (assign) or ^= c·src, where t is c's product row. */
function mulSlice(c: number, t: Uint8Array, src: Uint8Array, out: Uint8Array, start: number, end: number, assign: boolean): void {
  if (c === 0) {
    if (assign) out.fill(0, start, end);
    return;
  }
  let i = start;
  const so = src.byteOffset + start;
  const oo = out.byteOffset + start;
  // Word path only when both sides reach a word boundary at the same index.
  if (((so ^ oo) & 3) === 0 && end - start >= 16) {
    const head = (4 - (so & 3)) & 3;
    for (const stop = start + head; i < stop; i++) out[i] = assign ? t[src[i]!]! : out[i]! ^ t[src[i]!]!;
    const ws = words(src);
    const wo = words(out);
    const n = (end - i) >>> 2;
    let s = (so + head) >>> 2;
    let o = (oo + head) >>> 2;
    const stop = s + n;
    if (c === 1) {
      if (assign) for (; s < stop; s++, o++) wo[o] = ws[s]!;
      else for (; s < stop; s++, o++) wo[o]! ^= ws[s]!;
    } else if (assign) {
      for (; s < stop; s++, o++) {
        const v = ws[s]!;
        wo[o] = t[v & 255]! | (t[(v >>> 8) & 255]! << 8) | (t[(v >>> 16) & 255]! << 16) | (t[v >>> 24]! << 24);
      }
    } else {
      const stop2 = s + (n & ~1);
      for (; s < stop2; s += 2, o += 2) {
        const v = ws[s]!;
        const u = ws[s + 1]!;
        wo[o]! ^= t[v & 255]! | (t[(v >>> 8) & 255]! << 8) | (t[(v >>> 16) & 255]! << 16) | (t[v >>> 24]! << 24);
        wo[o + 1]! ^= t[u & 255]! | (t[(u >>> 8) & 255]! << 8) | (t[(u >>> 16) & 255]! << 16) | (t[u >>> 24]! << 24);
      }
      for (; s < stop; s++, o++) {
        const v = ws[s]!;
        wo[o]! ^= t[v & 255]! | (t[(v >>> 8) & 255]! << 8) | (t[(v >>> 16) & 255]! << 16) | (t[v >>> 24]! << 24);
      }
    }
    i += n << 2;
  }
  if (assign) for (; i < end; i++) out[i] = t[src[i]!]!;
  else for (; i < end; i++) out[i]! ^= t[src[i]!]!;
}

/** The SIMD kernel; undefined until the first codec is built, null where unavailable or switched off. */
let kernel: GfKernel | null | undefined;

/**
 * Switches the WebAssembly SIMD kernel on (if this runtime has it) or off
 * (scalar code), for every codec; returns whether it is now in use. Codecs
 * give the same bytes either way: tests run the vectors both ways.
 */
export function useWasmGf(on: boolean): boolean {
  kernel = on ? loadGfKernel(galMul) : null;
  return kernel !== null;
}

/** Scalar mulRows: each output row accumulated input by input. */
function mulRowsScalar(coef: Uint8Array, nOut: number, nIn: number, shards: readonly Uint8Array[], inIdx: ArrayLike<number>, outIdx: ArrayLike<number>, start: number, end: number): void {
  const t = tables();
  for (let o = 0; o < nOut; o++) {
    const out = shards[outIdx[o]!]!;
    for (let j = 0; j < nIn; j++) {
      const c = coef[o * nIn + j]!;
      mulSlice(c, t[c]!, shards[inIdx[j]!]!, out, start, end, j === 0);
    }
  }
}

/** For o < nOut: shards[outIdx[o]][start, end) = Σ_j coef[o·nIn + j] · shards[inIdx[j]][start, end). */
function mulRows(coef: Uint8Array, nOut: number, nIn: number, shards: readonly Uint8Array[], inIdx: ArrayLike<number>, outIdx: ArrayLike<number>, start: number, end: number): void {
  if (kernel) kernel.mulRows(coef, nOut, nIn, shards, inIdx, outIdx, start, end);
  else mulRowsScalar(coef, nOut, nIn, shards, inIdx, outIdx, start, end);
}

/** D[j] = Π_{m≠j} (p_j − p_m) for the distinct points p[0, n). Subtraction is XOR. */
function denominators(points: Uint8Array, n: number, D: Uint8Array): void {
  for (let j = 0; j < n; j++) {
    const pj = points[j]!;
    let v = 1;
    for (let m = 0; m < n; m++) if (m !== j) v = galMul(v, pj ^ points[m]!);
    D[j] = v;
  }
}

/**
 * Lagrange weights at x (not one of the points): w[j] = Π_{m≠j} (x−p_m)/(p_j−p_m),
 * written at w[at, at+n), so Σ w[j]·f(p_j) = f(x) for any polynomial f of degree < n.
 */
function lagrangeAt(points: Uint8Array, n: number, D: Uint8Array, x: number, w: Uint8Array, at: number): void {
  let num = 1;
  for (let m = 0; m < n; m++) num = galMul(num, x ^ points[m]!);
  for (let j = 0; j < n; j++) w[at + j] = galMul(num, galInv(galMul(x ^ points[j]!, D[j]!)));
}

/**
 * Why interpolation gives klauspost's bytes: its encoding matrix is
 * vm × top⁻¹ with vm[r][c] = r^c. Row r of that product is the unique vector
 * whose product with top is vm's row r, i.e. the weights that turn a
 * polynomial's values at points 0..data-1 into its value at point r. So
 * shard r holds f(r) for the polynomial f through the data shards, and:
 *  - parity row r = Lagrange weights of points 0..data-1 at x = r;
 *  - the inverse of any `data` rows S (what reconstruct() computes by
 *    Gauss-Jordan) has, as row k, the weights of points S at x = k.
 * Both are exact in the field, so the bytes are identical, at O(data²)
 * instead of O(data³): cheap enough to rebuild a codec whenever autotune
 * follows a peer to new counts, and no inversion cache is needed.
 */
export class ReedSolomon {
  readonly dataShards: number;
  readonly parityShards: number;
  readonly totalShards: number;
  /** The parity rows of the encoding matrix, parityShards × dataShards, row-major. */
  private readonly parityRows: Uint8Array;
  /** Shard indices of the data shards (inputs) and parity shards (outputs) for encode(). */
  private readonly dataIdx: Uint8Array;
  private readonly parityIdx: Uint8Array;
  /** Scratch for reconstructData(): chosen rows, missing rows, their weights, denominators. */
  private readonly rows: Uint8Array;
  private readonly missing: Uint8Array;
  private readonly weights: Uint8Array;
  private readonly denom: Uint8Array;

  constructor(dataShards: number, parityShards: number) {
    if (!Number.isInteger(dataShards) || !Number.isInteger(parityShards) || dataShards < 1 || parityShards < 1 || dataShards + parityShards > 256) {
      throw new RangeError(`Reed-Solomon needs data shards ≥ 1, parity shards ≥ 1 and at most 256 in all; got ${dataShards}/${parityShards}`);
    }
    const d = dataShards;
    this.dataShards = d;
    this.parityShards = parityShards;
    this.totalShards = d + parityShards;
    if (kernel === undefined) useWasmGf(true);
    this.dataIdx = Uint8Array.from({ length: d }, (_, j) => j);
    this.parityIdx = Uint8Array.from({ length: parityShards }, (_, p) => d + p);
    this.rows = new Uint8Array(d);
    // At most min(d, p) data shards can be missing when reconstruction is possible.
    const maxMissing = Math.min(d, parityShards);
    this.missing = new Uint8Array(maxMissing);
    this.weights = new Uint8Array(maxMissing * d);
    this.denom = new Uint8Array(d);
    const points = Uint8Array.from({ length: d }, (_, j) => j);
    denominators(points, d, this.denom);
    this.parityRows = new Uint8Array(parityShards * d);
    for (let p = 0; p < parityShards; p++) lagrangeAt(points, d, this.denom, d + p, this.parityRows, p * d);
  }

  /** The encoding matrix row by row (identity, then parity rows), for tests. */
  encodingMatrix(): Uint8Array[] {
    const d = this.dataShards;
    return Array.from({ length: this.totalShards }, (_, r) => {
      if (r >= d) return this.parityRows.slice((r - d) * d, (r - d + 1) * d);
      const row = new Uint8Array(d);
      row[r] = 1;
      return row;
    });
  }

  /**
   * Computes parity over bytes [start, end) of every shard: shards[0, data)
   * are read, shards[data, total) written.
   */
  encode(shards: readonly Uint8Array[], start: number, end: number): void {
    mulRows(this.parityRows, this.parityShards, this.dataShards, shards, this.dataIdx, this.parityIdx, start, end);
  }

  /**
   * Rebuilds, over bytes [start, end), the data shards whose present[k] is
   * falsy, writing into shards[k] (the caller provides those buffers), from
   * the first `data` present shards in index order, as klauspost's
   * reconstruct() picks them (with forged, inconsistent shards that choice
   * decides the output). Parity shards are not rebuilt: kcp-go calls
   * ReconstructData. Returns false if fewer than `data` are present.
   */
  reconstructData(shards: readonly Uint8Array[], present: ArrayLike<boolean | number>, start: number, end: number): boolean {
    const d = this.dataShards;
    const rows = this.rows;
    let n = 0;
    let missing = false;
    for (let k = 0; k < this.totalShards && n < d; k++) {
      if (present[k]) rows[n++] = k;
      else if (k < d) missing = true;
    }
    if (!missing) return true;
    if (n < d) return false;
    // Row k of the inverse of the chosen rows: Lagrange weights of those points at x = k.
    denominators(rows, d, this.denom);
    let nMissing = 0;
    for (let k = 0; k < d; k++) {
      if (present[k]) continue;
      lagrangeAt(rows, d, this.denom, k, this.weights, nMissing * d);
      this.missing[nMissing++] = k;
    }
    mulRows(this.weights, nMissing, d, shards, rows, this.missing, start, end);
    return true;
  }
}
