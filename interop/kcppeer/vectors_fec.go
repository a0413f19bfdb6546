package main

import (
	"net"
	"sync"
	"time"

	"github.com/klauspost/reedsolomon"
	kcp "github.com/xtaci/kcp-go"
)

// FEC vectors: Reed-Solomon parity straight from klauspost/reedsolomon (the
// codec kcp-go uses), and whole FEC-framed packets written by a real kcp-go
// UDPSession into a capturing PacketConn.
func init() { registerVectors("fec", genFEC) }

type rsVector struct {
	Data   int      `json:"data"`
	Parity int      `json:"parity"`
	Shards []string `json:"shards"` // data shards then the parity kcp-go's codec computed
}

type sessionVector struct {
	Data    int      `json:"data"`
	Parity  int      `json:"parity"`
	Packets []string `json:"packets"` // datagrams in the order the session wrote them
}

// captureConn is a net.PacketConn that records writes and never delivers reads.
type captureConn struct {
	mu      sync.Mutex
	packets []string
	closed  chan struct{}
}

func (c *captureConn) ReadFrom(p []byte) (int, net.Addr, error) { <-c.closed; return 0, nil, net.ErrClosed }
func (c *captureConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	c.mu.Lock()
	c.packets = append(c.packets, h(p))
	c.mu.Unlock()
	return len(p), nil
}
func (c *captureConn) Close() error                       { return nil }
func (c *captureConn) LocalAddr() net.Addr                { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }
func (c *captureConn) SetDeadline(t time.Time) error      { return nil }
func (c *captureConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *captureConn) SetWriteDeadline(t time.Time) error { return nil }

func genFEC(dir string) error {
	var rs []rsVector
	for i, cfg := range [][2]int{{1, 1}, {2, 1}, {3, 2}, {10, 3}, {20, 5}, {70, 30}, {128, 128}} {
		enc, err := reedsolomon.New(cfg[0], cfg[1])
		if err != nil {
			return err
		}
		size := 16 + 37*i
		shards := make([][]byte, cfg[0]+cfg[1])
		for k := range shards {
			if k < cfg[0] {
				shards[k] = detBytes(uint32(100*i+k+1), size)
			} else {
				shards[k] = make([]byte, size)
			}
		}
		if err := enc.Encode(shards); err != nil {
			return err
		}
		v := rsVector{Data: cfg[0], Parity: cfg[1]}
		for _, s := range shards {
			v.Shards = append(v.Shards, h(s))
		}
		rs = append(rs, v)
	}

	var sessions []sessionVector
	for _, cfg := range [][2]int{{10, 3}, {3, 2}, {1, 1}} {
		conn := &captureConn{closed: make(chan struct{})}
		remote := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2}
		s, err := kcp.NewConn3(0x01020304, remote, nil, cfg[0], cfg[1], conn)
		if err != nil {
			return err
		}
		s.SetNoDelay(1, 10, 2, 1)
		s.SetWindowSize(1024, 1024)
		s.SetMtu(1400)
		// Messages of varied sizes, so groups mix short and full packets.
		for i, n := range []int{5, 1300, 77, 2900, 1, 640, 1200, 33, 4000, 9, 999, 1371, 12, 250, 6000} {
			s.Write(detBytes(uint32(i+9), n))
		}
		time.Sleep(50 * time.Millisecond)
		conn.mu.Lock()
		packets := append([]string(nil), conn.packets...)
		conn.mu.Unlock()
		close(conn.closed)
		s.Close()
		sessions = append(sessions, sessionVector{cfg[0], cfg[1], packets})
	}
	return writeVectors(dir, "fec.json", map[string]interface{}{
		"generator": "interop/kcppeer/vectors_fec.go (kcp-go 5.6.1 + klauspost/reedsolomon, Debian packages)",
		"rs":        rs,
		"sessions":  sessions,
	})
}
