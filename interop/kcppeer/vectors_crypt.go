package main

import (
	"encoding/binary"
	"hash/crc32"
)

// Cipher vectors from kcp-go's own BlockCrypt implementations, selected and
// keyed exactly as kcptun does (blockCrypt + deriveKey in main.go).
func init() { registerVectors("crypt", genCrypt) }

var cryptNames = []string{"aes", "aes-128", "aes-192", "salsa20", "blowfish", "twofish", "cast5", "3des", "tea", "xtea", "xor", "sm4", "none"}

type cipherVector struct {
	Crypt     string `json:"crypt"`
	Key       string `json:"key"`       // the derived 32-byte key
	Plain     string `json:"plain"`     // a packet as sess.go builds it: nonce, CRC32, payload
	Encrypted string `json:"encrypted"` // BlockCrypt.Encrypt(plain)
	Decrypted string `json:"decrypted"` // BlockCrypt.Decrypt(plain): the inverse direction, checked on its own
}

type kdfVector struct {
	Passphrase string `json:"passphrase"`
	Key        string `json:"key"`
}

func genCrypt(dir string) error {
	var kdfs []kdfVector
	for _, p := range []string{"it's a secrect", "", "kcp-web", "пароль 🔑", "a much longer passphrase that is more than one sha1 block long, just to be sure"} {
		kdfs = append(kdfs, kdfVector{p, h(deriveKey(p))})
	}
	var vecs []cipherVector
	key := deriveKey("vector key")
	for i, name := range cryptNames {
		block, err := blockCrypt(name, key)
		if err != nil {
			return err
		}
		for j, n := range []int{20, 21, 27, 36, 64, 100, 1367, 1400, 1500} {
			plain := detBytes(uint32(1000*i+j+1), n)
			// A real packet: 16-byte nonce, CRC32-IEEE of what follows the CRC, payload.
			binary.LittleEndian.PutUint32(plain[16:], crc32.ChecksumIEEE(plain[20:]))
			enc := make([]byte, n)
			block.Encrypt(enc, plain)
			dec := make([]byte, n)
			block.Decrypt(dec, plain)
			vecs = append(vecs, cipherVector{name, h(key), h(plain), h(enc), h(dec)})
		}
	}
	return writeVectors(dir, "crypt.json", map[string]interface{}{
		"generator": "interop/kcppeer/vectors_crypt.go (kcp-go 5.6.1, Debian golang-github-xtaci-kcp-dev)",
		"kdf":       kdfs,
		"ciphers":   vecs,
	})
}
