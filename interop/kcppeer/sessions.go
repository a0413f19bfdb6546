package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"
)

// The concurrent-sessions benchmark (bench/sessions.ts), with kcp-go on
// either side: game-like sessions send one 32-byte message every 50 ms and
// the server only counts them (its KCP answers with ACKs).
//
//	kcppeer sessions-server --listen 127.0.0.1:0 [kcp options]
//	    prints "listening ADDR", then once a second {"sessions","msgs","cpu","rssMB"}
//	kcppeer sessions-load --remote ADDR --count N --seconds S [kcp options]
//	    opens N sessions (each on its own UDP socket), prints "open", sends,
//	    and prints {"cpu"} once a second; exits after S seconds in all
//
// cpu is the process's user+system time as % of one core over the last second.

// configureMessages is kcptun's configure but in message mode: one Read per
// message the peer wrote.
func (o *kcpOptions) configureMessages(s *kcp.UDPSession) {
	o.configure(s)
	s.SetStreamMode(false)
}

// cpuMeter reports CPU time since its last reading as % of one core.
type cpuMeter struct {
	cpu  time.Duration
	wall time.Time
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (m *cpuMeter) percent() float64 {
	now, cpu := time.Now(), processCPU()
	pct := float64(cpu-m.cpu) / float64(now.Sub(m.wall)) * 100
	m.cpu, m.wall = cpu, now
	return pct
}

// rssMB reads the resident set from /proc/self/statm (pages).
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize()) / (1 << 20)
}

func printJSON(v interface{}) {
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
}

func runSessionsServer(args []string) {
	fs := flag.NewFlagSet("sessions-server", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "UDP address to listen on")
	o, block := parseKCP(fs, args)
	l := listenAnnounced(*listen, block, o.dataShard, o.parityShard)
	var sessions, msgs int64
	go func() {
		m := cpuMeter{processCPU(), time.Now()}
		for range time.Tick(time.Second) {
			printJSON(map[string]float64{
				"sessions": float64(atomic.LoadInt64(&sessions)),
				"msgs":     float64(atomic.SwapInt64(&msgs, 0)),
				"cpu":      m.percent(),
				"rssMB":    rssMB(),
			})
		}
	}()
	for {
		s, err := l.AcceptKCP()
		if err != nil {
			die("accept: %v", err)
		}
		o.configureMessages(s)
		atomic.AddInt64(&sessions, 1)
		go func() {
			defer atomic.AddInt64(&sessions, -1)
			buf := make([]byte, 2048)
			for {
				if _, err := s.Read(buf); err != nil {
					return
				}
				atomic.AddInt64(&msgs, 1)
			}
		}()
	}
}

func runSessionsLoad(args []string) {
	fs := flag.NewFlagSet("sessions-load", flag.ExitOnError)
	remote := fs.String("remote", "", "server UDP address")
	count := fs.Int("count", 1000, "sessions to open")
	seconds := fs.Int("seconds", 60, "exit after this many seconds in all")
	o, block := parseKCP(fs, args)
	if *remote == "" || *count <= 0 || *seconds <= 0 {
		die("sessions-load needs --remote HOST:PORT, --count > 0 and --seconds > 0")
	}
	time.AfterFunc(time.Duration(*seconds)*time.Second, func() { os.Exit(0) })
	sessions := make([]*kcp.UDPSession, *count)
	for i := range sessions {
		s, err := kcp.DialWithOptions(*remote, block, o.dataShard, o.parityShard)
		if err != nil {
			die("dial %d: %v", i, err)
		}
		o.configureMessages(s)
		sessions[i] = s
	}
	fmt.Println("open")
	go func() {
		m := cpuMeter{processCPU(), time.Now()}
		for range time.Tick(time.Second) {
			printJSON(map[string]float64{"cpu": m.percent()})
		}
	}()
	// Every 5 ms a tenth of the sessions send, so each sends once per 50 ms.
	msg := make([]byte, 32)
	slice := (*count + 9) / 10
	k := 0
	for range time.Tick(5 * time.Millisecond) {
		for j := 0; j < slice; j++ {
			sessions[(k+j)%*count].Write(msg)
		}
		k = (k + slice) % *count
	}
}
