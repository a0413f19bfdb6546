// kcp-web-wt is the kcp-web relay's HTTP/3 WebTransport ingress, for hosts
// where @fails-components/webtransport's native binding is not available. It
// is built from Debian's quic-go (golang-github-lucas-clemente-quic-go-dev)
// and does one thing: each WebTransport session's datagrams go, untouched,
// to the relay's UDP bridge through a UDP socket of the session's own, and
// what comes back goes to the browser. The relay (Node) does the rest, so the
// browser ⇄ relay datagram path is the same whichever server carries it.
//
//	kcp-web-wt --listen 127.0.0.1:0 --bridge 127.0.0.1:PORT [--path /kcp-web/wt]
//
// prints "ready HOST:PORT CERT_SHA256_HEX" once it serves. The certificate is
// a fresh self-signed ECDSA P-256 one valid for 10 days, the form browsers
// accept through `serverCertificateHashes` (at most 14 days).
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/lucas-clemente/quic-go"
	"github.com/lucas-clemente/quic-go/http3"
	"github.com/lucas-clemente/quic-go/quicvarint"
)

// HTTP/3 settings a WebTransport server announces (draft-02, as Chromium speaks it).
const (
	settingEnableConnectProtocol = 0x8
	settingH3Datagram            = 0x33
	settingEnableWebTransport    = 0x2b603742
)

func selfSigned(hosts []string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "kcp-web relay"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(10 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, der, nil
}

// conn demultiplexes one QUIC connection's datagrams by WebTransport session
// (HTTP datagrams start with the quarter stream id of the CONNECT stream).
type conn struct {
	qc       quic.Connection
	mu       sync.Mutex
	sessions map[uint64]*net.UDPConn
	started  bool
}

var (
	connsMu sync.Mutex
	conns   = map[quic.Connection]*conn{}
)

func connFor(qc quic.Connection) *conn {
	connsMu.Lock()
	defer connsMu.Unlock()
	c, ok := conns[qc]
	if !ok {
		c = &conn{qc: qc, sessions: map[uint64]*net.UDPConn{}}
		conns[qc] = c
	}
	return c
}

func (c *conn) readLoop() {
	for {
		msg, err := c.qc.ReceiveMessage()
		if err != nil {
			connsMu.Lock()
			delete(conns, c.qc)
			connsMu.Unlock()
			return
		}
		qsid, err := quicvarint.Read(bytes.NewReader(msg))
		if err != nil {
			continue
		}
		payload := msg[quicvarint.Len(qsid):]
		c.mu.Lock()
		udp := c.sessions[qsid]
		c.mu.Unlock()
		if udp != nil {
			udp.Write(payload)
		} else if debug {
			log.Printf("datagram for unknown session %d (%d bytes)", qsid, len(payload))
		}
	}
}

// KCP_WEB_WT_DEBUG=1 logs sessions and dropped datagrams to stderr.
var debug = os.Getenv("KCP_WEB_WT_DEBUG") != ""

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "UDP address for HTTP/3")
	bridge := flag.String("bridge", "", "the relay's UDP bridge address")
	path := flag.String("path", "/kcp-web/wt", "WebTransport endpoint path")
	auth := flag.String("auth", "", "if set, each session's ?token= is checked by GET on this URL (the relay's admission: tokens, tickets, caps)")
	authSecret := flag.String("auth-secret", "", "sent as X-Kcp-Web-Auth with --auth requests")
	certFile := flag.String("cert", "", "PEM certificate to serve (default: a fresh self-signed one)")
	keyFile := flag.String("key", "", "PEM private key for --cert")
	exitWithStdin := flag.Bool("exit-with-stdin", false, "exit when stdin closes: the relay holds its write end, so the helper ends with the relay even if the relay is killed")
	flag.Parse()
	if *exitWithStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
	}
	if *bridge == "" {
		log.Fatal("kcp-web-wt: --bridge HOST:PORT is required")
	}
	bridgeAddr, err := net.ResolveUDPAddr("udp", *bridge)
	if err != nil {
		log.Fatalf("kcp-web-wt: --bridge: %v", err)
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		log.Fatalf("kcp-web-wt: --listen: %v", err)
	}
	var cert tls.Certificate
	var der []byte
	if *certFile != "" {
		cert, err = tls.LoadX509KeyPair(*certFile, *keyFile)
		if err == nil {
			der = cert.Certificate[0]
		}
	} else {
		cert, der, err = selfSigned([]string{host, "localhost", "127.0.0.1"})
	}
	if err != nil {
		log.Fatalf("kcp-web-wt: certificate: %v", err)
	}
	pc, err := net.ListenPacket("udp", *listen)
	if err != nil {
		log.Fatalf("kcp-web-wt: listen: %v", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc(*path, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect || r.Proto != "webtransport" {
			http.Error(w, "WebTransport CONNECT only", http.StatusBadRequest)
			return
		}
		// The session's bridge socket first (local, no upstream yet): the relay's
		// admission check is told its port, so that the relay counts the session
		// against the client's address from the moment it is admitted.
		udp, err := net.DialUDP("udp", nil, bridgeAddr)
		if err != nil {
			http.Error(w, "bridge unreachable", http.StatusBadGateway)
			return
		}
		defer udp.Close()
		if *auth != "" {
			bridgePort := udp.LocalAddr().(*net.UDPAddr).Port
			if status, msg := admit(*auth, *authSecret, r.URL.Query().Get("token"), r.RemoteAddr, bridgePort); status != http.StatusNoContent {
				http.Error(w, msg, status)
				return
			}
		}
		streamer, ok1 := r.Body.(http3.HTTPStreamer)
		hijacker, ok2 := w.(http3.Hijacker)
		if !ok1 || !ok2 {
			http.Error(w, "not HTTP/3", http.StatusBadRequest)
			return
		}
		str := streamer.HTTPStream()
		qc, ok := hijacker.StreamCreator().(quic.Connection)
		if !ok {
			http.Error(w, "no QUIC connection", http.StatusInternalServerError)
			return
		}
		if debug {
			log.Printf("session on stream %d from %s", str.StreamID(), qc.RemoteAddr())
		}
		qsid := uint64(str.StreamID()) / 4
		c := connFor(qc)
		c.mu.Lock()
		c.sessions[qsid] = udp
		if !c.started {
			c.started = true
			go c.readLoop()
		}
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			delete(c.sessions, qsid)
			c.mu.Unlock()
		}()
		w.Header().Set("sec-webtransport-http3-draft", "draft02")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()

		// Bridge → browser, prefixed with this session's quarter stream id.
		var pb bytes.Buffer
		quicvarint.Write(quicvarint.NewWriter(&pb), qsid)
		prefix := pb.Bytes()
		go func() {
			buf := make([]byte, 1500)
			for {
				n, err := udp.Read(buf)
				if err != nil {
					return
				}
				if err := qc.SendMessage(append(append([]byte(nil), prefix...), buf[:n]...)); err != nil && debug {
					log.Printf("send to session %d: %v", qsid, err)
				}
			}
		}()
		// The session lasts as long as its CONNECT stream.
		ctx := str.Context()
		buf := make([]byte, 64)
		for {
			if _, err := str.Read(buf); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			default:
			}
		}
	})

	server := &http3.Server{
		Handler:         mux,
		TLSConfig:       &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h3"}},
		EnableDatagrams: true,
		QuicConfig:      &quic.Config{EnableDatagrams: true, MaxIdleTimeout: 60 * time.Second, KeepAlivePeriod: 10 * time.Second},
		AdditionalSettings: map[uint64]uint64{
			settingEnableConnectProtocol: 1,
			settingH3Datagram:            1,
			settingEnableWebTransport:    1,
		},
	}
	sum := sha256.Sum256(der)
	fmt.Printf("ready %s %s\n", pc.LocalAddr(), hex.EncodeToString(sum[:]))
	os.Stdout.Sync()
	if err := server.Serve(pc); err != nil {
		log.Fatalf("kcp-web-wt: %v", err)
	}
}

// admit asks the relay whether a session with this token (or ticket) from
// this address may open: one admission policy for every ingress.
func admit(url, secret, token, remote string, bridgePort int) (int, string) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return http.StatusInternalServerError, err.Error()
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-Kcp-Web-Auth", secret)
	req.Header.Set("X-Forwarded-For", remote)
	req.Header.Set("X-Kcp-Web-Bridge-Port", strconv.Itoa(bridgePort))
	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		return http.StatusServiceUnavailable, "admission check failed: " + err.Error()
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
	return res.StatusCode, string(body)
}
