/** kcp-web's twin of kcp-go's echo server (sess_test.go listenEcho + handleEcho), run as its own process by bench/echo.ts. */
import { listenUdp } from '../src/index.node.js';
import { ECHO_KEY } from './echo.js';

// As listenEcho: salsa20 with the test key; kcp-go passes FEC 10/0, which builds no FEC coder at all.
const listener = await listenUdp(process.argv[2] ?? '127.0.0.1:0', { crypt: 'salsa20', key: ECHO_KEY, sndwnd: 4096, rcvwnd: 4096, nodelay: 1, interval: 10, resend: 2, nc: 1, mtu: 1400, streamMode: true });
console.log(`listening ${listener.address}`);
// As handleEcho: read, then a Write that waits for window room (send() would queue without bound).
listener.onsession = (s) => {
  void (async () => {
    for await (const m of s) await s.write(m);
  })().catch(() => {});
};
