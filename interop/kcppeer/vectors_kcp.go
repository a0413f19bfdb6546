package main

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	kcp "github.com/xtaci/kcp-go/v5"
)

// KCP vectors: scripts run against real kcp-go KCP objects, every step
// recorded with kcp-go's clock reading, its return value, the packets it
// output, the KCP's state afterwards and the DefaultSnmp counters it moved.
// kcp/test replays each script on kcp-web's Kcp with its injected clock
// returning the recorded value, and must reproduce every byte and number.
//
// kcp-go reads its own clock (currentMs, unexported), so the harness reads
// the same clock through a fresh KCP's Check() (which returns currentMs()
// until Update has run), starts each step on a fresh millisecond and checks
// that the step ended within it; a script whose step straddled a tick (or
// met a GC pause; GC is off while generating) is run again from scratch.
func init() { registerVectors("kcp", genKCP) }

// hx is vectors.go's h (hex), which the harness receiver h shadows.
var hx = h

// Values recorded after each step, in this order (kcp-go field names; the
// n*/ackcount entries are queue lengths, named as in ikcp.c).
var kcpStateKeys = []string{
	"mtu", "mss", "state", "snd_una", "snd_nxt", "rcv_nxt", "ssthresh",
	"rx_rttvar", "rx_srtt", "rx_rto", "rx_minrto", "snd_wnd", "rcv_wnd",
	"rmt_wnd", "cwnd", "probe", "interval", "ts_flush", "nodelay", "updated",
	"ts_probe", "probe_wait", "dead_link", "incr", "fastresend", "nocwnd",
	"stream", "nsnd_que", "nsnd_buf", "nrcv_que", "nrcv_buf", "ackcount",
}

var kcpQueueFields = map[string]string{
	"nsnd_que": "snd_queue", "nsnd_buf": "snd_buf", "nrcv_que": "rcv_queue",
	"nrcv_buf": "rcv_buf", "ackcount": "acklist",
}

// KCP counters kcp.go bumps in DefaultSnmp.
var kcpSnmpKeys = []string{"InSegs", "OutSegs", "RetransSegs", "FastRetransSegs", "EarlyRetransSegs", "LostSegs", "RepeatSegs"}

type kcpStep struct {
	Who   string   `json:"who"`
	Op    string   `json:"op"`
	Clock uint32   `json:"clock"`
	Args  []int64  `json:"args,omitempty"`
	Field string   `json:"field,omitempty"` // op "set": the kcp-go field written
	Gen   []uint32 `json:"gen,omitempty"`   // op send: the message is detBytes(gen[0], gen[1])
	Data  string   `json:"data,omitempty"`  // op input: the packet (without reserved bytes), unless from is set
	From  []int    `json:"from,omitempty"`  // op input: the packet is out[from[1]] of step from[0], minus its sender's reserved bytes
	Ret   int64    `json:"ret"`
	Recv  string   `json:"recv,omitempty"` // op recv: the bytes returned
	Out   []string `json:"out"`            // packets output during the step, reserved bytes included
	State string   `json:"state"`          // kcpStateKeys values, space separated
	Snmp  string   `json:"snmp,omitempty"` // nonzero DefaultSnmp deltas, "Name=n" space separated
}

type kcpScript struct {
	Name     string    `json:"name"`
	Attempts int       `json:"attempts"` // runs needed for a clock-stable recording
	Steps    []kcpStep `json:"steps"`
}

type kcpEndpoint struct {
	k        *kcp.KCP
	reserved int
}

type kcpHarness struct {
	eps      map[string]*kcpEndpoint
	clockK   *kcp.KCP
	out      []string
	steps    []kcpStep
	outRef   map[string][]int // packet hex → [step, index] of its first output
	recvd    string           // bytes a recv step returned
	unstable bool
}

func newKCPHarness() *kcpHarness {
	return &kcpHarness{eps: map[string]*kcpEndpoint{}, clockK: kcp.NewKCP(0, nil), outRef: map[string][]int{}}
}

// now is kcp-go's currentMs(): Check() returns it on a KCP never updated.
func (h *kcpHarness) now() uint32 { return h.clockK.Check() }

// fresh waits for the clock to tick, so the step that follows has about a
// whole millisecond to run in.
func (h *kcpHarness) fresh() uint32 {
	t := h.now()
	for {
		if n := h.now(); n != t {
			return n
		}
	}
}

// waitUntil lets kcp-go's clock reach t.
func (h *kcpHarness) waitUntil(t uint32) {
	for {
		d := int32(t - h.now())
		if d <= 0 {
			return
		}
		if d > 2 {
			time.Sleep(time.Duration(d-2) * time.Millisecond)
		}
	}
}

func (h *kcpHarness) sleep(ms uint32) { h.waitUntil(h.now() + ms) }

func kcpField(k *kcp.KCP, name string) reflect.Value {
	return reflect.ValueOf(k).Elem().FieldByName(name)
}

func kcpStateOf(k *kcp.KCP) string {
	vals := make([]string, len(kcpStateKeys))
	for i, key := range kcpStateKeys {
		if q, ok := kcpQueueFields[key]; ok {
			vals[i] = strconv.Itoa(queueLen(field(k, q)))
			continue
		}
		v := kcpField(k, key)
		switch v.Kind() {
		case reflect.Uint32, reflect.Uint64, reflect.Int:
			if v.Kind() == reflect.Int {
				vals[i] = strconv.FormatInt(v.Int(), 10)
			} else {
				vals[i] = strconv.FormatUint(v.Uint(), 10)
			}
		case reflect.Int32:
			vals[i] = strconv.FormatInt(v.Int(), 10)
		default:
			panic("kcp field kind " + key)
		}
	}
	return strings.Join(vals, " ")
}

func snmpKCP() []uint64 {
	s := reflect.ValueOf(kcp.DefaultSnmp.Copy()).Elem()
	out := make([]uint64, len(kcpSnmpKeys))
	for i, key := range kcpSnmpKeys {
		out[i] = s.FieldByName(key).Uint()
	}
	return out
}

// do runs one recorded step on endpoint who.
func (h *kcpHarness) do(st kcpStep, f func(k *kcp.KCP) int64) kcpStep {
	e := h.eps[st.Who]
	before := snmpKCP()
	h.out = []string{}
	st.Clock = h.fresh()
	var k *kcp.KCP
	if e != nil {
		k = e.k
	}
	st.Ret = f(k)
	if h.now() != st.Clock {
		h.unstable = true
	}
	st.Out = h.out
	st.Recv, h.recvd = h.recvd, ""
	st.State = kcpStateOf(h.eps[st.Who].k)
	after := snmpKCP()
	var deltas []string
	for i, key := range kcpSnmpKeys {
		if d := after[i] - before[i]; d != 0 {
			deltas = append(deltas, fmt.Sprintf("%s=%d", key, d))
		}
	}
	st.Snmp = strings.Join(deltas, " ")
	for i, p := range st.Out {
		if _, ok := h.outRef[p]; !ok {
			h.outRef[p] = []int{len(h.steps), i}
		}
	}
	h.steps = append(h.steps, st)
	return st
}

// ---- operations (each one step) ----------------------------------------

func (h *kcpHarness) new(who string, conv uint32) {
	h.do(kcpStep{Who: who, Op: "new", Args: []int64{int64(conv)}}, func(*kcp.KCP) int64 {
		h.eps[who] = &kcpEndpoint{k: kcp.NewKCP(conv, func(buf []byte, size int) {
			h.out = append(h.out, hx(append([]byte(nil), buf[:size]...)))
		})}
		return 0
	})
}

func (h *kcpHarness) setMtu(who string, mtu int) int64 {
	return h.do(kcpStep{Who: who, Op: "setMtu", Args: []int64{int64(mtu)}}, func(k *kcp.KCP) int64 { return int64(k.SetMtu(mtu)) }).Ret
}

func (h *kcpHarness) reserveBytes(who string, n int) int64 {
	return h.do(kcpStep{Who: who, Op: "reserveBytes", Args: []int64{int64(n)}}, func(k *kcp.KCP) int64 {
		if kcpReserveBytes(k, n) {
			h.eps[who].reserved = n
			return 1
		}
		return 0
	}).Ret
}

func (h *kcpHarness) wndSize(who string, snd, rcv int) {
	h.do(kcpStep{Who: who, Op: "wndSize", Args: []int64{int64(snd), int64(rcv)}}, func(k *kcp.KCP) int64 { return int64(k.WndSize(snd, rcv)) })
}

func (h *kcpHarness) noDelay(who string, nodelay, interval, resend, nc int) {
	h.do(kcpStep{Who: who, Op: "noDelay", Args: []int64{int64(nodelay), int64(interval), int64(resend), int64(nc)}}, func(k *kcp.KCP) int64 {
		return int64(k.NoDelay(nodelay, interval, resend, nc))
	})
}

// set writes an unexported uint32/int32 field (kcp-go has no setter for it).
func (h *kcpHarness) set(who, name string, value int64) {
	h.do(kcpStep{Who: who, Op: "set", Field: name, Args: []int64{value}}, func(k *kcp.KCP) int64 {
		v := field(k, name)
		if v.Kind() == reflect.Int32 {
			v.SetInt(value)
		} else {
			v.SetUint(uint64(value))
		}
		return 0
	})
}

// send gives who the message detBytes(seed, n).
func (h *kcpHarness) send(who string, seed uint32, n int) int64 {
	m := detBytes(seed, n)
	return h.do(kcpStep{Who: who, Op: "send", Gen: []uint32{seed, uint32(n)}}, func(k *kcp.KCP) int64 { return int64(k.Send(m)) }).Ret
}

func (h *kcpHarness) recv(who string, size int) ([]byte, int64) {
	var got []byte
	st := h.do(kcpStep{Who: who, Op: "recv", Args: []int64{int64(size)}}, func(k *kcp.KCP) int64 {
		buf := make([]byte, size)
		n := k.Recv(buf)
		if n > 0 {
			got = buf[:n]
			h.recvd = hx(got)
		}
		return int64(n)
	})
	return got, st.Ret
}

// recvAll reads messages until Recv reports none (the last step records -1).
func (h *kcpHarness) recvAll(who string, size int) [][]byte {
	var msgs [][]byte
	for {
		m, n := h.recv(who, size)
		if n < 0 {
			return msgs
		}
		msgs = append(msgs, m)
	}
}

func (h *kcpHarness) peekSize(who string) int64 {
	return h.do(kcpStep{Who: who, Op: "peekSize"}, func(k *kcp.KCP) int64 { return int64(k.PeekSize()) }).Ret
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// input feeds one packet (reserved bytes already stripped); returns what the endpoint output meanwhile.
func (h *kcpHarness) input(who string, pkt []byte, regular, ackNoDelay bool) ([]string, int64) {
	return h.inputFrom(who, pkt, nil, regular, ackNoDelay)
}

func (h *kcpHarness) inputFrom(who string, pkt []byte, from []int, regular, ackNoDelay bool) ([]string, int64) {
	st := kcpStep{Who: who, Op: "input", From: from, Args: []int64{b2i(regular), b2i(ackNoDelay)}}
	if from == nil {
		st.Data = hx(pkt)
	}
	st = h.do(st, func(k *kcp.KCP) int64 {
		return int64(kcpInput(k, append([]byte(nil), pkt...), regular, ackNoDelay))
	})
	return st.Out, st.Ret
}

func (h *kcpHarness) update(who string) []string {
	return h.do(kcpStep{Who: who, Op: "update"}, func(k *kcp.KCP) int64 { k.Update(); return 0 }).Out
}

func (h *kcpHarness) check(who string) uint32 {
	return uint32(h.do(kcpStep{Who: who, Op: "check"}, func(k *kcp.KCP) int64 { return int64(k.Check()) }).Ret)
}

func (h *kcpHarness) waitSnd(who string) int64 {
	return h.do(kcpStep{Who: who, Op: "waitSnd"}, func(k *kcp.KCP) int64 { return int64(k.WaitSnd()) }).Ret
}

// ---- helpers for scripts -------------------------------------------------

// flushWhenDue waits until who's Update will flush, then runs it.
func (h *kcpHarness) flushWhenDue(who string) []string {
	k := h.eps[who].k
	if kcpField(k, "updated").Uint() != 0 {
		h.waitUntil(uint32(kcpField(k, "ts_flush").Uint()))
	}
	return h.update(who)
}

// deliver inputs packets (as output by from, reserved bytes included) into
// to, except those whose index drop() picks; returns what to output meanwhile.
func (h *kcpHarness) deliver(from, to string, pkts []string, regular, ackNoDelay bool, drop func(i int) bool) []string {
	var out []string
	for i, p := range pkts {
		if drop != nil && drop(i) {
			continue
		}
		o, _ := h.pass(from, to, p, regular, ackNoDelay)
		out = append(out, o...)
	}
	return out
}

// configure creates an endpoint and applies settings in kcp-go session order.
func (h *kcpHarness) configure(who string, conv uint32, mtu, reserved, sndwnd, rcvwnd int, nd [4]int, stream bool) {
	h.new(who, conv)
	if reserved > 0 && kcpHasReserve {
		h.reserveBytes(who, reserved)
	}
	if mtu > 0 {
		h.setMtu(who, mtu)
	}
	h.wndSize(who, sndwnd, rcvwnd)
	h.noDelay(who, nd[0], nd[1], nd[2], nd[3])
	if stream {
		h.set(who, "stream", 1)
	}
}

// pass inputs into to a packet output earlier by from (hex, reserved bytes included).
func (h *kcpHarness) pass(from, to, p string, regular, ackNoDelay bool) ([]string, int64) {
	return h.inputFrom(to, unhex(p)[h.eps[from].reserved:], h.outRef[p], regular, ackNoDelay)
}

// sendMsg sends msg(seed, n).
func (h *kcpHarness) sendMsg(who string, seed, n int) int64 { return h.send(who, msgSeed(seed, n), n) }

// kcpSeg builds one raw segment.
func kcpSeg(conv uint32, cmd, frg uint8, wnd uint16, ts, sn, una uint32, data []byte) []byte {
	b := make([]byte, 24+len(data))
	binary.LittleEndian.PutUint32(b, conv)
	b[4], b[5] = cmd, frg
	binary.LittleEndian.PutUint16(b[6:], wnd)
	binary.LittleEndian.PutUint32(b[8:], ts)
	binary.LittleEndian.PutUint32(b[12:], sn)
	binary.LittleEndian.PutUint32(b[16:], una)
	binary.LittleEndian.PutUint32(b[20:], uint32(len(data)))
	copy(b[24:], data)
	return b
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// exchange runs a→b rounds until a has nothing left to send (or maxRounds):
// a flushes, b gets a's packets (dropA picks losses by running packet
// count), b flushes, a gets b's packets (dropB likewise), b's app reads.
func (h *kcpHarness) exchange(a, b string, maxRounds int, dropA, dropB func(n int) bool, ackNoDelay bool) [][]byte {
	var got [][]byte
	na, nb := 0, 0
	pending := []string{}
	for round := 0; round < maxRounds; round++ {
		pending = append(pending, h.flushWhenDue(a)...)
		for len(pending) > 0 {
			p := pending[0]
			pending = pending[1:]
			drop := dropA != nil && dropA(na)
			na++
			if drop {
				continue
			}
			o, _ := h.pass(a, b, p, true, ackNoDelay)
			for _, q := range o {
				dropped := dropB != nil && dropB(nb)
				nb++
				if !dropped {
					o2, _ := h.pass(b, a, q, true, false)
					pending = append(pending, o2...)
				}
			}
		}
		got = append(got, h.recvAll(b, 1<<20)...)
		for _, q := range h.flushWhenDue(b) {
			dropped := dropB != nil && dropB(nb)
			nb++
			if !dropped {
				o2, _ := h.pass(b, a, q, true, false)
				pending = append(pending, o2...)
			}
		}
		if h.waitSnd(a) == 0 && len(pending) == 0 {
			break
		}
	}
	return got
}

// ---- scripts ---------------------------------------------------------------

func msgSeed(seed, n int) uint32 { return uint32(seed*7919 + n) }

var kcpScripts = []struct {
	name string
	run  func(h *kcpHarness)
}{
	{"message mode: fragments, reserved room, ACKs delayed and with ackNoDelay", func(h *kcpHarness) {
		nd := [4]int{1, 10, 2, 1}
		h.configure("a", 0x11223344, 1350, 28, 128, 128, nd, false)
		h.configure("b", 0x11223344, 1350, 28, 128, 128, nd, false)
		h.configure("c", 0x11223344, 1350, 28, 128, 128, nd, false)
		h.send("a", 0, 0)
		for i, n := range []int{1, 100, 1298, 1299, 3000, 20000} {
			h.sendMsg("a", i, n)
		}
		h.sendMsg("a", 9, 256*1298)   // 256 fragments: -2
		h.sendMsg("a", 9, 255*1298+1) // likewise
		h.waitSnd("a")
		h.check("a")
		pkts := h.update("a") // rmt_wnd is still kcp-go's default 32
		h.check("a")
		h.deliver("a", "b", pkts, true, false, nil)
		acksNow := h.deliver("a", "c", pkts, true, true, nil)
		h.peekSize("b")
		h.recv("b", 1)
		h.recvAll("b", 1<<16)
		acks := h.update("b")
		h.recvAll("c", 1<<16)
		h.deliver("b", "a", acks[:1], true, false, nil)
		h.deliver("c", "a", acksNow, true, false, nil) // duplicates of what b acked, and more
		h.exchange("a", "b", 20, nil, nil, false)
		h.check("a")
		h.update("c")
	}},
	{"stream mode merges sends into full segments", func(h *kcpHarness) {
		nd := [4]int{0, 30, 2, 1}
		h.configure("a", 0xdeadbeef, 1400, 0, 256, 256, nd, true)
		h.configure("b", 0xdeadbeef, 1400, 0, 256, 256, nd, true)
		for i, n := range []int{10, 20, 1400, 5000, 1, 1346, 1375, 3} {
			h.sendMsg("a", i, n)
		}
		h.sendMsg("a", 20, 255*1376+500) // appends to the last segment first, then fails with -2
		h.waitSnd("a")
		h.exchange("a", "b", 20, nil, nil, false)
	}},
	{"small mtu: several segments per packet, send window limits what goes out", func(h *kcpHarness) {
		nd := [4]int{0, 40, 0, 1}
		h.configure("a", 7, 200, 20, 8, 8, nd, false)
		h.configure("b", 7, 200, 20, 8, 8, nd, false)
		for i, n := range []int{10, 10, 10, 10, 10, 50, 500, 1000, 156, 157} {
			h.sendMsg("a", i, n)
		}
		h.exchange("a", "b", 30, nil, nil, true)
	}},
	{"congestion control on: slow start, avoidance, RTO and early retransmit", func(h *kcpHarness) {
		nd := [4]int{0, 20, 0, 0}
		h.configure("a", 99, 500, 8, 32, 32, nd, false)
		h.configure("b", 99, 500, 8, 32, 32, nd, false)
		for i := 0; i < 60; i++ {
			h.sendMsg("a", i, 400+i)
		}
		// lose a's 12th and 30th packets and b's 9th ACK packet
		h.exchange("a", "b", 200, func(n int) bool { return n == 12 || n == 30 }, func(n int) bool { return n == 9 }, false)
	}},
	{"fast and early retransmit, ACK filtering, repeats, FEC-recovered input", func(h *kcpHarness) {
		nd := [4]int{1, 10, 2, 1}
		h.configure("a", 0x5eed, 1100, 0, 32, 32, nd, false)
		h.configure("b", 0x5eed, 1100, 0, 32, 32, nd, false)
		for i := 0; i < 6; i++ {
			h.sendMsg("a", i, 1000)
		}
		pkts := h.update("a") // one segment per packet
		h.deliver("a", "b", pkts, true, false, func(i int) bool { return i == 1 })
		acks := h.update("b") // acks 0,2,3,4,5 (0 is below rcv_nxt but the first ACK, not the last)
		// the ACKs move una: flush inside Input; sn 1 has fastack 4 ≥ 2: fast retransmit
		re := h.deliver("b", "a", acks, true, false, nil)
		h.deliver("a", "b", re, true, false, nil)
		h.recvAll("b", 1<<16)
		// duplicates of delivered segments, regular and FEC-recovered: acked again, counted as repeats only if regular
		h.deliver("a", "b", pkts[2:4], true, false, nil)
		h.deliver("a", "b", pkts[4:5], false, false, nil)
		h.deliver("a", "b", pkts[0:1], true, false, nil) // the last ACK below rcv_nxt still goes out
		acks = h.update("b")
		// a FEC-recovered copy of the ACKs: no rmt_wnd or RTT update
		h.deliver("b", "a", acks, false, false, nil)
		h.deliver("b", "a", acks, true, false, nil)
		for i := 6; i < 9; i++ {
			h.sendMsg("a", i, 1000)
		}
		pkts = h.flushWhenDue("a")
		h.deliver("a", "b", pkts, true, false, func(i int) bool { return i != 1 })
		acks = h.flushWhenDue("b")
		h.deliver("b", "a", acks, true, false, nil) // una unchanged: no flush; sn 6 fastack 1
		h.flushWhenDue("a")                         // nothing new to send: early retransmit of sn 6
		h.exchange("a", "b", 20, nil, nil, false)
	}},
	{"RTO backoff and dead link (nodelay 1 and 0)", func(h *kcpHarness) {
		h.configure("a", 1, 1400, 0, 32, 32, [4]int{1, 10, 0, 1}, false)
		h.set("a", "dead_link", 4)
		h.configure("z", 2, 1400, 0, 32, 32, [4]int{0, 10, 0, 0}, false)
		h.set("z", "dead_link", 3)
		h.sendMsg("a", 1, 10)
		h.sendMsg("z", 2, 10)
		for i := 0; i < 200 && kcpField(h.eps["a"].k, "state").Uint() == 0; i++ {
			h.waitUntil(h.check("a"))
			h.update("a")
		}
		for i := 0; i < 200 && kcpField(h.eps["z"].k, "state").Uint() == 0; i++ {
			h.waitUntil(h.check("z"))
			h.update("z")
		}
		h.update("a") // state stays 0xFFFFFFFF, retransmissions go on
	}},
	{"zero window: probe (WASK), tell (WINS), fast recover", func(h *kcpHarness) {
		nd := [4]int{1, 10, 2, 1}
		h.configure("a", 0x77, 1400, 0, 32, 32, nd, false)
		h.configure("b", 0x77, 1400, 0, 32, 4, nd, false)
		for i := 0; i < 8; i++ {
			h.sendMsg("a", i, 100)
		}
		pkts := h.update("a")
		h.deliver("a", "b", pkts, true, false, nil)
		acks := h.update("b") // wnd 0: b's queue holds its whole window
		h.deliver("b", "a", acks, true, false, nil)
		for i := 8; i < 12; i++ {
			h.sendMsg("a", i, 100)
		}
		h.flushWhenDue("a") // rmt_wnd 0: nothing goes, the probe timer runs (7 s)
		// make the probe due now rather than in 7 s
		h.set("a", "ts_probe", int64(h.now()))
		wask := h.flushWhenDue("a")
		h.deliver("a", "b", wask, true, false, nil)
		wins := h.flushWhenDue("b")
		h.deliver("b", "a", wins, true, false, nil)
		h.flushWhenDue("a") // probe_wait grew; not due
		for i := 0; i < 5; i++ {
			h.recv("b", 1000) // the fifth leaves the queue below the window: tell at next flush
		}
		wins = h.flushWhenDue("b")
		h.deliver("b", "a", wins, true, false, nil)
		h.exchange("a", "b", 20, nil, nil, false)
	}},
	{"255 fragments, the largest message", func(h *kcpHarness) {
		nd := [4]int{1, 10, 2, 1}
		h.configure("a", 3, 100, 0, 256, 256, nd, false)
		h.configure("b", 3, 100, 0, 256, 256, nd, false)
		h.sendMsg("a", 1, 255*76+1)
		h.sendMsg("a", 2, 255*76)
		got := h.exchange("a", "b", 40, nil, nil, false)
		if len(got) != 1 {
			panic("255 fragments not delivered")
		}
	}},
	{"settings: setMtu, reserveBytes, noDelay, wndSize bounds", func(h *kcpHarness) {
		h.new("a", 0xffffffff)
		h.setMtu("a", 49)
		h.setMtu("a", 23)
		if kcpHasReserve {
			h.reserveBytes("a", 25)
			h.setMtu("a", 50)
			h.reserveBytes("a", 26)
			h.reserveBytes("a", -1)
		} else {
			h.setMtu("a", 24)
			h.setMtu("a", 25)
		}
		h.sendMsg("a", 1, 3)       // mss 1 (mtu 50 less 24 reserved, or mtu 25): three fragments
		h.setMtu("a", maxDatagram) // a bigger KCP mtu overruns v5.7's 1472-byte segment buffers
		if kcpHasReserve {
			h.reserveBytes("a", 0)
		}
		h.noDelay("a", 1, 5, 3, 0)
		h.noDelay("a", -1, 9999, -1, -1)
		h.noDelay("a", 0, -1, -1, -1)
		h.noDelay("a", 2, 10, 0, 1)
		h.wndSize("a", 0, -5)
		h.wndSize("a", 70000, 70000)
		h.sendMsg("a", 2, 3000)
		h.update("a") // wnd field: 70000 truncated to 16 bits
		h.waitSnd("a")
		h.check("a")
	}},
	{"malformed input: codes, partial application, no throw", func(h *kcpHarness) {
		const conv = 5
		h.configure("a", conv, 1400, 0, 32, 32, [4]int{1, 10, 2, 1}, false)
		push := func(sn uint32, frg uint8, data []byte) []byte {
			return kcpSeg(conv, 81, frg, 32, 1000+sn, sn, 0, data)
		}
		in := func(p []byte) { h.input("a", p, true, false) }
		in([]byte{5, 0, 0, 0, 81, 0, 1, 2, 3, 4})                                                                 // shorter than a header: -1
		in(kcpSeg(6, 81, 0, 32, 1, 0, 0, []byte("x")))                                                            // wrong conv: -1
		in(push(0, 0, []byte("abcd"))[:26])                                                                       // truncated payload: -2
		in(kcpSeg(conv, 99, 0, 32, 1, 0, 0, nil))                                                                 // unknown command: -3
		in(func() []byte { b := push(0, 0, nil); binary.LittleEndian.PutUint32(b[20:], 0xffffffff); return b }()) // -2
		in(cat(push(0, 0, []byte("first")), kcpSeg(6, 81, 0, 32, 1, 1, 0, []byte("x"))))                          // first applied, then -1
		in(cat(push(1, 0, []byte("second")), []byte{1, 2, 3}))                                                    // trailing bytes shorter than a header: ignored
		in(cat(push(2, 0, nil), kcpSeg(conv, 84, 0, 7, 0, 0, 0, nil)))                                            // empty message; WINS sets rmt_wnd
		in(kcpSeg(conv, 82, 0, 32, 5, 77, 0, nil))                                                                // ACK for an sn never sent
		in(kcpSeg(conv, 81, 0, 32, 5, 1000, 0, []byte("far")))                                                    // beyond the receive window
		in(cat(push(4, 1, []byte("frag1")), push(3, 2, []byte("frag0")), push(5, 0, []byte("frag2"))))            // out of order fragments
		in(push(6, 255, []byte("ff")))                                                                            // frg 255: kcp-go's uint8 wrap
		h.peekSize("a")
		h.recvAll("a", 100)
		h.update("a")
	}},
	{"stream transfer through loss both ways (fast3)", func(h *kcpHarness) {
		nd := [4]int{1, 10, 2, 1}
		h.configure("a", 0xabc, 1400, 0, 64, 64, nd, true)
		h.configure("b", 0xabc, 1400, 0, 64, 64, nd, true)
		var data []byte
		for i := 0; i < 48; i++ {
			n := 600 + 11*i
			h.sendMsg("a", i, n)
			data = append(data, detBytes(msgSeed(i, n), n)...)
		}
		got := h.exchange("a", "b", 300, func(n int) bool { return n%7 == 3 }, func(n int) bool { return n%5 == 2 }, false)
		if string(cat(got...)) != string(data) {
			panic("stream transfer corrupted")
		}
	}},
}

func genKCP(dir string) error {
	gc := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(gc)
	var out []kcpScript
	for _, s := range kcpScripts {
		var h *kcpHarness
		attempt := 0
		for attempt = 1; attempt <= 40; attempt++ {
			h = newKCPHarness()
			s.run(h)
			if !h.unstable {
				break
			}
		}
		if h.unstable {
			return fmt.Errorf("%q: kcp-go's clock ticked inside a step in 40 attempts", s.name)
		}
		out = append(out, kcpScript{Name: s.name, Attempts: attempt, Steps: h.steps})
	}
	return writeVectors(dir, "kcp.json", map[string]interface{}{
		"generator": "interop/kcppeer/vectors_kcp.go (kcp-go " + kcpgoVersion() + ")",
		"stateKeys": kcpStateKeys,
		"snmpKeys":  kcpSnmpKeys,
		"scripts":   out,
	})
}
