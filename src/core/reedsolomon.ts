/**
 * Reed-Solomon erasure coding over GF(2^8), matching what kcp-go gets from
 * klauspost/reedsolomon's `New(data, parity)` with default options: field
 * polynomial x^8+x^4+x^3+x^2+1 (0x11d), generator 2, and the encoding
 * matrix built as a (data+parity)×data Vandermonde matrix (row r, column c
 * = r^c) multiplied by the inverse of its top square, so the data rows are
 * the identity and the parity rows are what goes on the wire.
 */

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

function galDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError('division by zero in GF(2^8)');
  return a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!;
}

/** a^n in GF(2^8), as klauspost's galExp (0^0 = 1). */
export function galExp(a: number, n: number): number {
  if (n === 0) return 1;
  if (a === 0) return 0;
  return EXP[(LOG[a]! * n) % 255]!;
}

/** 256 rows of 256 products: MUL[c*256 + x] = c·x. 64 KiB, built on first use. */
let MUL: Uint8Array | null = null;
function mulTable(): Uint8Array {
  if (!MUL) {
    MUL = new Uint8Array(65536);
    for (let c = 1; c < 256; c++) for (let x = 1; x < 256; x++) MUL[(c << 8) | x] = EXP[LOG[c]! + LOG[x]!]!;
  }
  return MUL;
}

type Matrix = Uint8Array[];

function identity(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => {
    const row = new Uint8Array(n);
    row[i] = 1;
    return row;
  });
}

function multiply(a: Matrix, b: Matrix): Matrix {
  const inner = b.length;
  const cols = b[0]!.length;
  return a.map((row) => {
    const out = new Uint8Array(cols);
    for (let c = 0; c < cols; c++) {
      let v = 0;
      for (let k = 0; k < inner; k++) v ^= galMul(row[k]!, b[k]![c]!);
      out[c] = v;
    }
    return out;
  });
}

/** Gauss-Jordan inversion; throws if the matrix is singular. */
function invert(m: Matrix): Matrix {
  const n = m.length;
  const work = m.map((r) => r.slice());
  const inv = identity(n);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (pivot < n && work[pivot]![col] === 0) pivot++;
    if (pivot === n) throw new RangeError('matrix is singular');
    if (pivot !== col) {
      [work[col], work[pivot]] = [work[pivot]!, work[col]!];
      [inv[col], inv[pivot]] = [inv[pivot]!, inv[col]!];
    }
    const scale = work[col]![col]!;
    if (scale !== 1) {
      const f = galDiv(1, scale);
      for (let c = 0; c < n; c++) {
        work[col]![c] = galMul(work[col]![c]!, f);
        inv[col]![c] = galMul(inv[col]![c]!, f);
      }
    }
    for (let r = 0; r < n; r++) {
      const f = r === col ? 0 : work[r]![col]!;
      if (f === 0) continue;
      for (let c = 0; c < n; c++) {
        work[r]![c]! ^= galMul(f, work[col]![c]!);
        inv[r]![c]! ^= galMul(f, inv[col]![c]!);
      }
    }
  }
  return inv;
}

/** out[i] ^= c·src[i] (or = when `assign`), over [start, end). */
function mulAdd(c: number, src: Uint8Array, out: Uint8Array, start: number, end: number, assign: boolean): void {
  if (c === 0) {
    if (assign) out.fill(0, start, end);
    return;
  }
  if (c === 1) {
    if (assign) out.set(src.subarray(start, end), start);
    else for (let i = start; i < end; i++) out[i]! ^= src[i]!;
    return;
  }
  const t = mulTable();
  const base = c << 8;
  if (assign) for (let i = start; i < end; i++) out[i] = t[base | src[i]!]!;
  else for (let i = start; i < end; i++) out[i]! ^= t[base | src[i]!]!;
}

export class ReedSolomon {
  readonly dataShards: number;
  readonly parityShards: number;
  /** The parity rows of the systematic encoding matrix. */
  private readonly parityRows: Matrix;
  private readonly matrix: Matrix;
  /** Inverses by which shards were present (as klauspost's inversion tree caches them). */
  private readonly inverses = new Map<string, Matrix>();

  constructor(dataShards: number, parityShards: number) {
    if (!Number.isInteger(dataShards) || !Number.isInteger(parityShards) || dataShards < 1 || parityShards < 1 || dataShards + parityShards > 256) {
      throw new RangeError(`Reed-Solomon needs data shards ≥ 1, parity shards ≥ 1 and at most 256 in all; got ${dataShards}/${parityShards}`);
    }
    this.dataShards = dataShards;
    this.parityShards = parityShards;
    const total = dataShards + parityShards;
    const vm: Matrix = Array.from({ length: total }, (_, r) => Uint8Array.from({ length: dataShards }, (_, c) => galExp(r, c)));
    this.matrix = multiply(vm, invert(vm.slice(0, dataShards)));
    this.parityRows = this.matrix.slice(dataShards);
  }

  /**
   * Computes the parity shards from the data shards, over bytes [start, end)
   * of each: shards[0..data) are read, shards[data..total) written.
   */
  encode(shards: Uint8Array[], start: number, end: number): void {
    const d = this.dataShards;
    for (let p = 0; p < this.parityShards; p++) {
      const row = this.parityRows[p]!;
      const out = shards[d + p]!;
      for (let c = 0; c < d; c++) mulAdd(row[c]!, shards[c]!, out, start, end, c === 0);
    }
  }

  /**
   * Rebuilds missing data shards (present[k] false) in place over bytes
   * [start, end), from any `dataShards` present shards. Missing parity
   * shards are not rebuilt (kcp-go only needs data, as ReconstructData).
   * Returns false if too few shards are present.
   */
  reconstructData(shards: Uint8Array[], present: readonly boolean[], start: number, end: number): boolean {
    const d = this.dataShards;
    const rows: number[] = [];
    for (let k = 0; k < shards.length && rows.length < d; k++) if (present[k]) rows.push(k);
    if (rows.length < d) return false;
    let missing = false;
    for (let k = 0; k < d; k++) if (!present[k]) missing = true;
    if (!missing) return true;

    const key = rows.join(',');
    let inv = this.inverses.get(key);
    if (!inv) {
      inv = invert(rows.map((r) => this.matrix[r]!));
      // Bounded: at most C(total, data) patterns, but keep memory flat anyway.
      if (this.inverses.size > 256) this.inverses.clear();
      this.inverses.set(key, inv);
    }
    for (let k = 0; k < d; k++) {
      if (present[k]) continue;
      const out = shards[k]!;
      const coef = inv[k]!;
      for (let j = 0; j < d; j++) mulAdd(coef[j]!, shards[rows[j]!]!, out, start, end, j === 0);
    }
    return true;
  }
}
