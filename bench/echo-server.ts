/** kcp-web's twin of kcp-go v5.7.6's echo server (sess_test.go listenEcho + handleEcho), run as its own process by bench/echo.ts. */
import { DefaultSnmp, listenUdp } from '../src/index.node.js';
import { ECHO_KEY } from './echo.js';

// As listenEcho (salsa20, FEC 10/1) and handleEcho (windows 1024, nodelay 1/10/2/1, MTU 1400, ack-no-delay off).
const listener = await listenUdp(process.argv[2] ?? '127.0.0.1:0', { crypt: 'salsa20', key: ECHO_KEY, dataShards: 10, parityShards: 1, sndwnd: 1024, rcvwnd: 1024, nodelay: 1, interval: 10, resend: 2, nc: 1, mtu: 1400, streamMode: true });
console.log(`listening ${listener.address}`);
// As handleEcho: read, then a Write that waits for window room (send() would queue without bound).
listener.onsession = (s) => {
  void (async () => {
    for await (const m of s) await s.write(m);
  })().catch(() => {});
};
// As our Go peer's echo: on SIGTERM, the process-wide counters as one JSON line (stopWithCounters reads it).
process.once('SIGTERM', () => process.stdout.write(`${JSON.stringify({ snmp: { ...DefaultSnmp } })}\n`, () => process.exit(0)));
