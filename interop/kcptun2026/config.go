package main

import (
	"crypto/sha1"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"
	"github.com/xtaci/qpp"
	"github.com/xtaci/smux"
	"golang.org/x/crypto/pbkdf2"
)

// config holds the flags both sides share, with kcptun's names and defaults
// (the windows and closewait differ per side and are set by the caller).
type config struct {
	crypt, key, mode                        string
	mtu, sndwnd, rcvwnd                     int
	dataShard, parityShard                  int
	noDelay, interval, resend, nc           int
	ackNodelay, noComp, quiet, useQPP       bool
	smuxVer, smuxBuf, streamBuf, frameSize  int
	keepAlive, sockBuf, qppCount, closeWait int
}

func addFlags(fs *flag.FlagSet, c *config, sndwnd, rcvwnd, closeWait int) {
	fs.StringVar(&c.key, "key", "it's a secrect", "pre-shared secret")
	fs.StringVar(&c.crypt, "crypt", "aes", "aes, aes-128, aes-128-gcm, aes-192, salsa20, blowfish, twofish, cast5, 3des, tea, xtea, xor, sm4, none, null")
	fs.StringVar(&c.mode, "mode", "fast", "profiles: fast3, fast2, fast, normal, manual")
	fs.IntVar(&c.mtu, "mtu", 1350, "maximum transmission unit for UDP packets")
	fs.IntVar(&c.sndwnd, "sndwnd", sndwnd, "send window size (packets)")
	fs.IntVar(&c.rcvwnd, "rcvwnd", rcvwnd, "receive window size (packets)")
	fs.IntVar(&c.dataShard, "datashard", 10, "reed-solomon erasure coding: datashard")
	fs.IntVar(&c.dataShard, "ds", 10, "alias of -datashard")
	fs.IntVar(&c.parityShard, "parityshard", 3, "reed-solomon erasure coding: parityshard")
	fs.IntVar(&c.parityShard, "ps", 3, "alias of -parityshard")
	fs.BoolVar(&c.ackNodelay, "acknodelay", false, "flush ack immediately when a packet is received")
	fs.IntVar(&c.noDelay, "nodelay", 0, "manual mode")
	fs.IntVar(&c.interval, "interval", 50, "manual mode")
	fs.IntVar(&c.resend, "resend", 0, "manual mode")
	fs.IntVar(&c.nc, "nc", 0, "manual mode")
	fs.IntVar(&c.sockBuf, "sockbuf", 4194304, "per-socket buffer in bytes")
	fs.IntVar(&c.smuxVer, "smuxver", 2, "smux version, 1 or 2")
	fs.IntVar(&c.smuxBuf, "smuxbuf", 4194304, "overall de-mux buffer in bytes")
	fs.IntVar(&c.streamBuf, "streambuf", 2097152, "per stream receive buffer in bytes, smux v2+")
	fs.IntVar(&c.frameSize, "framesize", 8192, "smux max frame size")
	fs.IntVar(&c.keepAlive, "keepalive", 10, "seconds between heartbeats")
	fs.BoolVar(&c.noComp, "nocomp", false, "disable compression")
	fs.BoolVar(&c.useQPP, "QPP", false, "enable Quantum Permutation Pads")
	fs.IntVar(&c.qppCount, "QPPCount", 61, "the prime number of pads to use for QPP")
	fs.IntVar(&c.closeWait, "closewait", closeWait, "seconds to wait before tearing down a connection")
	fs.BoolVar(&c.quiet, "quiet", false, "suppress the 'stream open/close' messages")
}

// applyMode maps kcptun's profiles to nodelay, interval, resend, nc.
func (c *config) applyMode() {
	switch c.mode {
	case "normal":
		c.noDelay, c.interval, c.resend, c.nc = 0, 40, 2, 1
	case "fast":
		c.noDelay, c.interval, c.resend, c.nc = 0, 30, 2, 1
	case "fast2":
		c.noDelay, c.interval, c.resend, c.nc = 1, 20, 2, 1
	case "fast3":
		c.noDelay, c.interval, c.resend, c.nc = 1, 10, 2, 1
	}
}

// blockCrypt derives the key as kcptun does (pbkdf2-sha1, salt "kcp-go")
// and picks the cipher by name; an unknown name falls back to AES-256.
func (c *config) blockCrypt() kcp.BlockCrypt {
	pass := pbkdf2.Key([]byte(c.key), []byte("kcp-go"), 4096, 32, sha1.New)
	var block kcp.BlockCrypt
	var err error
	switch c.crypt {
	case "null":
		return nil
	case "none":
		block, err = kcp.NewNoneBlockCrypt(pass)
	case "xor":
		block, err = kcp.NewSimpleXORBlockCrypt(pass)
	case "aes-128":
		block, err = kcp.NewAESBlockCrypt(pass[:16])
	case "aes-192":
		block, err = kcp.NewAESBlockCrypt(pass[:24])
	case "aes-128-gcm":
		block, err = kcp.NewAESGCMCrypt(pass[:16])
	case "salsa20":
		block, err = kcp.NewSalsa20BlockCrypt(pass)
	case "blowfish":
		block, err = kcp.NewBlowfishBlockCrypt(pass)
	case "twofish":
		block, err = kcp.NewTwofishBlockCrypt(pass)
	case "cast5":
		block, err = kcp.NewCast5BlockCrypt(pass[:16])
	case "3des":
		block, err = kcp.NewTripleDESBlockCrypt(pass[:24])
	case "tea":
		block, err = kcp.NewTEABlockCrypt(pass[:16])
	case "xtea":
		block, err = kcp.NewXTEABlockCrypt(pass[:16])
	case "sm4":
		block, err = kcp.NewSM4BlockCrypt(pass[:16])
	default:
		c.crypt = "aes"
		block, err = kcp.NewAESBlockCrypt(pass)
	}
	if err != nil {
		log.Fatalf("crypt %s: %v", c.crypt, err)
	}
	return block
}

// setupSession applies kcptun's per-session KCP settings.
func (c *config) setupSession(s *kcp.UDPSession) {
	s.SetStreamMode(true)
	s.SetWriteDelay(false)
	s.SetNoDelay(c.noDelay, c.interval, c.resend, c.nc)
	s.SetWindowSize(c.sndwnd, c.rcvwnd)
	s.SetMtu(c.mtu)
	s.SetACKNoDelay(c.ackNodelay)
}

func (c *config) smuxConfig() *smux.Config {
	sc := smux.DefaultConfig()
	sc.Version = c.smuxVer
	sc.MaxReceiveBuffer = c.smuxBuf
	sc.MaxStreamBuffer = c.streamBuf
	sc.MaxFrameSize = c.frameSize
	sc.KeepAliveInterval = time.Duration(c.keepAlive) * time.Second
	if err := smux.VerifyConfig(sc); err != nil {
		log.Fatalf("smux config: %v", err)
	}
	return sc
}

// newQPP builds the pads from the raw key (not the pbkdf2 output), as kcptun does.
func (c *config) newQPP() *qpp.QuantumPermutationPad {
	if !c.useQPP {
		return nil
	}
	if c.qppCount < 1 || c.qppCount > 65535 {
		log.Fatalf("QPPCount must be 1..65535")
	}
	return qpp.NewQPP([]byte(c.key), uint16(c.qppCount))
}

func parse(fs *flag.FlagSet, args []string, c *config) {
	if err := fs.Parse(args); err != nil {
		os.Exit(2)
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "unexpected arguments: %v\n", fs.Args())
		os.Exit(2)
	}
	c.applyMode()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
}
