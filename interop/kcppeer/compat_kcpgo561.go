//go:build kcpgo561

package main

import (
	"errors"
	"sync/atomic"
	"unsafe"

	kcp "github.com/xtaci/kcp-go/v5"
)

// kcp-go v5.6.1's API where it differs from today's: the build for old
// deployments (go build -tags kcpgo561 -modfile go-v5.6.1.mod).

// Input took a bool for "regular" (not FEC-recovered).
func kcpInput(k *kcp.KCP, data []byte, regular, ackNoDelay bool) int {
	return k.Input(data, regular, ackNoDelay)
}

// maxDatagram: v5.6.1 reads datagrams of up to 1500 bytes (mtuLimit).
const maxDatagram = 1500

// kcpHasReserve: v5.6.1 keeps the session's header room inside the KCP
// (ReserveBytes); newer versions add it in the session's output callback.
const kcpHasReserve = true

func kcpReserveBytes(k *kcp.KCP, n int) bool { return k.ReserveBytes(n) }

// fecShortShards reads the counter v5.6.1's decoder moved when a shard was
// shorter than its size field claimed.
func fecShortShards() uint64 { return atomic.LoadUint64(&kcp.DefaultSnmp.FECShortShards) }

//go:linkname fecEncode561 github.com/xtaci/kcp-go/v5.(*fecEncoder).encode
func fecEncode561(enc unsafe.Pointer, b []byte) [][]byte

// v5.6.1's encoder always sends parity; the gap rule came later.
func fecEncode(enc unsafe.Pointer, b []byte, _ uint32) [][]byte { return fecEncode561(enc, b) }

func newAESGCM(key []byte) (kcp.BlockCrypt, error) {
	return nil, errors.New("--crypt aes-128-gcm needs kcp-go v5.6.49 or newer; this kcppeer is built against v5.6.1")
}
