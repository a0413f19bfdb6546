/** kcp-web's twin of kcp-go's sink server (sess_test.go handleSink), run as its own process by bench/sink.ts. */
import { listenUdp } from '../src/index.node.js';

const listener = await listenUdp(process.argv[2] ?? '127.0.0.1:0', { sndwnd: 4096, rcvwnd: 4096, nodelay: 1, interval: 10, resend: 2, nc: 1, mtu: 1400, streamMode: true });
console.log(`listening ${listener.address}`);
listener.onsession = (s) => {
  // Read and discard, as kcp-go's handleSink.
  s.onmessage = () => {};
};
