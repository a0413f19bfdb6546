package main

import (
	"encoding/hex"
	"encoding/json"
	"os"

	"github.com/xtaci/qpp"
)

// QPP vectors for kcp-web's port: per (key, pad count), a fixed plaintext
// encrypted with a fresh CreatePRNG(key) in the given pieces, and a fixed
// ciphertext decrypted the same way. The pieces exercise the PRNG's byte
// position across calls; the output must not depend on them.
type qppVector struct {
	Key        string `json:"key"`
	Count      int    `json:"count"`
	Pieces     []int  `json:"pieces"`
	Plaintext  string `json:"plaintext"`
	Ciphertext string `json:"ciphertext"`
	// DecryptIn decrypted with a fresh PRNG gives DecryptOut.
	DecryptIn  string `json:"decryptIn"`
	DecryptOut string `json:"decryptOut"`
}

// lcgNext steps a 32-bit LCG: what the vector files' inputs are made from, so they need no randomness.
func lcgNext(seed *uint32) uint32 {
	*seed = *seed*1664525 + 1013904223
	return *seed
}

// sample is a deterministic byte string: the top byte of each LCG step.
func sample(n int, seed uint32) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(lcgNext(&seed) >> 24)
	}
	return b
}

func writeQPPVectors(path string) error {
	long := string(sample(300, 7))
	keys := []string{"it's a secrect", "", "kcp-web qpp", "0123456789abcdef0123456789abcdef", "a key that is longer than thirty-two bytes, as kcptun recommends 211+", long}
	counts := []int{61, 7, 1, 13}
	pieces := [][]int{{4096}, {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1514}, {7, 9, 16, 17, 31, 8, 8, 4000}}
	var out []qppVector
	for ki, key := range keys {
		for ci, count := range counts {
			if ki >= 3 && ci > 1 {
				continue // the long keys at the two common counts are enough
			}
			pad := qpp.NewQPP([]byte(key), uint16(count))
			pc := pieces[(ki+ci)%len(pieces)]
			total := 0
			for _, n := range pc {
				total += n
			}
			plain := sample(total, uint32(ki*16+ci))
			cipher := append([]byte(nil), plain...)
			prng := qpp.CreatePRNG([]byte(key))
			off := 0
			for _, n := range pc {
				pad.EncryptWithPRNG(cipher[off:off+n], prng)
				off += n
			}
			din := sample(1000, uint32(1000+ki*16+ci))
			dout := append([]byte(nil), din...)
			pad.DecryptWithPRNG(dout, qpp.CreatePRNG([]byte(key)))
			out = append(out, qppVector{
				Key: hex.EncodeToString([]byte(key)), Count: count, Pieces: pc,
				Plaintext: hex.EncodeToString(plain), Ciphertext: hex.EncodeToString(cipher),
				DecryptIn: hex.EncodeToString(din), DecryptOut: hex.EncodeToString(dout),
			})
		}
	}
	return writeVectors(path, "github.com/xtaci/qpp v1.1.25 (kcptun2026 qpp-vectors); key is hex of the raw key bytes", out)
}

// writeVectors writes a vector file: where its vectors come from, and the vectors.
func writeVectors(path, source string, vectors any) error {
	b, err := json.MarshalIndent(map[string]any{"source": source, "vectors": vectors}, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
