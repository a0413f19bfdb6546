// kcp-web-wt is the kcp-web relay's HTTP/3 WebTransport ingress, for hosts
// where @fails-components/webtransport's native binding is not available. It
// is built from the quic-go and webtransport-go modules pinned in go.mod and
// does one thing: each WebTransport session's datagrams go, untouched,
// to the relay's UDP bridge through a UDP socket of the session's own, and
// what comes back goes to the browser. The relay (Node) does the rest, so the
// browser ⇄ relay datagram path is the same whichever server carries it.
//
//	kcp-web-wt --listen 127.0.0.1:0 --bridge 127.0.0.1:PORT [--path /kcp-web/wt]
//
// prints "ready HOST:PORT CERT_SHA256_HEX" once it serves. The certificate is
// a fresh self-signed ECDSA P-256 one valid for 10 days, the form browsers
// accept through `serverCertificateHashes` (at most 14 days).
//
// With --exit-with-stdin, stdin also carries the relay's certificate
// rotation, one command a line, each answered on stdout:
//
//	next     → "next SHA256"     makes the next self-signed certificate (not served yet)
//	promote  → "current SHA256"  serves the next one from now on
//
// The swap is a reload, not a restart: connections already open keep their
// TLS session and their WebTransport sessions; new handshakes get the new
// certificate. The relay decides when (it publishes both hashes, so pages
// pin the next one before it is served).
package main

import (
	"bufio"
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
	neturl "net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
	"github.com/quic-go/webtransport-go"
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
	var served atomic.Pointer[tls.Certificate]
	served.Store(&cert)
	if *exitWithStdin {
		go rotation(&served, []string{host, "localhost", "127.0.0.1"})
	}
	pc, err := net.ListenPacket("udp", *listen)
	if err != nil {
		log.Fatalf("kcp-web-wt: listen: %v", err)
	}

	h3 := &http3.Server{
		TLSConfig: &tls.Config{
			GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return served.Load(), nil },
			NextProtos:     []string{http3.NextProtoH3},
		},
		QUICConfig: &quic.Config{
			EnableDatagrams:                  true,
			EnableStreamResetPartialDelivery: true,
			MaxIdleTimeout:                   60 * time.Second,
			KeepAlivePeriod:                  10 * time.Second,
		},
	}
	webtransport.ConfigureHTTP3Server(h3)
	wt := &webtransport.Server{
		H3: h3,
		// Pages are served from any origin (the game's own site); who may
		// open a session is the relay's admission, checked below.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	mux := http.NewServeMux()
	mux.HandleFunc(*path, func(w http.ResponseWriter, r *http.Request) {
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
			if status, msg := admit(*auth, *authSecret, r.URL.Query(), r.RemoteAddr, bridgePort); status != http.StatusNoContent {
				http.Error(w, msg, status)
				return
			}
		}
		sess, err := wt.Upgrade(w, r)
		if err != nil {
			if debug {
				log.Printf("upgrade from %s: %v", r.RemoteAddr, err)
			}
			return
		}
		if debug {
			log.Printf("session from %s", sess.RemoteAddr())
		}
		// Bridge -> browser.
		go func() {
			buf := make([]byte, 1500)
			for {
				n, err := udp.Read(buf)
				if err != nil {
					return
				}
				if err := sess.SendDatagram(buf[:n]); err != nil && debug {
					log.Printf("send to %s: %v", sess.RemoteAddr(), err)
				}
			}
		}()
		// Browser -> bridge, for as long as the session lives.
		ctx := sess.Context()
		for {
			msg, err := sess.ReceiveDatagram(ctx)
			if err != nil {
				return
			}
			_, _ = udp.Write(msg)
		}
	})
	h3.Handler = mux

	sum := sha256.Sum256(der)
	say("ready %s %s", pc.LocalAddr(), hex.EncodeToString(sum[:]))
	if err := wt.Serve(pc); err != nil {
		log.Fatalf("kcp-web-wt: %v", err)
	}
}

var stdoutMu sync.Mutex

func say(format string, args ...any) {
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	fmt.Printf(format+"\n", args...)
	os.Stdout.Sync()
}

// rotation runs the relay's commands on stdin (see the top of this file)
// and exits when stdin closes: the relay holds its write end, so the helper
// ends with the relay even if the relay is killed.
func rotation(served *atomic.Pointer[tls.Certificate], hosts []string) {
	var next *tls.Certificate
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		switch lines.Text() {
		case "next":
			c, der, err := selfSigned(hosts)
			if err != nil {
				say("error %v", err)
				continue
			}
			next = &c
			sum := sha256.Sum256(der)
			say("next %s", hex.EncodeToString(sum[:]))
		case "promote":
			if next == nil {
				say("error no next certificate")
				continue
			}
			served.Store(next)
			sum := sha256.Sum256(next.Certificate[0])
			next = nil
			say("current %s", hex.EncodeToString(sum[:]))
		default:
			say("error unknown command %q", lines.Text())
		}
	}
	os.Exit(0)
}

// admit asks the relay whether a session with this token (or ticket, or resume credential) from
// this address may open: one admission policy for every ingress.
func admit(url, secret string, query neturl.Values, remote string, bridgePort int) (int, string) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return http.StatusInternalServerError, err.Error()
	}
	if token := query.Get("token"); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	// A session that can move between transports: its resume credential, and the claim its next one is filed under.
	if resume := query.Get("resume"); resume != "" {
		req.Header.Set("X-Kcp-Web-Resume", resume)
	}
	if claim := query.Get("claim"); claim != "" {
		req.Header.Set("X-Kcp-Web-Claim", claim)
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
