/**
 * Echo speed over loopback UDP, as kcp-go v5.7.6's BenchmarkEchoSpeed1M
 * (sess_test.go speedclient), the anchor `npm run bench` runs: the client
 * (dialEcho: salsa20, FEC 10/3, windows 1024, nodelay 1/10/2/1, MTU 1400,
 * ack-no-delay off) writes `rounds` × `bytes` from a writer of its own while
 * it reads the echo back (echo_tester: writes are pipelined, not one round
 * trip at a time); the server is listenEcho + handleEcho (salsa20, FEC 10/1,
 * windows 1024, the same nodelay and MTU) — as kcp-web's twin
 * (bench/echo-server.ts) or the real kcp-go through our Go peer. MB/s counts
 * one direction, as `b.SetBytes(nbytes)` does.
 */
import { dialUdp } from '../src/index.node.js';
import { startServer, KCPPEER, ROOT, type ServerProcess } from '../test/helpers/kcppeer.js';

/** kcp-go's test `pass`: pbkdf2("testkey", "kcp-go", 4096, 32, sha1), which is our passphrase derivation. */
export const ECHO_KEY = 'testkey';

/** kcp-go v5.7.6's listenEcho + handleEcho, as the flags of our Go peer's echo. */
const GO_ECHO_FLAGS = ['--crypt', 'salsa20', '--key', ECHO_KEY, '--datashard', '10', '--parityshard', '1', '--sndwnd', '1024', '--rcvwnd', '1024', '--mode', 'manual', '--nodelay', '1', '--interval', '10', '--resend', '2', '--nc', '1', '--mtu', '1400'];

/** An echo server configured as kcp-go's test server, in a process of its own: kcp-go's (our Go peer) or kcp-web's twin. */
export function startEchoServer(server: 'kcp-web' | 'kcp-go'): Promise<ServerProcess> {
  return server === 'kcp-go'
    ? startServer(KCPPEER, ['echo', '--listen', '127.0.0.1:0', ...GO_ECHO_FLAGS], /^listening (\S+)/)
    : startServer(process.execPath, ['--import', 'tsx', `${ROOT}bench/echo-server.ts`, '127.0.0.1:0'], /^listening (\S+)/);
}

export async function echoSpeed(server: 'kcp-web' | 'kcp-go', bytes: number, rounds: number): Promise<number> {
  const proc = await startEchoServer(server);
  try {
    const s = await dialUdp(proc.address, { crypt: 'salsa20', key: ECHO_KEY, dataShards: 10, parityShards: 3, sndwnd: 1024, rcvwnd: 1024, nodelay: 1, interval: 10, resend: 2, nc: 1, mtu: 1400, streamMode: true });
    const buf = new Uint8Array(bytes);
    const start = performance.now();
    const writing = (async () => {
      for (let i = 0; i < rounds; i++) await s.write(buf);
    })();
    let got = 0;
    while (got < bytes * rounds) {
      const m = await s.read();
      if (!m) throw new Error('echo session closed');
      got += m.length;
    }
    await writing;
    const ms = performance.now() - start;
    s.close();
    return (bytes * rounds) / 1e6 / (ms / 1000);
  } finally {
    proc.stop();
  }
}
