package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	kcp "github.com/xtaci/kcp-go/v5"
)

// runEcho serves kcp-go sessions that write back everything they read.
func runEcho(args []string) {
	fs := flag.NewFlagSet("echo", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "UDP address to listen on")
	o, block := parseKCP(fs, args)
	l := listenAnnounced(*listen, block, o.dataShard, o.parityShard)
	// On SIGTERM, print kcp-go's process-wide counters and how many sessions
	// the listener accepted (one per client address and conv) as one JSON line, then exit.
	var sessions atomic.Int64
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go func() {
		<-sig
		out, _ := json.Marshal(map[string]interface{}{"snmp": kcp.DefaultSnmp.Copy(), "sessions": sessions.Load()})
		fmt.Println(string(out))
		os.Stdout.Sync()
		os.Exit(0)
	}()
	for {
		s, err := l.AcceptKCP()
		if err != nil {
			die("accept: %v", err)
		}
		sessions.Add(1)
		o.configure(s)
		go func() {
			defer s.Close()
			io.Copy(s, s)
		}()
	}
}

// listenAnnounced opens a kcp-go listener with 4 MiB socket buffers and
// prints "listening ADDR": the test and bench harnesses read that line.
func listenAnnounced(addr string, block kcp.BlockCrypt, dataShards, parityShards int) *kcp.Listener {
	l, err := kcp.ListenWithOptions(addr, block, dataShards, parityShards)
	if err != nil {
		die("listen: %v", err)
	}
	l.SetReadBuffer(4 << 20)
	l.SetWriteBuffer(4 << 20)
	fmt.Printf("listening %s\n", l.Addr())
	os.Stdout.Sync()
	return l
}
