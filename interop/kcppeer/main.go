// kcppeer is the real kcp-go on the other end of kcp-web's tests, built
// unmodified from the Go module proxy at the version pinned in go.mod, or
// with -tags kcpgo561 -modfile go-v5.6.1.mod against v5.6.1.
//
//	kcppeer echo    --listen 127.0.0.1:0 [kcp options]   print "listening ADDR", echo every session
//	kcppeer client  --remote ADDR --bytes N [kcp options] send N random bytes, read them back, print JSON
//	kcppeer sink    --listen 127.0.0.1:0                  kcp-go's benchmark sink server (sess_test.go handleSink)
//	kcppeer sessions-server / sessions-load               the concurrent-sessions bench (sessions.go)
//	kcppeer vectors DIR                                   write the JSON test vectors kcp-web checks against
//	kcppeer version                                       print the kcp-go version it was built with
//
// kcp options follow kcptun: --crypt --key --mode --datashard --parityshard
// --mtu --sndwnd --rcvwnd --nodelay --interval --resend --nc --acknodelay.
package main

import (
	"crypto/sha1"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"sort"

	kcp "github.com/xtaci/kcp-go/v5"
	"golang.org/x/crypto/pbkdf2"
)

// kcptun's salt for the passphrase → key derivation.
const kcptunSalt = "kcp-go"

type kcpOptions struct {
	crypt, key, mode              string
	dataShard, parityShard, mtu   int
	sndwnd, rcvwnd                int
	nodelay, interval, resend, nc int
	ackNodelay                    bool
}

func addKCPFlags(fs *flag.FlagSet, o *kcpOptions) {
	fs.StringVar(&o.crypt, "crypt", "aes", "aes, aes-128, aes-192, aes-128-gcm, salsa20, blowfish, twofish, cast5, 3des, tea, xtea, xor, sm4, none, null")
	fs.StringVar(&o.key, "key", "it's a secrect", "pre-shared secret")
	fs.StringVar(&o.mode, "mode", "fast", "normal, fast, fast2, fast3, manual")
	fs.IntVar(&o.dataShard, "datashard", 10, "FEC data shards")
	fs.IntVar(&o.parityShard, "parityshard", 3, "FEC parity shards")
	fs.IntVar(&o.mtu, "mtu", 1350, "MTU")
	fs.IntVar(&o.sndwnd, "sndwnd", 1024, "send window")
	fs.IntVar(&o.rcvwnd, "rcvwnd", 1024, "receive window")
	fs.IntVar(&o.nodelay, "nodelay", 0, "manual mode nodelay")
	fs.IntVar(&o.interval, "interval", 50, "manual mode interval")
	fs.IntVar(&o.resend, "resend", 0, "manual mode resend")
	fs.IntVar(&o.nc, "nc", 0, "manual mode no congestion")
	fs.BoolVar(&o.ackNodelay, "acknodelay", false, "flush ack immediately")
}

// deriveKey is kcptun's pbkdf2-sha1(passphrase, "kcp-go", 4096, 32).
func deriveKey(passphrase string) []byte {
	return pbkdf2.Key([]byte(passphrase), []byte(kcptunSalt), 4096, 32, sha1.New)
}

// blockCrypt picks the cipher exactly as kcptun's server/client main.go do.
func blockCrypt(name string, pass []byte) (kcp.BlockCrypt, error) {
	switch name {
	case "null":
		return nil, nil
	case "sm4":
		return kcp.NewSM4BlockCrypt(pass[:16])
	case "tea":
		return kcp.NewTEABlockCrypt(pass[:16])
	case "xor":
		return kcp.NewSimpleXORBlockCrypt(pass)
	case "none":
		return kcp.NewNoneBlockCrypt(pass)
	case "aes-128":
		return kcp.NewAESBlockCrypt(pass[:16])
	case "aes-128-gcm":
		return newAESGCM(pass)
	case "aes-192":
		return kcp.NewAESBlockCrypt(pass[:24])
	case "blowfish":
		return kcp.NewBlowfishBlockCrypt(pass)
	case "twofish":
		return kcp.NewTwofishBlockCrypt(pass)
	case "cast5":
		return kcp.NewCast5BlockCrypt(pass[:16])
	case "3des":
		return kcp.NewTripleDESBlockCrypt(pass[:24])
	case "xtea":
		return kcp.NewXTEABlockCrypt(pass[:16])
	case "salsa20":
		return kcp.NewSalsa20BlockCrypt(pass)
	case "aes":
		return kcp.NewAESBlockCrypt(pass)
	}
	return nil, fmt.Errorf("unknown --crypt %q", name)
}

// parseKCP registers the kcp options on fs (beside the command's own flags),
// parses args, and returns the options with their mode applied and the cipher.
func parseKCP(fs *flag.FlagSet, args []string) (kcpOptions, kcp.BlockCrypt) {
	var o kcpOptions
	addKCPFlags(fs, &o)
	fs.Parse(args)
	o.applyMode()
	block, err := blockCrypt(o.crypt, deriveKey(o.key))
	if err != nil {
		die("%v", err)
	}
	return o, block
}

// applyMode maps kcptun's --mode presets onto nodelay/interval/resend/nc.
func (o *kcpOptions) applyMode() {
	switch o.mode {
	case "normal":
		o.nodelay, o.interval, o.resend, o.nc = 0, 40, 2, 1
	case "fast":
		o.nodelay, o.interval, o.resend, o.nc = 0, 30, 2, 1
	case "fast2":
		o.nodelay, o.interval, o.resend, o.nc = 1, 20, 2, 1
	case "fast3":
		o.nodelay, o.interval, o.resend, o.nc = 1, 10, 2, 1
	}
}

// configure applies the session settings kcptun applies to every session.
func (o *kcpOptions) configure(s *kcp.UDPSession) {
	s.SetStreamMode(true)
	s.SetWriteDelay(false)
	s.SetNoDelay(o.nodelay, o.interval, o.resend, o.nc)
	s.SetMtu(o.mtu)
	s.SetWindowSize(o.sndwnd, o.rcvwnd)
	s.SetACKNoDelay(o.ackNodelay)
}

type vectorGen func(dir string) error

var vectorGens = map[string]vectorGen{}

// registerVectors is called from the vectors_*.go files' init functions.
func registerVectors(name string, g vectorGen) { vectorGens[name] = g }

// kcpgoVersion is the kcp-go module version linked into this binary.
func kcpgoVersion() string { return modVersion("github.com/xtaci/kcp-go/v5") }

func modVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "unknown"
}

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "kcppeer: "+format+"\n", a...)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		die("usage: kcppeer echo|client|sink|sessions-server|sessions-load|vectors|version ...")
	}
	switch os.Args[1] {
	case "echo":
		runEcho(os.Args[2:])
	case "client":
		runClient(os.Args[2:])
	case "sink":
		runSink(os.Args[2:])
	case "sessions-server":
		runSessionsServer(os.Args[2:])
	case "sessions-load":
		runSessionsLoad(os.Args[2:])
	case "version":
		fmt.Println(kcpgoVersion())
	case "vectors":
		if len(os.Args) != 3 {
			die("usage: kcppeer vectors DIR")
		}
		names := make([]string, 0, len(vectorGens))
		for n := range vectorGens {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if err := vectorGens[n](os.Args[2]); err != nil {
				die("vectors %s: %v", n, err)
			}
			fmt.Println("wrote", n)
		}
	default:
		die("unknown command %q (echo, client, sink, sessions-server, sessions-load, vectors, version)", os.Args[1])
	}
}
