// kcptun2026 stands in for kcptun's last releases (v20251212 on: kcp-go
// with aes-128-gcm, smux v2 defaults with 8 KiB frames, snappy framing, QPP
// per stream), whose source is no longer fetchable as a module. It is
// written from kcptun's documented behaviour over the same modules, at the
// versions in go.mod, with kcptun's flag names and defaults.
//
//	kcptun2026 client -l 127.0.0.1:0 -r HOST:PORT [options]   TCP listen → smux streams over KCP
//	kcptun2026 server -l 127.0.0.1:0 -t HOST:PORT [options]   KCP listen → each stream to a TCP target
//	kcptun2026 qpp-vectors FILE                               write xtaci/qpp test vectors as JSON
//	kcptun2026 snappy-vectors FILE                            write golang/snappy block encoder vectors as JSON
//	kcptun2026 version                                        print the module versions it was built with
//
// Both sides print "listening on: ADDR" on stderr once they accept.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kcptun2026 client|server|qpp-vectors|snappy-vectors|version …")
		os.Exit(2)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "client":
		runClient(args)
	case "server":
		runServer(args)
	case "qpp-vectors", "snappy-vectors":
		if len(args) != 1 {
			fmt.Fprintf(os.Stderr, "usage: kcptun2026 %s FILE\n", os.Args[1])
			os.Exit(2)
		}
		write := writeQPPVectors
		if os.Args[1] == "snappy-vectors" {
			write = writeSnappyVectors
		}
		if err := write(args[0]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	case "version":
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, d := range bi.Deps {
				fmt.Println(d.Path, d.Version)
			}
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}
