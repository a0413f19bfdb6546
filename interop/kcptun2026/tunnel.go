package main

import (
	"flag"
	"io"
	"log"
	"net"
	"os"
	"sync"
	"time"

	"github.com/golang/snappy"
	kcp "github.com/xtaci/kcp-go/v5"
	"github.com/xtaci/qpp"
	"github.com/xtaci/smux"
)

// compStream is kcptun's snappy framing below smux: one flushed chunk per
// write, so each smux frame leaves as soon as smux writes it.
type compStream struct {
	conn net.Conn
	w    *snappy.Writer
	r    *snappy.Reader
}

func newCompStream(conn net.Conn) *compStream {
	return &compStream{conn: conn, w: snappy.NewBufferedWriter(conn), r: snappy.NewReader(conn)}
}

func (c *compStream) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *compStream) Write(p []byte) (int, error) {
	if _, err := c.w.Write(p); err != nil {
		return 0, err
	}
	if err := c.w.Flush(); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *compStream) Close() error { return c.conn.Close() }

// qppPort encrypts what is written to a smux stream and decrypts what is
// read from it; each direction has its own PRNG started from the raw key,
// so every stream restarts the same keystream, as in kcptun.
type qppPort struct {
	s     *smux.Stream
	pad   *qpp.QuantumPermutationPad
	wprng *qpp.Rand
	rprng *qpp.Rand
}

func newQPPPort(s *smux.Stream, pad *qpp.QuantumPermutationPad, key string) *qppPort {
	return &qppPort{s: s, pad: pad, wprng: qpp.CreatePRNG([]byte(key)), rprng: qpp.CreatePRNG([]byte(key))}
}

func (p *qppPort) Read(b []byte) (int, error) {
	n, err := p.s.Read(b)
	p.pad.DecryptWithPRNG(b[:n], p.rprng)
	return n, err
}

func (p *qppPort) Write(b []byte) (int, error) {
	buf := append([]byte(nil), b...)
	p.pad.EncryptWithPRNG(buf, p.wprng)
	return p.s.Write(buf)
}

func (p *qppPort) Close() error      { return p.s.Close() }
func (p *qppPort) CloseWrite() error { return p.s.CloseWrite() }

func wrapStream(s *smux.Stream, pad *qpp.QuantumPermutationPad, key string) io.ReadWriteCloser {
	if pad == nil {
		return s
	}
	return newQPPPort(s, pad, key)
}

// pipe copies both ways, passing an end of input on as a half-close; once
// one direction is done the pair is torn down, after closeWait seconds or
// when the other direction finishes too, whichever comes first.
func pipe(a, b io.ReadWriteCloser, closeWait int) {
	done := make(chan struct{}, 2)
	copyHalf := func(dst, src io.ReadWriteCloser) {
		io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		done <- struct{}{}
	}
	go copyHalf(a, b)
	go copyHalf(b, a)
	<-done
	if closeWait > 0 {
		select {
		case <-done:
		case <-time.After(time.Duration(closeWait) * time.Second):
		}
	}
	a.Close()
	b.Close()
}

func runClient(args []string) {
	var c config
	var localAddr, remoteAddr string
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.StringVar(&localAddr, "localaddr", ":12948", "local listen address")
	fs.StringVar(&localAddr, "l", ":12948", "alias of -localaddr")
	fs.StringVar(&remoteAddr, "remoteaddr", "vps:29900", "kcp server address")
	fs.StringVar(&remoteAddr, "r", "vps:29900", "alias of -remoteaddr")
	addFlags(fs, &c, 128, 512, 0)
	parse(fs, args, &c)

	block := c.blockCrypt()
	pad := c.newQPP()
	smuxCfg := c.smuxConfig()
	ln, err := net.Listen("tcp", localAddr)
	if err != nil {
		log.Fatal(err)
	}
	log.Println("listening on:", ln.Addr())
	log.Println("encryption:", c.crypt, "compression:", !c.noComp, "smuxver:", c.smuxVer, "QPP:", c.useQPP, "QPPCount:", c.qppCount)

	var mu sync.Mutex
	var mux *smux.Session
	session := func() (*smux.Session, error) {
		mu.Lock()
		defer mu.Unlock()
		if mux != nil && !mux.IsClosed() {
			return mux, nil
		}
		conn, err := kcp.DialWithOptions(remoteAddr, block, c.dataShard, c.parityShard)
		if err != nil {
			return nil, err
		}
		c.setupSession(conn)
		conn.SetReadBuffer(c.sockBuf)
		conn.SetWriteBuffer(c.sockBuf)
		var rw io.ReadWriteCloser = conn
		if !c.noComp {
			rw = newCompStream(conn)
		}
		mux, err = smux.Client(rw, smuxCfg)
		return mux, err
	}

	for {
		p1, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			defer p1.Close()
			m, err := session()
			if err != nil {
				log.Println(err)
				return
			}
			s, err := m.OpenStream()
			if err != nil {
				log.Println(err)
				return
			}
			if !c.quiet {
				log.Println("stream opened", "in:", p1.RemoteAddr(), "out:", s.ID())
			}
			pipe(p1.(*net.TCPConn), wrapStream(s, pad, c.key), c.closeWait)
			if !c.quiet {
				log.Println("stream closed", "in:", p1.RemoteAddr(), "out:", s.ID())
			}
		}()
	}
}

func runServer(args []string) {
	var c config
	var listen, target string
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.StringVar(&listen, "listen", ":29900", "kcp server listen address")
	fs.StringVar(&listen, "l", ":29900", "alias of -listen")
	fs.StringVar(&target, "target", "127.0.0.1:12948", "target server address")
	fs.StringVar(&target, "t", "127.0.0.1:12948", "alias of -target")
	addFlags(fs, &c, 1024, 1024, 30)
	parse(fs, args, &c)

	block := c.blockCrypt()
	pad := c.newQPP()
	smuxCfg := c.smuxConfig()
	lis, err := kcp.ListenWithOptions(listen, block, c.dataShard, c.parityShard)
	if err != nil {
		log.Fatal(err)
	}
	lis.SetReadBuffer(c.sockBuf)
	lis.SetWriteBuffer(c.sockBuf)
	log.Println("listening on:", lis.Addr())
	log.Println("encryption:", c.crypt, "compression:", !c.noComp, "smuxver:", c.smuxVer, "QPP:", c.useQPP, "QPPCount:", c.qppCount)

	for {
		conn, err := lis.AcceptKCP()
		if err != nil {
			log.Println(err)
			os.Exit(1)
		}
		c.setupSession(conn)
		go func() {
			var rw io.ReadWriteCloser = conn
			if !c.noComp {
				rw = newCompStream(conn)
			}
			mux, err := smux.Server(rw, smuxCfg)
			if err != nil {
				log.Println(err)
				return
			}
			defer mux.Close()
			for {
				s, err := mux.AcceptStream()
				if err != nil {
					log.Println(err)
					return
				}
				go func() {
					p2, err := net.Dial("tcp", target)
					if err != nil {
						log.Println(err)
						s.Close()
						return
					}
					if !c.quiet {
						log.Println("stream opened", "in:", conn.RemoteAddr(), s.ID(), "out:", target)
					}
					pipe(wrapStream(s, pad, c.key), p2.(*net.TCPConn), c.closeWait)
					if !c.quiet {
						log.Println("stream closed", "in:", conn.RemoteAddr(), s.ID(), "out:", target)
					}
				}()
			}
		}()
	}
}
