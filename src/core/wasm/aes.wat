;; AES (128/192/256: 10, 12 or 14 rounds) in kcp-go's CFB packet mode, in
;; place over this module's memory, for runtimes with no AES of their own
;; (browsers: WebCrypto has no CFB and is asynchronous). Plain WebAssembly,
;; no SIMD: a table AES needs a gather per byte, which SIMD lacks; its win
;; over JavaScript is 32-bit loads and no bounds checks. CFB encryption is
;; serial (each block's input is the previous ciphertext); decryption's
;; block inputs are all known ciphertext, so it runs two blocks at a time,
;; interleaved, which keeps twice the independent loads in flight.
;;
;; Memory (one page; the caller fills the tables and the key):
;;   0  T0..T3  the round tables, 1 KiB each (column words, little endian)
;;   4096  S-box, 256 bytes
;;   4352  round keys, 4 * (rounds + 1) little-endian words
;;   4608  E(IV), the first keystream block of every packet
;;   5120  the packet, encrypted or decrypted in place
;; State words are little endian: a word's low byte is the block's byte 0,
;; so loads and stores move bytes in their order with no swapping.
(module
  (memory (export "memory") 1)

  ;; E(a0..a3): one block through nr rounds.
  (func $E (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $nr i32) (result i32 i32 i32 i32)
    (local $ta0 i32) (local $ta1 i32) (local $ta2 i32) (local $ta3 i32) (local $k i32) (local $r i32)

    (local.set $a0 (i32.xor (local.get $a0) (i32.load offset=4352 (i32.const 0))))
    (local.set $a1 (i32.xor (local.get $a1) (i32.load offset=4356 (i32.const 0))))
    (local.set $a2 (i32.xor (local.get $a2) (i32.load offset=4360 (i32.const 0))))
    (local.set $a3 (i32.xor (local.get $a3) (i32.load offset=4364 (i32.const 0))))
    (local.set $k (i32.const 4368))
    (local.set $r (i32.sub (local.get $nr) (i32.const 1)))
    (loop $round
      (local.set $ta0 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $a0) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $a1) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $a2) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $a3) (i32.const 24)) (i32.const 2)))) (i32.load offset=0 (local.get $k)))))
      (local.set $ta1 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $a1) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $a2) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $a3) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $a0) (i32.const 24)) (i32.const 2)))) (i32.load offset=4 (local.get $k)))))
      (local.set $ta2 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $a2) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $a3) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $a0) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $a1) (i32.const 24)) (i32.const 2)))) (i32.load offset=8 (local.get $k)))))
      (local.set $ta3 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $a3) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $a0) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $a1) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $a2) (i32.const 24)) (i32.const 2)))) (i32.load offset=12 (local.get $k)))))
      (local.set $a0 (local.get $ta0))
      (local.set $a1 (local.get $ta1))
      (local.set $a2 (local.get $ta2))
      (local.set $a3 (local.get $ta3))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br_if $round (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))
    (local.set $ta0 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $a0) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a1) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a2) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $a3) (i32.const 24))) (i32.const 24)))) (i32.load offset=0 (local.get $k))))
    (local.set $ta1 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $a1) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a2) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a3) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $a0) (i32.const 24))) (i32.const 24)))) (i32.load offset=4 (local.get $k))))
    (local.set $ta2 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $a2) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a3) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a0) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $a1) (i32.const 24))) (i32.const 24)))) (i32.load offset=8 (local.get $k))))
    (local.set $ta3 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $a3) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a0) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a1) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $a2) (i32.const 24))) (i32.const 24)))) (i32.load offset=12 (local.get $k))))
    (local.set $a0 (local.get $ta0))
    (local.set $a1 (local.get $ta1))
    (local.set $a2 (local.get $ta2))
    (local.set $a3 (local.get $ta3))
    (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3))

  ;; E of two blocks at once, interleaved (decryption only).
  (func $E2 (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32) (param $nr i32) (result i32 i32 i32 i32 i32 i32 i32 i32)
    (local $ta0 i32) (local $ta1 i32) (local $ta2 i32) (local $ta3 i32) (local $tb0 i32) (local $tb1 i32) (local $tb2 i32) (local $tb3 i32) (local $k i32) (local $r i32)
    (local.set $a0 (i32.xor (local.get $a0) (i32.load offset=4352 (i32.const 0))))
    (local.set $a1 (i32.xor (local.get $a1) (i32.load offset=4356 (i32.const 0))))
    (local.set $a2 (i32.xor (local.get $a2) (i32.load offset=4360 (i32.const 0))))
    (local.set $a3 (i32.xor (local.get $a3) (i32.load offset=4364 (i32.const 0))))
    (local.set $b0 (i32.xor (local.get $b0) (i32.load offset=4352 (i32.const 0))))
    (local.set $b1 (i32.xor (local.get $b1) (i32.load offset=4356 (i32.const 0))))
    (local.set $b2 (i32.xor (local.get $b2) (i32.load offset=4360 (i32.const 0))))
    (local.set $b3 (i32.xor (local.get $b3) (i32.load offset=4364 (i32.const 0))))
    (local.set $k (i32.const 4368))
    (local.set $r (i32.sub (local.get $nr) (i32.const 1)))
    (loop $round
      (local.set $ta0 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $a0) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $a1) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $a2) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $a3) (i32.const 24)) (i32.const 2)))) (i32.load offset=0 (local.get $k)))))
      (local.set $ta1 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $a1) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $a2) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $a3) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $a0) (i32.const 24)) (i32.const 2)))) (i32.load offset=4 (local.get $k)))))
      (local.set $ta2 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $a2) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $a3) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $a0) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $a1) (i32.const 24)) (i32.const 2)))) (i32.load offset=8 (local.get $k)))))
      (local.set $ta3 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $a3) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $a0) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $a1) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $a2) (i32.const 24)) (i32.const 2)))) (i32.load offset=12 (local.get $k)))))
      (local.set $tb0 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $b0) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $b1) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $b2) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $b3) (i32.const 24)) (i32.const 2)))) (i32.load offset=0 (local.get $k)))))
      (local.set $tb1 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $b1) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $b2) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $b3) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $b0) (i32.const 24)) (i32.const 2)))) (i32.load offset=4 (local.get $k)))))
      (local.set $tb2 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $b2) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $b3) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $b0) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $b1) (i32.const 24)) (i32.const 2)))) (i32.load offset=8 (local.get $k)))))
      (local.set $tb3 (i32.xor (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $b3) (i32.const 255)) (i32.const 2))) (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $b0) (i32.const 8)) (i32.const 255)) (i32.const 2)))) (i32.xor (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $b1) (i32.const 16)) (i32.const 255)) (i32.const 2))) (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $b2) (i32.const 24)) (i32.const 2)))) (i32.load offset=12 (local.get $k)))))
      (local.set $a0 (local.get $ta0))
      (local.set $a1 (local.get $ta1))
      (local.set $a2 (local.get $ta2))
      (local.set $a3 (local.get $ta3))
      (local.set $b0 (local.get $tb0))
      (local.set $b1 (local.get $tb1))
      (local.set $b2 (local.get $tb2))
      (local.set $b3 (local.get $tb3))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br_if $round (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))
    (local.set $ta0 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $a0) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a1) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a2) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $a3) (i32.const 24))) (i32.const 24)))) (i32.load offset=0 (local.get $k))))
    (local.set $ta1 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $a1) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a2) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a3) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $a0) (i32.const 24))) (i32.const 24)))) (i32.load offset=4 (local.get $k))))
    (local.set $ta2 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $a2) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a3) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a0) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $a1) (i32.const 24))) (i32.const 24)))) (i32.load offset=8 (local.get $k))))
    (local.set $ta3 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $a3) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a0) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $a1) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $a2) (i32.const 24))) (i32.const 24)))) (i32.load offset=12 (local.get $k))))
    (local.set $tb0 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $b0) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $b1) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $b2) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $b3) (i32.const 24))) (i32.const 24)))) (i32.load offset=0 (local.get $k))))
    (local.set $tb1 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $b1) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $b2) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $b3) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $b0) (i32.const 24))) (i32.const 24)))) (i32.load offset=4 (local.get $k))))
    (local.set $tb2 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $b2) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $b3) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $b0) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $b1) (i32.const 24))) (i32.const 24)))) (i32.load offset=8 (local.get $k))))
    (local.set $tb3 (i32.xor (i32.or (i32.or (i32.load8_u offset=4096 (i32.and (local.get $b3) (i32.const 255))) (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $b0) (i32.const 8)) (i32.const 255))) (i32.const 8))) (i32.or (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $b1) (i32.const 16)) (i32.const 255))) (i32.const 16)) (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $b2) (i32.const 24))) (i32.const 24)))) (i32.load offset=12 (local.get $k))))
    (local.set $a0 (local.get $ta0))
    (local.set $a1 (local.get $ta1))
    (local.set $a2 (local.get $ta2))
    (local.set $a3 (local.get $ta3))
    (local.set $b0 (local.get $tb0))
    (local.set $b1 (local.get $tb1))
    (local.set $b2 (local.get $tb2))
    (local.set $b3 (local.get $tb3))
    (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3) (local.get $b0) (local.get $b1) (local.get $b2) (local.get $b3))

  ;; The short last block of either direction: XOR with the front of the keystream block x.
  (func $tail (param $p i32) (param $end i32) (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $x3 i32)
    (local $i i32)
    (i32.store offset=4624 (i32.const 0) (local.get $x0))
    (i32.store offset=4628 (i32.const 0) (local.get $x1))
    (i32.store offset=4632 (i32.const 0) (local.get $x2))
    (i32.store offset=4636 (i32.const 0) (local.get $x3))
    (block $done
      (loop $byte
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (i32.store8 (local.get $p) (i32.xor (i32.load8_u (local.get $p)) (i32.load8_u offset=4624 (local.get $i))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $byte))))

  ;; Encrypts memory[5120, 5120 + len) in place: c = p ^ x, then x = E(c).
  (func (export "encrypt") (param $len i32) (param $nr i32)
    (local $p i32) (local $end i32) (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32)
    (local.set $p (i32.const 5120))
    (local.set $end (i32.add (i32.const 5120) (local.get $len)))
    (local.set $x0 (i32.load offset=4608 (i32.const 0)))
    (local.set $x1 (i32.load offset=4612 (i32.const 0)))
    (local.set $x2 (i32.load offset=4616 (i32.const 0)))
    (local.set $x3 (i32.load offset=4620 (i32.const 0)))
    (block $done
      (loop $block
        (br_if $done (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
        (i32.store (local.get $p) (local.tee $x0 (i32.xor (i32.load (local.get $p)) (local.get $x0))))
        (i32.store offset=4 (local.get $p) (local.tee $x1 (i32.xor (i32.load offset=4 (local.get $p)) (local.get $x1))))
        (i32.store offset=8 (local.get $p) (local.tee $x2 (i32.xor (i32.load offset=8 (local.get $p)) (local.get $x2))))
        (i32.store offset=12 (local.get $p) (local.tee $x3 (i32.xor (i32.load offset=12 (local.get $p)) (local.get $x3))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        ;; An exact last block needs no further keystream.
        (br_if $done (i32.eq (local.get $p) (local.get $end)))
        (call $E (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3) (local.get $nr))
        (local.set $x3)
        (local.set $x2)
        (local.set $x1)
        (local.set $x0)
        (br $block)))
    (call $tail (local.get $p) (local.get $end) (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3)))

  ;; Decrypts memory[5120, 5120 + len) in place: p = c ^ E(previous c), two blocks per pass.
  (func (export "decrypt") (param $len i32) (param $nr i32)
    (local $p i32) (local $end i32)
    (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32)
    (local $y0 i32) (local $y1 i32) (local $y2 i32) (local $y3 i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local.set $p (i32.const 5120))
    (local.set $end (i32.add (i32.const 5120) (local.get $len)))
    ;; x: the keystream for the block at p; c: that block's ciphertext (the input of the next one's).
    (local.set $x0 (i32.load offset=4608 (i32.const 0)))
    (local.set $x1 (i32.load offset=4612 (i32.const 0)))
    (local.set $x2 (i32.load offset=4616 (i32.const 0)))
    (local.set $x3 (i32.load offset=4620 (i32.const 0)))
    (block $done
      (loop $pair
        ;; Two whole blocks and more after them (else the single loop ends it with no wasted block).
        (br_if $done (i32.ge_u (i32.add (local.get $p) (i32.const 32)) (local.get $end)))
        (local.set $c0 (i32.load (local.get $p)))
        (local.set $c1 (i32.load offset=4 (local.get $p)))
        (local.set $c2 (i32.load offset=8 (local.get $p)))
        (local.set $c3 (i32.load offset=12 (local.get $p)))
        (call $E2
          (local.get $c0) (local.get $c1) (local.get $c2) (local.get $c3)
          (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p)) (i32.load offset=28 (local.get $p))
          (local.get $nr))
        ;; y = E(second block's ciphertext), the keystream of the block after the pair; c = E(first's), the second's.
        (local.set $y3)
        (local.set $y2)
        (local.set $y1)
        (local.set $y0)
        (local.set $c3)
        (local.set $c2)
        (local.set $c1)
        (local.set $c0)
        (i32.store (local.get $p) (i32.xor (i32.load (local.get $p)) (local.get $x0)))
        (i32.store offset=4 (local.get $p) (i32.xor (i32.load offset=4 (local.get $p)) (local.get $x1)))
        (i32.store offset=8 (local.get $p) (i32.xor (i32.load offset=8 (local.get $p)) (local.get $x2)))
        (i32.store offset=12 (local.get $p) (i32.xor (i32.load offset=12 (local.get $p)) (local.get $x3)))
        (i32.store offset=16 (local.get $p) (i32.xor (i32.load offset=16 (local.get $p)) (local.get $c0)))
        (i32.store offset=20 (local.get $p) (i32.xor (i32.load offset=20 (local.get $p)) (local.get $c1)))
        (i32.store offset=24 (local.get $p) (i32.xor (i32.load offset=24 (local.get $p)) (local.get $c2)))
        (i32.store offset=28 (local.get $p) (i32.xor (i32.load offset=28 (local.get $p)) (local.get $c3)))
        (local.set $x0 (local.get $y0))
        (local.set $x1 (local.get $y1))
        (local.set $x2 (local.get $y2))
        (local.set $x3 (local.get $y3))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $pair)))
    ;; At most two whole blocks left, and a short one: one at a time.
    (block $single
      (loop $block
        (br_if $single (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
        (local.set $c0 (i32.load (local.get $p)))
        (local.set $c1 (i32.load offset=4 (local.get $p)))
        (local.set $c2 (i32.load offset=8 (local.get $p)))
        (local.set $c3 (i32.load offset=12 (local.get $p)))
        (i32.store (local.get $p) (i32.xor (local.get $c0) (local.get $x0)))
        (i32.store offset=4 (local.get $p) (i32.xor (local.get $c1) (local.get $x1)))
        (i32.store offset=8 (local.get $p) (i32.xor (local.get $c2) (local.get $x2)))
        (i32.store offset=12 (local.get $p) (i32.xor (local.get $c3) (local.get $x3)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $single (i32.eq (local.get $p) (local.get $end)))
        (call $E (local.get $c0) (local.get $c1) (local.get $c2) (local.get $c3) (local.get $nr))
        (local.set $x3)
        (local.set $x2)
        (local.set $x1)
        (local.set $x0)
        (br $block)))
    (call $tail (local.get $p) (local.get $end) (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3)))
)
