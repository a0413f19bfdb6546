package main

import (
	"encoding/binary"
	"hash/crc32"

	kcp "github.com/xtaci/kcp-go/v5"
)

// Cipher vectors from kcp-go's own BlockCrypt implementations. Every
// operation runs in place (dst == src), as sess.go output() and
// packetInput() call them.
func init() { registerVectors("crypt", genCrypt) }

// Every kcptun cipher name but "null", which has no BlockCrypt at all.
var cryptNames = []string{"aes", "aes-128", "aes-192", "salsa20", "blowfish", "twofish", "cast5", "3des", "tea", "xtea", "xor", "sm4", "none"}

// Packet lengths: the bare header, partial last blocks of both block sizes,
// whole blocks, and MTU-sized packets up to kcp-go's mtuLimit.
var packetLengths = []int{20, 21, 27, 36, 64, 100, 1367, 1400, 1500}

// Buffers that are not packets: shorter than a header, odd lengths, and
// longer than the xor pad (1500 bytes).
var bufferLengths = []int{1, 7, 8, 9, 15, 16, 17, 33, 1600}

type cipherVector struct {
	Crypt     string `json:"crypt"`     // kcptun name; the key is sliced as kcptun does (blockCrypt in main.go)
	Key       string `json:"key"`       // the derived 32-byte key
	Plain     string `json:"plain"`     // packet vectors: as sess.go builds it (nonce, CRC32 LE, payload); buffer vectors: arbitrary bytes
	Encrypted string `json:"encrypted"` // BlockCrypt.Encrypt(plain)
	Decrypted string `json:"decrypted"` // BlockCrypt.Decrypt(plain): the inverse direction, on its own input
}

type rawVector struct {
	Ctor      string `json:"ctor"` // kcp-go constructor, given Key as is
	Key       string `json:"key"`
	Plain     string `json:"plain"`
	Encrypted string `json:"encrypted"`
	Decrypted string `json:"decrypted"`
}

type kdfVector struct {
	Passphrase string `json:"passphrase"`
	Key        string `json:"key"`
}

// cryptPacket builds n bytes as sess.go would send them before encryption: a
// fixed 16-byte nonce (random in a real session), the CRC32-IEEE (little
// endian) of everything after the CRC field, then the payload.
func cryptPacket(seed uint32, n int) []byte {
	p := detBytes(seed, n)
	copy(p, []byte("kcp-web nonce 16"))
	binary.LittleEndian.PutUint32(p[16:], crc32.ChecksumIEEE(p[20:]))
	return p
}

func cryptInPlace(f func(dst, src []byte), in []byte) []byte {
	b := append([]byte(nil), in...)
	f(b, b)
	return b
}

func genCrypt(dir string) error {
	var kdfs []kdfVector
	for _, p := range []string{"it's a secrect", "", "kcp-web", "пароль 🔑", "a much longer passphrase that is more than one sha1 block long, just to be sure"} {
		kdfs = append(kdfs, kdfVector{p, h(deriveKey(p))})
	}

	key := deriveKey("vector key")
	var packets, buffers []cipherVector
	for i, name := range cryptNames {
		block, err := blockCrypt(name, key)
		if err != nil {
			return err
		}
		for j, n := range packetLengths {
			plain := cryptPacket(uint32(1000*i+j+1), n)
			packets = append(packets, cipherVector{name, h(key), h(plain), h(cryptInPlace(block.Encrypt, plain)), h(cryptInPlace(block.Decrypt, plain))})
		}
		for j, n := range bufferLengths {
			if name == "salsa20" && n < 8 {
				continue // kcp-go's salsa20 slices off an 8-byte nonce and would panic
			}
			plain := detBytes(uint32(5000+100*i+j), n)
			buffers = append(buffers, cipherVector{name, h(key), h(plain), h(cryptInPlace(block.Encrypt, plain)), h(cryptInPlace(block.Decrypt, plain))})
		}
	}

	// The constructors with keys of other lengths than kcptun passes.
	type ctor struct {
		name string
		make func([]byte) (kcp.BlockCrypt, error)
		keys []int
	}
	var raws []rawVector
	for i, c := range []ctor{
		{"NewAESBlockCrypt", kcp.NewAESBlockCrypt, []int{16, 24, 32}},
		{"NewSalsa20BlockCrypt", kcp.NewSalsa20BlockCrypt, []int{32, 16}}, // a short key is zero-padded
		{"NewBlowfishBlockCrypt", kcp.NewBlowfishBlockCrypt, []int{1, 8, 56}},
		{"NewTwofishBlockCrypt", kcp.NewTwofishBlockCrypt, []int{16, 24, 32}},
		{"NewCast5BlockCrypt", kcp.NewCast5BlockCrypt, []int{16}},
		{"NewTripleDESBlockCrypt", kcp.NewTripleDESBlockCrypt, []int{24}},
		{"NewTEABlockCrypt", kcp.NewTEABlockCrypt, []int{16}},
		{"NewXTEABlockCrypt", kcp.NewXTEABlockCrypt, []int{16}},
		{"NewSM4BlockCrypt", kcp.NewSM4BlockCrypt, []int{16}},
		{"NewSimpleXORBlockCrypt", kcp.NewSimpleXORBlockCrypt, []int{5, 32}},
		{"NewNoneBlockCrypt", kcp.NewNoneBlockCrypt, []int{0}},
	} {
		for j, kl := range c.keys {
			k := detBytes(uint32(9000+100*i+j), kl)
			block, err := c.make(k)
			if err != nil {
				return err
			}
			for m, n := range []int{20, 37, 100} {
				plain := cryptPacket(uint32(20000+1000*i+100*j+m), n)
				raws = append(raws, rawVector{c.name, h(k), h(plain), h(cryptInPlace(block.Encrypt, plain)), h(cryptInPlace(block.Decrypt, plain))})
			}
		}
	}

	return writeVectors(dir, "crypt.json", map[string]interface{}{
		"generator": "interop/kcppeer/vectors_crypt.go (kcp-go " + kcpgoVersion() + ")",
		"kdf":       kdfs,
		"ciphers":   packets,
		"buffers":   buffers,
		"raw":       raws,
	})
}
