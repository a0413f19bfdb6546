//go:build !kcpgo561

package main

import (
	"unsafe"

	kcp "github.com/xtaci/kcp-go/v5"
)

// The current kcp-go API (go.mod); compat_kcpgo561.go holds v5.6.1's.

// Input takes a PacketType: regular, or recovered by FEC (no RTT/window update).
func kcpInput(k *kcp.KCP, data []byte, regular, ackNoDelay bool) int {
	t := kcp.IKCP_PACKET_FEC
	if regular {
		t = kcp.IKCP_PACKET_REGULAR
	}
	return k.Input(data, t, ackNoDelay)
}

// maxDatagram: kcp-go reads datagrams into 1472-byte buffers (maxPacketSize, v5.7.0+):
// a longer one arrives truncated.
const maxDatagram = 1472

// kcpHasReserve is false: the session prepends its headers in the output
// callback, so a bare KCP has no reserved room (ReserveBytes is gone).
const kcpHasReserve = false

func kcpReserveBytes(*kcp.KCP, int) bool { panic("kcp-go has no ReserveBytes since v5.6.12") }

// fecShortShards: the decoder no longer counts short shards.
func fecShortShards() uint64 { return 0 }

// encode's second argument is the gap (ms) between the group's last two data
// packets above which the group's parity is skipped (the session passes 500).
//
//go:linkname fecEncode github.com/xtaci/kcp-go/v5.(*fecEncoder).encode
func fecEncode(enc unsafe.Pointer, b []byte, gapMs uint32) [][]byte

// kcptun's aes-128-gcm: AES-128-GCM with the first 16 bytes of the derived key.
func newAESGCM(key []byte) (kcp.BlockCrypt, error) { return kcp.NewAESGCMCrypt(key[:16]) }
