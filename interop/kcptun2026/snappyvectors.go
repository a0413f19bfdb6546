package main

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/golang/snappy"
)

// Snappy block vectors for kcp-web's encoder: per input, what golang/snappy's
// Encode writes (its length and sha256). Inputs are recipes both sides
// generate, so the file stays small:
//
//	lcg      sample(length, seed)
//	alphabet sample(length, seed), each byte 'a' + b%4
//	words    words picked by the LCG, space-separated, cut to length
//	repeats  512-byte pieces, each either sample bytes or a copy of an earlier piece
//	zeros    zero bytes
type snappyVector struct {
	Kind    string `json:"kind"`
	Length  int    `json:"length"`
	Seed    uint32 `json:"seed"`
	Encoded int    `json:"encoded"`
	Sha256  string `json:"sha256"`
}

var snappyWords = []string{"kcp", "smux", "stream", "session", "frame", "window", "tunnel", "snappy", "packet", "ack"}

func snappyInput(kind string, n int, seed uint32) []byte {
	switch kind {
	case "lcg":
		return sample(n, seed)
	case "alphabet":
		b := sample(n, seed)
		for i := range b {
			b[i] = 'a' + b[i]%4
		}
		return b
	case "words":
		b := make([]byte, 0, n+16)
		for len(b) < n {
			b = append(b, snappyWords[lcgNext(&seed)>>24%uint32(len(snappyWords))]...)
			b = append(b, ' ')
		}
		return b[:n]
	case "repeats":
		b := make([]byte, n)
		for at := 0; at < n; at += 512 {
			end := min(n, at+512)
			if r := lcgNext(&seed); at > 0 && r>>31 == 1 {
				from := at - 1 - int(r>>8)%min(at, 60000)
				copy(b[at:end], b[from:from+end-at])
			} else {
				copy(b[at:end], sample(end-at, r))
			}
		}
		return b
	default: // zeros
		return make([]byte, n)
	}
}

func writeSnappyVectors(path string) error {
	var out []snappyVector
	lengths := []int{0, 1, 16, 17, 18, 100, 1000, 8192, 65535, 65536, 65537, 150000}
	for ki, kind := range []string{"lcg", "alphabet", "words", "repeats", "zeros"} {
		for li, n := range lengths {
			seed := uint32(ki*100 + li)
			enc := snappy.Encode(nil, snappyInput(kind, n, seed))
			sum := sha256.Sum256(enc)
			out = append(out, snappyVector{Kind: kind, Length: n, Seed: seed, Encoded: len(enc), Sha256: hex.EncodeToString(sum[:])})
		}
	}
	return writeVectors(path, "github.com/golang/snappy v1.0.0 Encode (kcptun2026 snappy-vectors); inputs are recipes, see interop/kcptun2026/snappyvectors.go", out)
}
