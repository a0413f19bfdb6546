/**
 * Echo speed over loopback UDP, kcp-go's BenchmarkEchoSpeed1M setup: the
 * client (salsa20, FEC 10/3, windows 1024, nodelay 1/10/2/1, MTU 1400;
 * dialEcho turns ack-no-delay on and off again) writes 1 MiB and reads it back, `rounds` times; the server
 * is kcp-go's listenEcho + handleEcho (salsa20, no FEC coder, windows 4096)
 * — as kcp-web's twin (bench/echo-server.ts) or the real kcp-go through our
 * Go peer. MB/s counts one direction, as `b.SetBytes(nbytes)` does.
 */
import { dialUdp } from '../src/index.node.js';
import { startServer, KCPPEER, ROOT } from '../test/helpers/kcppeer.js';

/** kcp-go's test `pass`: pbkdf2("testkey", "kcp-go", 4096, 32, sha1), which is our passphrase derivation. */
export const ECHO_KEY = 'testkey';

export async function echoSpeed(server: 'kcp-web' | 'kcp-go', bytes: number, rounds: number): Promise<number> {
  const proc =
    server === 'kcp-go'
      ? await startServer(KCPPEER, ['echo', '--listen', '127.0.0.1:0', '--crypt', 'salsa20', '--key', ECHO_KEY, '--datashard', '0', '--parityshard', '0', '--sndwnd', '4096', '--rcvwnd', '4096', '--mode', 'manual', '--nodelay', '1', '--interval', '10', '--resend', '2', '--nc', '1', '--mtu', '1400'], /^listening (\S+)/)
      : await startServer(process.execPath, ['--import', 'tsx', `${ROOT}bench/echo-server.ts`, '127.0.0.1:0'], /^listening (\S+)/);
  try {
    const s = await dialUdp(proc.address, { crypt: 'salsa20', key: ECHO_KEY, dataShards: 10, parityShards: 3, sndwnd: 1024, rcvwnd: 1024, nodelay: 1, interval: 10, resend: 2, nc: 1, mtu: 1400, streamMode: true });
    const buf = new Uint8Array(bytes);
    const start = performance.now();
    for (let i = 0; i < rounds; i++) {
      const writing = s.write(buf);
      let got = 0;
      while (got < bytes) {
        const m = await s.read();
        if (!m) throw new Error('echo session closed');
        got += m.length;
      }
      await writing;
    }
    const ms = performance.now() - start;
    s.close();
    return (bytes * rounds) / 1e6 / (ms / 1000);
  } finally {
    proc.stop();
  }
}
