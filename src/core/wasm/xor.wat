;; dst ^= src over len bytes with WebAssembly SIMD, 64 bytes per pass: the
;; keystream XOR of the batched CFB path (src/adapter/node/crypt.ts), which
;; costs more in scalar JavaScript (~0.2 µs per 1500 bytes) than OpenSSL's
;; ECB of the same bytes.
;;
;; The caller (src/core/wasm/xor.ts) owns the memory's layout; dst and src
;; may be anywhere, len is rounded up to 64 and both ranges need that room.
(module
  (memory (export "memory") 4)

  (func (export "xor") (param $dst i32) (param $src i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (local.get $len)))
    (block $done
      (br_if $done (i32.eqz (local.get $len)))
      (loop $pass
        (v128.store offset=0 (local.get $dst)
          (v128.xor (v128.load offset=0 (local.get $dst)) (v128.load offset=0 (local.get $src))))
        (v128.store offset=16 (local.get $dst)
          (v128.xor (v128.load offset=16 (local.get $dst)) (v128.load offset=16 (local.get $src))))
        (v128.store offset=32 (local.get $dst)
          (v128.xor (v128.load offset=32 (local.get $dst)) (v128.load offset=32 (local.get $src))))
        (v128.store offset=48 (local.get $dst)
          (v128.xor (v128.load offset=48 (local.get $dst)) (v128.load offset=48 (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (br_if $pass (i32.lt_u (local.get $dst) (local.get $end)))))))
