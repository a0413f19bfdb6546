// delaylink is the lossy, delayed link of kcp-web's latency bench: two TUN
// devices, one for each end's network namespace, and every IP packet read
// from one written to the other after a fixed delay. The kernels on both
// sides stay real (TCP retransmits, UDP is UDP); the delay is the part no
// qdisc here can add (no netem). Loss is not applied here but by nftables in
// each namespace, so it is counted in the kernel like any other drop.
//
//	delaylink -a NAME -b NAME -delay MS
//
// It prints "ready" once both devices exist. On each stdin line "stats" it
// prints one JSON line with the IP bytes and packets seen per server port
// since the previous "stats" (up: a→b keyed by destination port, down: b→a by
// source port), sent ones and ones the far kernel will drop alike.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

const (
	iffTun   = 0x0001
	iffNoPi  = 0x1000
	tunSetIf = 0x400454ca
)

func openTun(name string) (*os.File, error) {
	fd, err := syscall.Open("/dev/net/tun", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	var req [40]byte
	copy(req[:16], name)
	binary.LittleEndian.PutUint16(req[16:], iffTun|iffNoPi)
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), tunSetIf, uintptr(unsafe.Pointer(&req[0]))); e != 0 {
		syscall.Close(fd)
		return nil, fmt.Errorf("TUNSETIFF %s: %v", name, e)
	}
	return os.NewFile(uintptr(fd), name), nil
}

type counter struct {
	Bytes   uint64 `json:"bytes"`
	Packets uint64 `json:"packets"`
}

type counts struct {
	mu   sync.Mutex
	up   map[uint16]*counter
	down map[uint16]*counter
}

func (c *counts) add(pkt []byte, up bool) {
	// IPv4 only (the bench's addresses); port 0 for anything without one.
	var port uint16
	if len(pkt) >= 20 && pkt[0]>>4 == 4 {
		ihl := int(pkt[0]&0x0f) * 4
		if (pkt[9] == syscall.IPPROTO_UDP || pkt[9] == syscall.IPPROTO_TCP) && len(pkt) >= ihl+4 {
			if up {
				port = binary.BigEndian.Uint16(pkt[ihl+2:])
			} else {
				port = binary.BigEndian.Uint16(pkt[ihl:])
			}
		}
	}
	c.mu.Lock()
	m := c.down
	if up {
		m = c.up
	}
	k := m[port]
	if k == nil {
		k = &counter{}
		m[port] = k
	}
	k.Bytes += uint64(len(pkt))
	k.Packets++
	c.mu.Unlock()
}

type delayed struct {
	due time.Time
	pkt []byte
}

// pump moves packets from src to dst, each delay after it was read. The
// delay is constant, so a FIFO keeps them in order.
func pump(src, dst *os.File, delay time.Duration, c *counts, up bool) {
	queue := make(chan delayed, 65536)
	go func() {
		for d := range queue {
			if w := time.Until(d.due); w > 0 {
				time.Sleep(w)
			}
			dst.Write(d.pkt)
		}
	}()
	buf := make([]byte, 65536)
	for {
		n, err := src.Read(buf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "delaylink:", err)
			os.Exit(1)
		}
		pkt := append([]byte(nil), buf[:n]...)
		c.add(pkt, up)
		select {
		case queue <- delayed{time.Now().Add(delay), pkt}:
		default: // a full queue is a full link: drop, as a router would
		}
	}
}

func main() {
	a := flag.String("a", "", "TUN device of the client side")
	b := flag.String("b", "", "TUN device of the server side")
	ms := flag.Float64("delay", 0, "one-way delay in ms")
	flag.Parse()
	ta, err := openTun(*a)
	if err != nil {
		fmt.Fprintln(os.Stderr, "delaylink:", err)
		os.Exit(1)
	}
	tb, err := openTun(*b)
	if err != nil {
		fmt.Fprintln(os.Stderr, "delaylink:", err)
		os.Exit(1)
	}
	c := &counts{up: map[uint16]*counter{}, down: map[uint16]*counter{}}
	delay := time.Duration(*ms * float64(time.Millisecond))
	go pump(ta, tb, delay, c, true)
	go pump(tb, ta, delay, c, false)
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() != "stats" {
			continue
		}
		c.mu.Lock()
		out, _ := json.Marshal(map[string]map[uint16]*counter{"up": c.up, "down": c.down})
		c.up, c.down = map[uint16]*counter{}, map[uint16]*counter{}
		c.mu.Unlock()
		fmt.Println(string(out))
	}
}
