;; GF(2^8) matrix × shards with WebAssembly SIMD, the nibble-table method
;; klauspost/reedsolomon runs with PSHUFB: for a coefficient c, the 16-byte
;; tables low = c·x and high = c·(x<<4) for x < 16 give c·b as
;; low[b & 15] ^ high[b >> 4], two i8x16.swizzle lookups per 16 bytes.
;;
;; Memory layout (the caller, src/core/wasm/gf256.ts, fills it):
;;   [0, 8192)   tables: coefficient c's low table at c*32, high at c*32+16
;;   then        the coefficient matrix, nOut rows of nIn bytes
;;   then        input slots and output slots, `stride` bytes apart
(module
  (memory (export "memory") 8)

  ;; out[o][x] = XOR over j of coef[o*nIn + j] · in[j][x], for x < len
  ;; rounded up to 64 (slots must have that room). Every output slot is
  ;; written whole, so no slot needs clearing first. nOut, nIn, len ≥ 1.
  (func (export "mul")
    (param $coef i32) (param $nOut i32) (param $nIn i32)
    (param $in i32) (param $out i32) (param $stride i32) (param $len i32)
    (local $x i32) (local $j i32) (local $p i32) (local $t i32)
    (local $m v128) (local $lo v128) (local $hi v128) (local $v v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $m (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (loop $rows
      (local.set $x (i32.const 0))
      ;; 64 bytes of one output row per pass: four accumulators stay in
      ;; registers, and each coefficient's tables are loaded once per pass.
      (loop $cols
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $a1 (v128.const i64x2 0 0))
        (local.set $a2 (v128.const i64x2 0 0))
        (local.set $a3 (v128.const i64x2 0 0))
        (local.set $p (i32.add (local.get $in) (local.get $x)))
        (local.set $j (i32.const 0))
        (loop $inputs
          (local.set $t (i32.shl (i32.load8_u (i32.add (local.get $coef) (local.get $j))) (i32.const 5)))
          (local.set $lo (v128.load (local.get $t)))
          (local.set $hi (v128.load offset=16 (local.get $t)))
          ;; The high nibble: a 16-bit shift then the mask (no 8-bit shift on x86).
          (local.set $v (v128.load (local.get $p)))
          (local.set $a0 (v128.xor (local.get $a0) (v128.xor
            (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (local.get $m)))
            (i8x16.swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $m))))))
          (local.set $v (v128.load offset=16 (local.get $p)))
          (local.set $a1 (v128.xor (local.get $a1) (v128.xor
            (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (local.get $m)))
            (i8x16.swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $m))))))
          (local.set $v (v128.load offset=32 (local.get $p)))
          (local.set $a2 (v128.xor (local.get $a2) (v128.xor
            (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (local.get $m)))
            (i8x16.swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $m))))))
          (local.set $v (v128.load offset=48 (local.get $p)))
          (local.set $a3 (v128.xor (local.get $a3) (v128.xor
            (i8x16.swizzle (local.get $lo) (v128.and (local.get $v) (local.get $m)))
            (i8x16.swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $m))))))
          (local.set $p (i32.add (local.get $p) (local.get $stride)))
          (br_if $inputs (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $nIn))))
        (local.set $p (i32.add (local.get $out) (local.get $x)))
        (v128.store (local.get $p) (local.get $a0))
        (v128.store offset=16 (local.get $p) (local.get $a1))
        (v128.store offset=32 (local.get $p) (local.get $a2))
        (v128.store offset=48 (local.get $p) (local.get $a3))
        (br_if $cols (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 64))) (local.get $len))))
      (local.set $coef (i32.add (local.get $coef) (local.get $nIn)))
      (local.set $out (i32.add (local.get $out) (local.get $stride)))
      (br_if $rows (local.tee $nOut (i32.sub (local.get $nOut) (i32.const 1)))))))
