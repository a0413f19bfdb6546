// wt-load is the WebTransport load of bench/relay-ingress.ts: N sessions to
// a kcp-web relay's WebTransport ingress, found as a page finds it (GET
// /kcp-web/config, the certificate pinned by its SHA-256 as a page's
// serverCertificateHashes does), each on its own QUIC connection as a
// browser tab's would be. It speaks bench/relay-ingress-load.ts's `load`
// protocol on stdin/stdout:
//
//	prints "open MS" once every session is open (each has sent one datagram,
//	  so the relay has taken it up: an admitted session that stays silent is
//	  let go after a grace period);
//	"start" / "stop" (echoed back) start and stop the sending: every 5 ms a
//	  slice of the sessions sends one 100-byte datagram, RATE a second each;
//	"read" answers one JSON line of cumulative counters (LoadCounters).
//
//	wt-load --relay http://127.0.0.1:PORT/ --sessions N --rate RATE
//
// It exits when stdin closes, and if the sessions are not open within --open-timeout.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/webtransport-go"
)

// The part of the relay's /kcp-web/config a page uses to reach its WebTransport ingress.
type relayConfig struct {
	WebTransport *struct {
		Host              string   `json:"host"`
		Port              int      `json:"port"`
		Path              string   `json:"path"`
		CertificateHashes []string `json:"certificateHashes"`
	} `json:"webtransport"`
}

// The counters of bench/relay-ingress-load.ts (LoadCounters).
type counters struct {
	Sent      int64   `json:"sent"`
	Failed    int64   `json:"failed"`
	Received  int64   `json:"received"`
	Queued    int64   `json:"queued"`
	SendingMs float64 `json:"sendingMs"`
	CPUUs     int64   `json:"cpuUs"`
}

var payload = make([]byte, 100)

var sent, failed, received atomic.Int64

// session sends what the ticker hands it from its own goroutine: a send that
// blocks (quic-go's datagram queue full) holds up this session alone.
type session struct {
	wt    *webtransport.Session
	queue chan struct{}
}

func (s *session) pump() {
	for range s.queue {
		if err := s.wt.SendDatagram(payload); err != nil {
			failed.Add(1)
		} else {
			sent.Add(1)
		}
	}
}

func (s *session) receive() {
	for {
		if _, err := s.wt.ReceiveDatagram(context.Background()); err != nil {
			return
		}
		received.Add(1)
	}
}

func fetchConfig(relay string) (string, []string, error) {
	base, err := url.Parse(relay)
	if err != nil {
		return "", nil, err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Get(base.JoinPath("kcp-web/config").String())
	if err != nil {
		return "", nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("GET kcp-web/config: %s", res.Status)
	}
	var cfg relayConfig
	if err := json.NewDecoder(res.Body).Decode(&cfg); err != nil {
		return "", nil, fmt.Errorf("kcp-web/config: %w", err)
	}
	wt := cfg.WebTransport
	if wt == nil {
		return "", nil, errors.New("the relay offers no WebTransport")
	}
	host := wt.Host
	if host == "" {
		host = base.Hostname()
	}
	return "https://" + (&url.URL{Host: host + ":" + strconv.Itoa(wt.Port)}).Host + wt.Path, wt.CertificateHashes, nil
}

func cpuUs() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano()/1000 + ru.Stime.Nano()/1000
}

var stdoutMu sync.Mutex

func say(line string) {
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	fmt.Println(line)
}

func main() {
	relay := flag.String("relay", "", "the relay's HTTP URL (http://HOST:PORT/)")
	n := flag.Int("sessions", 0, "WebTransport sessions to open")
	rate := flag.Int("rate", 20, "datagrams a second each session sends while started")
	openTimeout := flag.Duration("open-timeout", 170*time.Second, "give up (exit 1) if the sessions are not all open by then")
	flag.Parse()
	if *relay == "" || *n <= 0 || *rate <= 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "wt-load: --relay URL, --sessions N > 0 and --rate R > 0 are required")
		os.Exit(2)
	}
	wtURL, hashes, err := fetchConfig(*relay)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wt-load: %v\n", err)
		os.Exit(1)
	}
	tlsConf := &tls.Config{
		// Verified by the pinned hash instead, as a page's serverCertificateHashes.
		InsecureSkipVerify: true,
		VerifyConnection: func(state tls.ConnectionState) error {
			if len(state.PeerCertificates) == 0 {
				return errors.New("no certificate")
			}
			sum := sha256.Sum256(state.PeerCertificates[0].Raw)
			if !slices.Contains(hashes, hex.EncodeToString(sum[:])) {
				return errors.New("certificate not among the relay's certificateHashes")
			}
			return nil
		},
	}
	transport := &webtransport.Transport{
		TLSClientConfig: tlsConf,
		QUICConfig: &quic.Config{
			EnableDatagrams:                  true,
			EnableStreamResetPartialDelivery: true,
			MaxIdleTimeout:                   60 * time.Second,
			KeepAlivePeriod:                  10 * time.Second,
		},
	}

	ctx, cancel := context.WithTimeout(context.Background(), *openTimeout)
	defer cancel()
	t0 := time.Now()
	sessions := make([]*session, *n)
	// A few at a time, as the Node load opens its sessions.
	const concurrent = 20
	var next atomic.Int64
	var wg sync.WaitGroup
	var openErr atomic.Pointer[error]
	for range concurrent {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= *n || openErr.Load() != nil {
					return
				}
				rsp, wt, err := transport.Dial(ctx, wtURL, nil)
				if err == nil && (rsp.StatusCode < 200 || rsp.StatusCode >= 300) {
					err = fmt.Errorf("status %d", rsp.StatusCode)
				}
				if err != nil {
					err = fmt.Errorf("session %d of %d: %w", i+1, *n, err)
					openErr.CompareAndSwap(nil, &err)
					return
				}
				s := &session{wt: wt, queue: make(chan struct{}, 64)}
				sessions[i] = s
				go s.receive()
				go s.pump()
				s.queue <- struct{}{}
			}
		})
	}
	wg.Wait()
	if e := openErr.Load(); e != nil {
		fmt.Fprintf(os.Stderr, "wt-load: %v\n", *e)
		os.Exit(1)
	}
	say(fmt.Sprintf("open %d", time.Since(t0).Milliseconds()))

	// Spread over the period: every 5 ms a slice of the sessions sends one datagram each.
	ticks := max(1, int((1000.0/float64(*rate)/5)+0.5))
	var mu sync.Mutex
	var ticker *time.Ticker
	var done chan struct{}
	var since time.Time
	var sendingMs float64
	var cpu, cpuSince int64
	read := func() counters {
		mu.Lock()
		defer mu.Unlock()
		c := counters{Sent: sent.Load(), Failed: failed.Load(), Received: received.Load(), SendingMs: sendingMs, CPUUs: cpu}
		for _, s := range sessions {
			c.Queued += int64(len(s.queue))
		}
		if ticker != nil {
			c.SendingMs += float64(time.Since(since).Microseconds()) / 1000
			c.CPUUs += cpuUs() - cpuSince
		}
		return c
	}
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		switch command := lines.Text(); command {
		case "read":
			b, _ := json.Marshal(read())
			say(string(b))
		case "start", "stop":
			mu.Lock()
			if command == "start" && ticker == nil {
				since, cpuSince = time.Now(), cpuUs()
				ticker, done = time.NewTicker(5*time.Millisecond), make(chan struct{})
				go func(tick <-chan time.Time, done <-chan struct{}) {
					for k := 0; ; k++ {
						select {
						case <-done:
							return
						case <-tick:
						}
						for i := k % ticks; i < len(sessions); i += ticks {
							select {
							case sessions[i].queue <- struct{}{}:
							default:
								failed.Add(1)
							}
						}
					}
				}(ticker.C, done)
			} else if command == "stop" && ticker != nil {
				ticker.Stop()
				close(done)
				ticker = nil
				sendingMs += float64(time.Since(since).Microseconds()) / 1000
				cpu += cpuUs() - cpuSince
			}
			mu.Unlock()
			say(command)
		}
	}
}
