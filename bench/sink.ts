/**
 * Sink speed over loopback UDP, kcp-go's BenchmarkSinkSpeed setup (no crypto,
 * no FEC, stream mode, windows 4096/1024, nodelay 1/10/2/1, MTU 1400): the
 * client writes `total` bytes in `msg`-byte writes, each waiting for window
 * room, and the time to finish writing is the measure, as in kcp-go.
 */
import { dialUdp } from '../src/index.node.js';
import { startServer, KCPPEER, ROOT } from '../test/helpers/kcppeer.js';

export async function sinkSpeed(server: 'kcp-web' | 'kcp-go', msg: number, total: number): Promise<number> {
  const proc =
    server === 'kcp-go'
      ? await startServer(KCPPEER, ['sink', '--listen', '127.0.0.1:0'], /^listening (\S+)/)
      : await startServer(process.execPath, ['--import', 'tsx', `${ROOT}bench/sink-server.ts`, '127.0.0.1:0'], /^listening (\S+)/);
  try {
    const s = await dialUdp(proc.address, { sndwnd: 1024, rcvwnd: 1024, nodelay: 1, interval: 10, resend: 2, nc: 1, mtu: 1400, streamMode: true });
    const buf = new Uint8Array(msg);
    const start = performance.now();
    for (let sent = 0; sent < total; sent += msg) await s.write(buf);
    const ms = performance.now() - start;
    s.close();
    return total / 1e6 / (ms / 1000);
  } finally {
    proc.stop();
  }
}
