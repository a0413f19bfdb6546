/**
 * kcp-web client / server against Debian's kcptun (20210922: smux v1.5.16,
 * golang/snappy framing): 4 parallel TCP connections × 4 MiB through a TCP
 * echo, both directions of the tunnel, smux v1 with compression and v2
 * without, several ciphers. Debian's kcptun is installed by scripts/setup.mjs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:net';
import { parseTunnelFlags } from '../src/cli/tunnel-flags.js';
import { startTunnelClient, type TunnelClient } from '../src/cli/client.js';
import { startTunnelServer } from '../src/cli/server.js';
import { echoTransfers, freeTcpPort, freeUdpPort, hasKcptun, startEcho, startKcptun } from './helpers/tunnel.js';

const CONNS = 4;
const SIZE = 4 << 20;
const quiet = () => {};

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
    it(`kcp-web client → kcptun-server: ${c.name}`, async () => {
      const udp = await freeUdpPort();
      const server = await startKcptun('kcptun-server', ['-l', `127.0.0.1:${udp}`, '-t', `127.0.0.1:${echo.port}`, '--quiet', ...c.flags]);
      let client: TunnelClient | null = null;
      try {
        client = await startTunnelClient(parseTunnelFlags('client', ['-l', '127.0.0.1:0', '-r', `127.0.0.1:${udp}`, '--quiet', ...c.flags], '')!, quiet);
        const port = Number(client.address.split(':').pop());
        const results = await echoTransfers(port, CONNS, SIZE);
        for (const r of results) {
          assert.equal(r.bytes, SIZE);
          assert.equal(r.received, r.sent);
        }
      } finally {
        await client?.close();
        await server.stop();
      }
    });

    it(`kcptun-client → kcp-web server: ${c.name}`, async () => {
      const udp = await freeUdpPort();
      const tcp = await freeTcpPort();
      const server = await startTunnelServer(parseTunnelFlags('server', ['-l', `127.0.0.1:${udp}`, '-t', `127.0.0.1:${echo.port}`, '--quiet', ...c.flags], '')!, quiet);
      let client: Awaited<ReturnType<typeof startKcptun>> | null = null;
      try {
        client = await startKcptun('kcptun-client', ['-l', `127.0.0.1:${tcp}`, '-r', `127.0.0.1:${udp}`, '--quiet', ...c.flags]);
        const results = await echoTransfers(tcp, CONNS, SIZE);
        for (const r of results) {
          assert.equal(r.bytes, SIZE);
          assert.equal(r.received, r.sent);
        }
      } finally {
        await client?.stop();
        await server.close();
      }
    });
  }
});
