package main

import (
	"flag"
)

// runSink is kcp-go's own sink server from sess_test.go (handleSink): no
// crypto, no FEC, stream mode, windows 4096, nodelay 1/10/2/1, MTU 1400;
// it reads and discards. Used by `npm run bench` for Node → kcp-go sink speed.
func runSink(args []string) {
	fs := flag.NewFlagSet("sink", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "UDP address to listen on")
	fs.Parse(args)
	l := listenAnnounced(*listen, nil, 0, 0)
	for {
		s, err := l.AcceptKCP()
		if err != nil {
			die("accept: %v", err)
		}
		go func() {
			s.SetStreamMode(true)
			s.SetWindowSize(4096, 4096)
			s.SetNoDelay(1, 10, 2, 1)
			s.SetMtu(1400)
			s.SetACKNoDelay(false)
			buf := make([]byte, 65536)
			for {
				if _, err := s.Read(buf); err != nil {
					return
				}
			}
		}()
	}
}
