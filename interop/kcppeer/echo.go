package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	kcp "github.com/xtaci/kcp-go"
)

// runEcho serves kcp-go sessions that write back everything they read.
func runEcho(args []string) {
	fs := flag.NewFlagSet("echo", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "UDP address to listen on")
	var o kcpOptions
	addKCPFlags(fs, &o)
	fs.Parse(args)
	o.applyMode()

	block, err := blockCrypt(o.crypt, deriveKey(o.key))
	if err != nil {
		die("%v", err)
	}
	l, err := kcp.ListenWithOptions(*listen, block, o.dataShard, o.parityShard)
	if err != nil {
		die("listen: %v", err)
	}
	l.SetReadBuffer(4 << 20)
	l.SetWriteBuffer(4 << 20)
	// The test harness reads this line to learn the port.
	fmt.Printf("listening %s\n", l.Addr())
	os.Stdout.Sync()
	for {
		s, err := l.AcceptKCP()
		if err != nil {
			die("accept: %v", err)
		}
		o.configure(s)
		go func() {
			defer s.Close()
			io.Copy(s, s)
		}()
	}
}
