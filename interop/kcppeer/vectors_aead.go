//go:build !kcpgo561

package main

import (
	kcp "github.com/xtaci/kcp-go/v5"
)

// AEAD vectors (kcptun's aes-128-gcm) from kcp-go's own aeadCrypt, sealed as
// sess.go's postProcess does: Seal(buf[:nonceSize], nonce, buf[nonceSize:], nil),
// so the datagram is nonce | ciphertext | tag. Only kcp-go >= v5.6.49 has
// NewAESGCMCrypt, hence the build tag.
func init() { registerVectors("aead", genAEAD) }

// The sealing half of kcp-go's aeadCrypt (its type is unexported).
type aeadSealer interface {
	Seal(dst, nonce, plaintext, additionalData []byte) []byte
	Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
	NonceSize() int
	Overhead() int
}

// Plaintext lengths: empty, around the block size, a lone FEC header, one
// KCP header, and the largest plaintexts kcptun's MTU 1350 and kcp-go's
// mtuLimit 1500 allow (minus nonce and tag).
var aeadLengths = []int{0, 1, 15, 16, 17, 24, 31, 100, 1322, 1472}

type aeadVector struct {
	Crypt  string `json:"crypt,omitempty"` // kcptun name; the key is sliced as kcptun does (blockCrypt in main.go)
	Ctor   string `json:"ctor,omitempty"`  // or a kcp-go constructor, given Key as is
	Key    string `json:"key"`
	Plain  string `json:"plain"`  // nonce(12) | plaintext
	Sealed string `json:"sealed"` // nonce(12) | ciphertext | tag(16)
}

func sealDatagram(a aeadSealer, nonce, plaintext []byte) []byte {
	buf := make([]byte, len(nonce)+len(plaintext), len(nonce)+len(plaintext)+a.Overhead())
	copy(buf, nonce)
	copy(buf[len(nonce):], plaintext)
	return a.Seal(buf[:len(nonce)], buf[:len(nonce)], buf[len(nonce):], nil)
}

func genAEAD(dir string) error {
	key := deriveKey("vector key")
	var named, raws []aeadVector
	block, err := blockCrypt("aes-128-gcm", key)
	if err != nil {
		return err
	}
	a := block.(aeadSealer)
	for j, n := range aeadLengths {
		nonce := detBytes(uint32(30000+j), a.NonceSize())
		plain := detBytes(uint32(31000+j), n)
		sealed := sealDatagram(a, nonce, plain)
		// Opened back by kcp-go, as packetInput does, so a vector is never one kcp-go would reject.
		if _, err := a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], nil); err != nil {
			return err
		}
		named = append(named, aeadVector{Crypt: "aes-128-gcm", Key: h(key), Plain: h(append(nonce, plain...)), Sealed: h(sealed)})
	}
	for i, kl := range []int{16, 24, 32} {
		k := detBytes(uint32(32000+i), kl)
		b, err := kcp.NewAESGCMCrypt(k)
		if err != nil {
			return err
		}
		a := b.(aeadSealer)
		for m, n := range []int{0, 37, 100} {
			nonce := detBytes(uint32(33000+100*i+m), a.NonceSize())
			plain := detBytes(uint32(34000+100*i+m), n)
			raws = append(raws, aeadVector{Ctor: "NewAESGCMCrypt", Key: h(k), Plain: h(append(nonce, plain...)), Sealed: h(sealDatagram(a, nonce, plain))})
		}
	}
	return writeVectors(dir, "aead.json", map[string]interface{}{
		"generator": "interop/kcppeer/vectors_aead.go (kcp-go " + kcpgoVersion() + ")",
		"packets":   named,
		"raw":       raws,
	})
}
