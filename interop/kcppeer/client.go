package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"io"
	"os"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"
)

// runClient dials an echo server, writes --bytes random bytes while reading
// the echo back, and prints a JSON line with both sha256 sums.
func runClient(args []string) {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	remote := fs.String("remote", "", "server UDP address")
	n := fs.Int("bytes", 1<<20, "bytes to send")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	o, block := parseKCP(fs, args)
	if *remote == "" {
		die("client needs --remote HOST:PORT")
	}
	s, err := kcp.DialWithOptions(*remote, block, o.dataShard, o.parityShard)
	if err != nil {
		die("dial: %v", err)
	}
	o.configure(s)
	s.SetReadBuffer(4 << 20)
	s.SetWriteBuffer(4 << 20)

	payload := make([]byte, *n)
	rand.Read(payload)
	start := time.Now()
	s.SetDeadline(start.Add(*timeout))
	go func() {
		for off := 0; off < len(payload); off += 4096 {
			end := off + 4096
			if end > len(payload) {
				end = len(payload)
			}
			if _, err := s.Write(payload[off:end]); err != nil {
				return
			}
		}
	}()
	echoed := make([]byte, *n)
	got, rerr := io.ReadFull(s, echoed)
	elapsed := time.Since(start)
	sent := sha256.Sum256(payload)
	recv := sha256.Sum256(echoed[:got])
	res := map[string]interface{}{
		"bytes":      *n,
		"received":   got,
		"sha256Sent": h(sent[:]),
		"sha256Recv": h(recv[:]),
		"ms":         elapsed.Milliseconds(),
		"ok":         got == *n && bytes.Equal(sent[:], recv[:]),
		"snmp":       kcp.DefaultSnmp.Copy(),
	}
	if rerr != nil {
		res["error"] = rerr.Error()
	}
	json.NewEncoder(os.Stdout).Encode(res)
	s.Close()
	if !res["ok"].(bool) {
		os.Exit(1)
	}
}
