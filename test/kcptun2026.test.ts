/**
 * kcp-web client / server against kcptun's last release as rebuilt from its
 * modules (interop/kcptun2026: kcp-go v5.7.6, smux v1.5.58, golang/snappy
 * v1.0.0, xtaci/qpp v1.1.25): its defaults (smux v2, 8 KiB frames, snappy
 * on, FEC 10/3), aes-128-gcm, and QPP per stream. 4 parallel TCP
 * connections × 3 MiB through a TCP echo, both directions, sha256 equal.
 */
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:net';
import { hasKcptun2026, KCPTUN2026, startEcho, startKcptun, throughKcpWebClient, throughKcpWebServer } from './helpers/tunnel.js';

const CONNS = 4;
const SIZE = 3 << 20;
const KEY = ['--key', 'kcp-web kcptun 2026'];

const CASES: Array<{ name: string; flags: string[] }> = [
  { name: 'defaults (aes, smux v2, snappy, FEC 10/3)', flags: [...KEY] },
  { name: 'QPP (61 pads), aes', flags: [...KEY, '--QPP'] },
  { name: 'QPP (7 pads, 300-byte key), --nocomp, salsa20, fast3', flags: ['--key', 'q'.repeat(300), '--QPP', '--QPPCount', '7', '--nocomp', '--crypt', 'salsa20', '--mode', 'fast3'] },
  { name: 'aes-128-gcm', flags: [...KEY, '--crypt', 'aes-128-gcm'] },
  { name: 'aes-128-gcm + QPP', flags: [...KEY, '--crypt', 'aes-128-gcm', '--QPP'] },
];

describe('kcptun 2026 interop (interop/bin/kcptun2026)', { skip: hasKcptun2026 ? false : 'interop/bin/kcptun2026 is missing (node scripts/setup.mjs builds it)' }, () => {
  let echo: { port: number; server: Server };
  before(async () => {
    echo = await startEcho();
  });
  after(() => echo.server.close());

  for (const c of CASES) {
    it(`kcp-web client → kcptun2026 server: ${c.name}`, () =>
      throughKcpWebClient((udp) => startKcptun(KCPTUN2026, ['server', '-l', `127.0.0.1:${udp}`, '-t', `127.0.0.1:${echo.port}`, '--quiet', ...c.flags]), c.flags, CONNS, SIZE));

    it(`kcptun2026 client → kcp-web server: ${c.name}`, () =>
      throughKcpWebServer((tcp, udp) => startKcptun(KCPTUN2026, ['client', '-l', `127.0.0.1:${tcp}`, '-r', `127.0.0.1:${udp}`, '--quiet', ...c.flags]), c.flags, echo.port, CONNS, SIZE));
  }
});
