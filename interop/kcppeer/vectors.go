package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
)

// writeVectors writes one JSON vector file; byte strings go in as hex (h()).
func writeVectors(dir, name string, v interface{}) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o644)
}

func h(b []byte) string { return hex.EncodeToString(b) }

// detBytes returns n deterministic pseudo-random bytes (xorshift32 from seed),
// so vectors are reproducible and the TS side could regenerate inputs.
func detBytes(seed uint32, n int) []byte {
	out := make([]byte, n)
	x := seed | 1
	for i := range out {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out[i] = byte(x)
	}
	return out
}
