package main

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
	"unsafe"

	"github.com/klauspost/reedsolomon"
	kcp "github.com/xtaci/kcp-go/v5"
)

// FEC vectors, four kinds, all from the code kcp-go 5.6.1 itself runs.
// "rs": klauspost/reedsolomon New(d, p), Encode, then ReconstructData after
// dropping given shards. "encoder": kcp-go's own fecEncoder, packets in,
// headers and parity out. "decoder": kcp-go's own fecDecoder fed streams
// with loss, duplicates, reordering, the seqid wrap, a shard-count mismatch
// (autotune) and junk; what each call returned and whether FECShortShards
// moved. "sessions": the datagrams a real UDPSession wrote while sending to a
// second UDPSession over an in-memory pipe.
//
// fecEncoder/fecDecoder are unexported, so they are reached by go:linkname
// (allowed without assembly for bodyless linknamed functions, Go ≥ 1.11).
// Their time source is the real clock; every trace runs well inside
// fecExpire (60 s), so the TS side replays it with a constant clock.
func init() { registerVectors("fec", genFEC) }

//go:linkname fecNewEncoder github.com/xtaci/kcp-go/v5.newFECEncoder
func fecNewEncoder(dataShards, parityShards, offset int) unsafe.Pointer

//go:linkname fecNewDecoder github.com/xtaci/kcp-go/v5.newFECDecoder
func fecNewDecoder(dataShards, parityShards int) unsafe.Pointer

//go:linkname fecDecode github.com/xtaci/kcp-go/v5.(*fecDecoder).decode
func fecDecode(dec unsafe.Pointer, in []byte) [][]byte

// fecRand is a deterministic xorshift32 so the vectors do not change between runs
// (apart from the session captures, which carry KCP timestamps).
type fecRand uint32

func (r *fecRand) next() uint32 {
	x := uint32(*r)
	x ^= x << 13
	x ^= x >> 17
	x ^= x << 5
	*r = fecRand(x)
	return x
}
func (r *fecRand) intn(n int) int { return int(r.next() % uint32(n)) }

// ---- rs ----

type fecRecon struct {
	Dropped   []int    `json:"dropped"`   // shard indices set to nil before ReconstructData
	OK        bool     `json:"ok"`        // ReconstructData returned nil
	Recovered []string `json:"recovered"` // the dropped data shards (ascending index) as rebuilt
}

type fecRSCase struct {
	Data   int        `json:"data"`
	Parity int        `json:"parity"`
	Shards []string   `json:"shards"` // data shards, then the parity Encode computed
	Recon  []fecRecon `json:"recon"`
}

func fecGenRS() ([]fecRSCase, error) {
	configs := []struct {
		d, p    int
		lengths []int
	}{
		{1, 1, []int{1, 7, 64, 1500}}, {2, 1, []int{2, 33, 1500}}, {3, 2, []int{5, 100, 1400}},
		{10, 3, []int{16, 255, 1500}}, {20, 5, []int{9, 300}}, {70, 30, []int{3, 64}},
		{128, 128, []int{17}}, {255, 1, []int{11}}, {1, 255, []int{4}},
	}
	rnd := fecRand(0x5eed)
	var out []fecRSCase
	for ci, cfg := range configs {
		enc, err := reedsolomon.New(cfg.d, cfg.p)
		if err != nil {
			return nil, err
		}
		total := cfg.d + cfg.p
		for li, n := range cfg.lengths {
			shards := make([][]byte, total)
			for k := range shards {
				if k < cfg.d {
					shards[k] = detBytes(uint32(1000*ci+100*li+k+1), n)
				} else {
					shards[k] = make([]byte, n)
				}
			}
			if err := enc.Encode(shards); err != nil {
				return nil, err
			}
			c := fecRSCase{Data: cfg.d, Parity: cfg.p}
			for _, s := range shards {
				c.Shards = append(c.Shards, h(s))
			}
			// One loss, `parity` losses anywhere, `parity` losses on data first, one too many.
			drops := [][]int{fecPick(&rnd, total, 1, total), fecPick(&rnd, total, cfg.p, total), fecPick(&rnd, total, cfg.p, cfg.d), fecPick(&rnd, total, cfg.p+1, total)}
			for _, dropped := range drops {
				work := make([][]byte, total)
				for k := range work {
					work[k] = append([]byte(nil), shards[k]...)
				}
				for _, k := range dropped {
					work[k] = nil
				}
				r := fecRecon{Dropped: dropped, OK: enc.ReconstructData(work) == nil}
				if r.OK {
					for k := 0; k < cfg.d; k++ {
						if fecHas(dropped, k) {
							r.Recovered = append(r.Recovered, h(work[k]))
						}
					}
				}
				c.Recon = append(c.Recon, r)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// fecPick returns n distinct indices, preferring [0, prefer) first, in ascending order.
func fecPick(r *fecRand, total, n, prefer int) []int {
	if n > total {
		n = total
	}
	seen := map[int]bool{}
	for len(seen) < n {
		lim := total
		if len(seen) < prefer && prefer < total {
			lim = prefer
		}
		seen[r.intn(lim)] = true
	}
	var out []int
	for k := 0; k < total; k++ {
		if seen[k] {
			out = append(out, k)
		}
	}
	return out
}

func fecHas(list []int, k int) bool {
	for _, v := range list {
		if v == k {
			return true
		}
	}
	return false
}

// ---- encoder ----

type fecEncStep struct {
	Out    string   `json:"out"`    // the packet after encode() wrote its header (room bytes as given)
	Parity []string `json:"parity"` // what encode() returned (room bytes: never written, zero here)
}

type fecEncCase struct {
	Data   int          `json:"data"`
	Parity int          `json:"parity"`
	Offset int          `json:"offset"`
	Steps  []fecEncStep `json:"steps"`
}

// fecEncoderStream feeds `groups` groups of packets with lengths in
// [offset+8, maxLen] (the extremes included) to a kcp-go fecEncoder.
func fecEncoderStream(d, p, offset, groups, maxLen int, seed uint32) []fecEncStep {
	enc := fecNewEncoder(d, p, offset)
	rnd := fecRand(seed | 1)
	var steps []fecEncStep
	for i := 0; i < groups*d; i++ {
		minLen := offset + fecHeaderPlus2
		n := minLen + rnd.intn(maxLen-minLen+1)
		switch i % 7 {
		case 3:
			n = maxLen
		case 5:
			n = minLen
		}
		pkt := detBytes(seed+uint32(i)*7919, n)
		ps := fecEncode(enc, pkt, fecNoSkip)
		st := fecEncStep{Out: h(pkt)}
		for _, x := range ps {
			st.Parity = append(st.Parity, h(x))
		}
		steps = append(steps, st)
	}
	return steps
}

const fecHeaderPlus2 = 8

// fecNoSkip: a gap threshold no trace reaches, so every group gets parity.
const fecNoSkip = 1 << 30

func fecGenEncoder() []fecEncCase {
	var out []fecEncCase
	for i, c := range []struct{ d, p, off, groups, maxLen int }{
		{1, 1, 0, 4, maxDatagram}, {2, 1, 20, 4, maxDatagram}, {3, 2, 0, 4, 1400}, {10, 3, 20, 3, maxDatagram}, {20, 5, 0, 3, 300}, {70, 30, 20, 1, 100},
	} {
		out = append(out, fecEncCase{c.d, c.p, c.off, fecEncoderStream(c.d, c.p, c.off, c.groups, c.maxLen, uint32(77+i))})
	}
	return out
}

// ---- decoder ----

type fecDecStep struct {
	In    string   `json:"in"`
	Out   []string `json:"out"`   // recovered shards decode() returned
	Short int      `json:"short"` // how much DefaultSnmp.FECShortShards grew
}

type fecDecTrace struct {
	Name   string       `json:"name"`
	Data   int          `json:"data"` // the decoder's shard counts at creation
	Parity int          `json:"parity"`
	Steps  []fecDecStep `json:"steps"`
}

// fecWire turns encoder steps into the packets on the wire: data, then parity.
func fecWire(steps []fecEncStep) [][]byte {
	var out [][]byte
	for _, s := range steps {
		out = append(out, unhex(s.Out))
		for _, p := range s.Parity {
			out = append(out, unhex(p))
		}
	}
	return out
}

// fecLossy drops up to maxDrop packets per group, repeats some and swaps some neighbours.
func fecLossy(pk [][]byte, group, maxDrop int, dupPct, swapPct int, seed uint32) [][]byte {
	rnd := fecRand(seed | 1)
	var out [][]byte
	for g := 0; g*group < len(pk); g++ {
		members := pk[g*group : fecMin((g+1)*group, len(pk))]
		drop := map[int]bool{}
		for n := rnd.intn(maxDrop + 1); len(drop) < n && len(drop) < len(members); {
			drop[rnd.intn(len(members))] = true
		}
		for k, m := range members {
			if drop[k] {
				continue
			}
			out = append(out, m)
			if rnd.intn(100) < dupPct && len(out) > 3 {
				out = append(out, out[len(out)-1-rnd.intn(3)])
			}
		}
	}
	for i := 1; i < len(out); i++ {
		if rnd.intn(100) < swapPct {
			out[i-1], out[i] = out[i], out[i-1]
		}
	}
	return out
}

func fecMin(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// fecRebase moves seqids to (seqid + base) mod paws, as if the stream were
// sent just before the encoder's wrap; parity does not cover headers.
func fecRebase(pk [][]byte, group int, base uint32) [][]byte {
	paws := uint64(0xffffffff/uint32(group)) * uint64(group)
	var out [][]byte
	for _, p := range pk {
		q := append([]byte(nil), p...)
		s := (uint64(uint32(q[0])|uint32(q[1])<<8|uint32(q[2])<<16|uint32(q[3])<<24) + uint64(base)) % paws
		q[0], q[1], q[2], q[3] = byte(s), byte(s>>8), byte(s>>16), byte(s>>24)
		out = append(out, q)
	}
	return out
}

// fecJunk makes FEC-flagged packets kcp-go's kcpInput would pass to decode()
// (8..maxDatagram bytes): random content, flags and seqids mostly close together.
func fecJunk(n int, seed uint32) [][]byte {
	rnd := fecRand(seed | 1)
	var out [][]byte
	base := uint32(0xfffffff0)
	for i := 0; i < n; i++ {
		l := 8 + rnd.intn(120)
		if i%50 == 7 {
			l = maxDatagram
		}
		p := detBytes(rnd.next(), l)
		s := base + uint32(rnd.intn(40))
		if rnd.intn(20) == 0 {
			s = rnd.next()
		}
		p[0], p[1], p[2], p[3] = byte(s), byte(s>>8), byte(s>>16), byte(s>>24)
		p[4], p[5] = 0xf1+byte(rnd.intn(2)), 0
		if rnd.intn(10) == 0 && len(out) > 0 { // a known seqid with other bytes
			copy(p[:4], out[rnd.intn(len(out))][:4])
		}
		out = append(out, p)
		if i%30 == 29 {
			base += 20
		}
	}
	return out
}

func fecTrace(name string, d, p int, input [][]byte) (t fecDecTrace, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kcp-go decoder panicked in trace %s: %v", name, r)
		}
	}()
	dec := fecNewDecoder(d, p)
	t = fecDecTrace{Name: name, Data: d, Parity: p}
	for _, in := range input {
		before := fecShortShards()
		rec := fecDecode(dec, append([]byte(nil), in...))
		st := fecDecStep{In: h(in), Short: int(fecShortShards() - before)}
		for _, r := range rec {
			st.Out = append(st.Out, h(r))
		}
		t.Steps = append(t.Steps, st)
	}
	return t, nil
}

func fecGenDecoder() ([]fecDecTrace, error) {
	w103 := fecWire(fecEncoderStream(10, 3, 0, 24, 160, 901))
	w32 := fecWire(fecEncoderStream(3, 2, 0, 40, 120, 902))
	w21 := fecWire(fecEncoderStream(2, 1, 0, 60, 90, 903))
	w205 := fecWire(fecEncoderStream(20, 5, 0, 8, 100, 904))
	cases := []struct {
		name string
		d, p int
		in   [][]byte
	}{
		{"10/3 losses up to 4 per group, duplicates, swaps", 10, 3, fecLossy(w103, 13, 4, 5, 5, 11)},
		{"3/2 heavy loss: queue limit and FECShortShards", 3, 2, fecLossy(w32, 5, 4, 0, 0, 12)},
		{"20/5 reordering and duplicates", 20, 5, fecLossy(w205, 25, 5, 10, 30, 13)},
		{"on-demand 1/1 decoder fed 10/3 (autotune)", 1, 1, fecLossy(w103, 13, 2, 0, 0, 14)},
		{"3/2 decoder fed 2/1 (autotune)", 3, 2, fecLossy(w21, 3, 1, 0, 0, 15)},
		{"10/3 seqids across the paws wrap", 10, 3, fecLossy(fecRebase(w103, 13, uint32(0xffffffff/13*13-13*6)), 13, 3, 3, 3, 16)},
		{"3/2 junk", 3, 2, fecJunk(400, 17)},
	}
	var out []fecDecTrace
	for _, c := range cases {
		t, err := fecTrace(c.name, c.d, c.p, c.in)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// ---- sessions ----

type fecSessionCase struct {
	Data    int      `json:"data"`
	Parity  int      `json:"parity"`
	Mtu     int      `json:"mtu"`
	Crypt   string   `json:"crypt"`   // "" (no crypto header) or "none" (20-byte header, no cipher)
	Packets []string `json:"packets"` // datagrams the sender wrote, in order
}

// fecPipe is one end of an in-memory datagram pipe between two UDPSessions.
type fecPipe struct {
	in            chan []byte
	peer          *fecPipe
	local, remote net.Addr
	capture       *[]string
	mu            *sync.Mutex
	closed        chan struct{}
	once          sync.Once
}

func (c *fecPipe) ReadFrom(p []byte) (int, net.Addr, error) {
	select {
	case b := <-c.in:
		return copy(p, b), c.remote, nil
	case <-c.closed:
		return 0, nil, net.ErrClosed
	}
}
func (c *fecPipe) WriteTo(p []byte, addr net.Addr) (int, error) {
	b := append([]byte(nil), p...)
	if c.capture != nil {
		c.mu.Lock()
		*c.capture = append(*c.capture, h(b))
		c.mu.Unlock()
	}
	select {
	case c.peer.in <- b:
	default: // a full pipe drops, like a full socket buffer
	}
	return len(p), nil
}
func (c *fecPipe) Close() error                       { c.once.Do(func() { close(c.closed) }); return nil }
func (c *fecPipe) LocalAddr() net.Addr                { return c.local }
func (c *fecPipe) SetDeadline(t time.Time) error      { return nil }
func (c *fecPipe) SetReadDeadline(t time.Time) error  { return nil }
func (c *fecPipe) SetWriteDeadline(t time.Time) error { return nil }

func fecSession(d, p, mtu int, crypt string) (fecSessionCase, error) {
	c := fecSessionCase{Data: d, Parity: p, Mtu: mtu, Crypt: crypt}
	var mu sync.Mutex
	addrA := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
	addrB := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2}
	a := &fecPipe{in: make(chan []byte, 8192), local: addrA, remote: addrB, capture: &c.Packets, mu: &mu, closed: make(chan struct{})}
	b := &fecPipe{in: make(chan []byte, 8192), local: addrB, remote: addrA, mu: &mu, closed: make(chan struct{})}
	a.peer, b.peer = b, a
	defer a.Close()
	defer b.Close()
	var blockA, blockB kcp.BlockCrypt
	if crypt == "none" {
		blockA, _ = kcp.NewNoneBlockCrypt(nil)
		blockB, _ = kcp.NewNoneBlockCrypt(nil)
	}
	sa, err := kcp.NewConn3(0x01020304, addrB, blockA, d, p, a)
	if err != nil {
		return c, err
	}
	defer sa.Close()
	sb, err := kcp.NewConn3(0x01020304, addrA, blockB, d, p, b)
	if err != nil {
		return c, err
	}
	defer sb.Close()
	for _, s := range []*kcp.UDPSession{sa, sb} {
		s.SetNoDelay(1, 10, 2, 1)
		s.SetWindowSize(1024, 1024)
		s.SetMtu(mtu)
	}
	// Enough for three groups or more; messages of varied sizes so packets vary.
	total := 7 * d * (mtu - 60) / 2
	if total < 8000 {
		total = 8000
	}
	sizes := []int{5, 1300, 77, 2900, 1, 640, 1200, 33, 4000, 9, 999, 1371, 12, 250, 6000}
	go func() {
		for i, sent := 0, 0; sent < total; i++ {
			n := sizes[i%len(sizes)]
			sa.Write(detBytes(uint32(i+9), n))
			sent += n
		}
	}()
	sb.SetReadDeadline(time.Now().Add(15 * time.Second))
	buf := make([]byte, 1<<16)
	for got := 0; got < total; {
		n, err := sb.Read(buf)
		if err != nil {
			return c, fmt.Errorf("session %d/%d mtu %d %q: %v after %d of %d bytes", d, p, mtu, crypt, err, got, total)
		}
		got += n
	}
	time.Sleep(30 * time.Millisecond) // let the last ACKs settle
	mu.Lock()
	defer mu.Unlock()
	c.Packets = append([]string(nil), c.Packets...)
	if len(c.Packets) < d+p {
		return c, errors.New("session wrote less than one FEC group")
	}
	return c, nil
}

func fecGenSessions() ([]fecSessionCase, error) {
	var out []fecSessionCase
	for _, cfg := range []struct {
		d, p, mtu int
		crypt     string
	}{{10, 3, 1400, ""}, {3, 2, 1400, ""}, {1, 1, 1400, ""}, {2, 1, 600, ""}, {20, 5, 500, ""}, {70, 30, 200, ""}, {10, 3, 1400, "none"}} {
		c, err := fecSession(cfg.d, cfg.p, cfg.mtu, cfg.crypt)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func genFEC(dir string) error {
	rs, err := fecGenRS()
	if err != nil {
		return err
	}
	// Decoder traces first: they read the process-wide FECShortShards counter,
	// which the sessions' decoders would also move.
	dec, err := fecGenDecoder()
	if err != nil {
		return err
	}
	sessions, err := fecGenSessions()
	if err != nil {
		return err
	}
	return writeVectors(dir, "fec.json", map[string]interface{}{
		"generator": "interop/kcppeer/vectors_fec.go (kcp-go " + kcpgoVersion() + ", klauspost/reedsolomon " + modVersion("github.com/klauspost/reedsolomon") + ")",
		"rs":        rs,
		"encoder":   fecGenEncoder(),
		"decoder":   dec,
		"sessions":  sessions,
	})
}
