/**
 * kcp-web client / server against Debian's kcptun (20210922: smux v1.5.16,
 * golang/snappy framing): 4 parallel TCP connections × 4 MiB through a TCP
 * echo, both directions of the tunnel, smux v1 with compression and v2
 * without, several ciphers. Debian's kcptun is installed by scripts/setup.mjs.
 */
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:net';
import { hasKcptun, startEcho, startKcptun, throughKcpWebClient, throughKcpWebServer } from './helpers/tunnel.js';

const CONNS = 4;
const SIZE = 4 << 20;

const CASES: Array<{ name: string; flags: string[] }> = [
  { name: 'smux v1 + snappy, aes', flags: ['--smuxver', '1', '--crypt', 'aes', '--key', 'kcp-web smux'] },
  { name: 'smux v2, --nocomp, salsa20', flags: ['--smuxver', '2', '--nocomp', '--crypt', 'salsa20', '--key', 'kcp-web smux'] },
  { name: 'smux v1 + snappy, twofish, fast3, no FEC', flags: ['--smuxver', '1', '--crypt', 'twofish', '--mode', 'fast3', '--datashard', '0', '--parityshard', '0'] },
  { name: 'smux v2, --nocomp, none, fast2, mtu 1200', flags: ['--smuxver', '2', '--nocomp', '--crypt', 'none', '--mode', 'fast2', '--mtu', '1200'] },
];

describe('kcptun interop (Debian kcptun-client / kcptun-server)', { skip: hasKcptun ? false : 'kcptun is not installed (scripts/setup.mjs installs it)' }, () => {
  let echo: { port: number; server: Server };
  before(async () => {
    echo = await startEcho();
  });
  after(() => echo.server.close());

  for (const c of CASES) {
    it(`kcp-web client → kcptun-server: ${c.name}`, () =>
      throughKcpWebClient((udp) => startKcptun('kcptun-server', ['-l', `127.0.0.1:${udp}`, '-t', `127.0.0.1:${echo.port}`, '--quiet', ...c.flags]), c.flags, CONNS, SIZE));

    it(`kcptun-client → kcp-web server: ${c.name}`, () =>
      throughKcpWebServer((tcp, udp) => startKcptun('kcptun-client', ['-l', `127.0.0.1:${tcp}`, '-r', `127.0.0.1:${udp}`, '--quiet', ...c.flags]), c.flags, echo.port, CONNS, SIZE));
  }
});
