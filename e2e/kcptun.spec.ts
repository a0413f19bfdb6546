/**
 * Chromium → relay → kcptun server → TCP service, end to end: the
 * Vite-bundled tunnel page (e2e/page/tunnel.ts, kcp-web's browser entry)
 * dials a real kcptun server through the kcp-web relay, opens smux streams
 * over the one KCP session and sends an HTTP GET on each to a Node HTTP
 * server behind kcptun-server's --target: a small HTML page and a 1 MiB
 * random body, fetched at once on two streams, the body's sha256 compared.
 * Debian's kcptun-server (20210922) with smux v1 and v2, with and without
 * snappy, over WebTransport and WebRTC; kcptun's last release
 * (interop/bin/kcptun2026) with aes-128-gcm and its smux v2 defaults. The
 * README's page example, bundled as it stands, against the kcptun-server
 * command its comment gives. A hostile server's bad smux frames and snappy
 * chunks close the page's session, are counted, and raise nothing in the page.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import type { ConsoleMessage, Page } from '@playwright/test';
import { test as base, expect, keepArtifact } from '../src/testing/index.js';
import { hasChromium } from '../test/helpers/browser.js';
import { freeUdpPort, hasKcptun, hasKcptun2026, KCPTUN2026, startKcptun } from '../test/helpers/tunnel.js';
import { HELPER_BINARY } from '../src/relay/webtransport/go.js';
import { pageDir, readmeKcptunBlock } from './global-setup.js';
import { listenUdp } from '../src/index.node.js';
import { SnappyFramer } from '../src/smux/snappy.js';

const BIG = randomBytes(1 << 20);
const BIG_SHA256 = createHash('sha256').update(BIG).digest('hex');
const HTML = '<!doctype html>\n<title>behind kcptun</title>\n<p>served by a Node HTTP server through kcptun-server --target</p>\n';
const KEY = 'kcp-web page to kcptun';
const hasHelper = existsSync(HELPER_BINARY);

interface TunnelCase {
  relay: string;
  transport?: 'webtransport' | 'webrtc';
  crypt: string;
  key: string;
  fec: boolean;
  smuxVersion: 1 | 2;
  compress: boolean;
  paths: string[];
}

interface TunnelResult {
  kind?: string;
  responses: Array<{ path: string; status: number; bodyBytes: number; sha256: string; text?: string }>;
  smux?: Record<string, number>;
  corruptChunks?: number;
  error?: string;
  smuxError?: string;
}

/** The bundled page's window.httpThroughKcptun (e2e/page/tunnel.ts). */
const httpThroughKcptun = (page: Page, c: TunnelCase): Promise<TunnelResult> =>
  page.evaluate((c) => (globalThis as unknown as { httpThroughKcptun(c: object): Promise<TunnelResult> }).httpThroughKcptun(c), c);

/** The TCP service behind kcptun: `/` is a small HTML page, `/big` 1 MiB of random bytes. */
async function startHttp(): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(HTML) }).end(HTML);
    else if (req.url === '/big') res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG.length }).end(BIG);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, requests };
}

/**
 * A server that answers a page's first bytes with `reply` and nothing else:
 * kcptun's KCP settings (aes, fast, FEC 10/3, MTU 1200), bad frames above them.
 */
async function startHostile(reply: Uint8Array): Promise<{ address: string; close(): void }> {
  const listener = await listenUdp('127.0.0.1:0', { crypt: 'aes', key: KEY, mode: 'fast', dataShards: 10, parityShards: 3, mtu: 1200, streamMode: true });
  void (async () => {
    for await (const session of listener) {
      void (async () => {
        if ((await session.read()) !== null) await session.write(reply);
      })();
    }
  })();
  return { address: listener.address, close: () => listener.close() };
}

/** A kcptun binary, or `hostile` bytes to answer with from startHostile. */
type KcptunServer = { bin: string; flags: string[] } | { hostile: Uint8Array };

const test = base.extend<{ kcptunServer: KcptunServer; http: Awaited<ReturnType<typeof startHttp>>; tunnelPage: Page }>({
  kcptunServer: [{ bin: 'kcptun-server', flags: [] }, { option: true }],
  http: async ({}, use) => {
    const http = await startHttp();
    await use(http);
    http.server.closeAllConnections();
    await new Promise((r) => http.server.close(r));
  },
  // The real kcptun server behind the relay, forwarding each stream to the HTTP service; its log is kept when the test fails.
  kcpUpstream: async ({ kcptunServer, http }, use, info) => {
    if ('hostile' in kcptunServer) {
      const hostile = await startHostile(kcptunServer.hostile);
      try {
        return await use(hostile.address);
      } finally {
        hostile.close();
      }
    }
    const udp = await freeUdpPort();
    const args = ['-l', `127.0.0.1:${udp}`, '-t', `127.0.0.1:${http.port}`, ...kcptunServer.flags];
    const server = await startKcptun(kcptunServer.bin, kcptunServer.bin === KCPTUN2026 ? ['server', ...args] : args);
    try {
      await use(`127.0.0.1:${udp}`);
    } finally {
      await server.stop();
      if (info.status !== info.expectedStatus) await keepArtifact(info, 'kcptun-server.log', `${kcptunServer.bin} ${args.join(' ')}\n${server.log()}`);
    }
  },
  kcpRelayOptions: async ({}, use) => use({ relay: { staticDir: pageDir() } }),
  tunnelPage: async ({ page, kcpRelay, kcpConsole }, use) => {
    void kcpConsole;
    await page.goto(`${kcpRelay.url}tunnel.html`);
    await page.waitForFunction(() => typeof (globalThis as { httpThroughKcptun?: unknown }).httpThroughKcptun === 'function');
    await use(page);
  },
});

test.skip(!hasChromium, '/usr/bin/chromium missing: run `node scripts/setup.mjs`');

/** Both responses whole: the HTML page as served, the 1 MiB body by sha256; kcptun-server dialled the service once per stream. */
function expectBoth(r: TunnelResult, requests: string[], kind: string): void {
  expect(r.error).toBeUndefined();
  expect(r.kind).toBe(kind);
  const [page, big] = r.responses;
  expect(page).toMatchObject({ path: '/', status: 200, text: HTML });
  expect(big).toMatchObject({ path: '/big', status: 200, bodyBytes: BIG.length, sha256: BIG_SHA256 });
  expect(requests.sort()).toEqual(['GET /', 'GET /big']);
  expect(r.smux).toMatchObject({ streamsOpened: 2, protocolErrors: 0 });
  expect(r.corruptChunks ?? 0).toBe(0);
}

const DEBIAN: Array<{ name: string; crypt: string; smuxVersion: 1 | 2; compress: boolean; fec: boolean }> = [
  { name: 'smux v1 + snappy (its defaults), aes, FEC 10/3', crypt: 'aes', smuxVersion: 1, compress: true, fec: true },
  { name: 'smux v2, --nocomp, salsa20, FEC 10/3', crypt: 'salsa20', smuxVersion: 2, compress: false, fec: true },
  { name: 'smux v2 + snappy, aes, no FEC', crypt: 'aes', smuxVersion: 2, compress: true, fec: false },
  { name: 'smux v1, --nocomp, none, no FEC', crypt: 'none', smuxVersion: 1, compress: false, fec: false },
];

const serverFlags = (c: { crypt: string; smuxVersion: 1 | 2; compress: boolean; fec: boolean }): string[] => [
  '--key', KEY, '--mtu', '1200', '--crypt', c.crypt, '--smuxver', String(c.smuxVersion), ...(c.compress ? [] : ['--nocomp']), ...(c.fec ? [] : ['--datashard', '0', '--parityshard', '0']), '--quiet',
];

test.describe("Debian's kcptun-server", () => {
  test.skip(!hasKcptun, 'kcptun is not installed (node scripts/setup.mjs installs it)');
  for (const c of DEBIAN) {
    for (const transport of ['webtransport', 'webrtc'] as const) {
      // Every setting over WebTransport; WebRTC once, with kcptun's defaults.
      if (transport === 'webrtc' && c !== DEBIAN[0]) continue;
      test.describe(c.name, () => {
        test.use({ kcptunServer: { bin: 'kcptun-server', flags: serverFlags(c) } });
        test(`GET / and GET /big (1 MiB) on two streams through ${transport}`, async ({ tunnelPage, kcpRelay, http }) => {
          test.skip(transport === 'webtransport' && !hasHelper, `no WebTransport server: ${HELPER_BINARY} not built (node scripts/setup.mjs)`);
          const r = await httpThroughKcptun(tunnelPage, { relay: kcpRelay.url, transport, crypt: c.crypt, key: KEY, fec: c.fec, smuxVersion: c.smuxVersion, compress: c.compress, paths: ['/', '/big'] });
          expectBoth(r, http.requests, transport);
        });
      });
    }
  }
});

test.describe("kcptun's last release (interop/bin/kcptun2026)", () => {
  test.skip(!hasKcptun2026, 'interop/bin/kcptun2026 is missing (node scripts/setup.mjs builds it)');
  // Its defaults otherwise: smux v2 with 8 KiB frames, snappy, FEC 10/3.
  test.use({ kcptunServer: { bin: KCPTUN2026, flags: ['--key', KEY, '--mtu', '1200', '--crypt', 'aes-128-gcm', '--quiet'] } });
  test('aes-128-gcm, smux v2 + snappy: GET / and GET /big (1 MiB) on two streams', async ({ tunnelPage, kcpRelay, http }) => {
    const r = await httpThroughKcptun(tunnelPage, { relay: kcpRelay.url, crypt: 'aes-128-gcm', key: KEY, fec: true, smuxVersion: 2, compress: true, paths: ['/', '/big'] });
    expectBoth(r, http.requests, hasHelper ? 'webtransport' : 'webrtc');
  });
});

test.describe("the README's page example", () => {
  test.skip(!hasKcptun, 'kcptun is not installed (node scripts/setup.mjs installs it)');
  // The kcptun-server command its comment gives, on this test's addresses.
  const readmeArgs = /kcptun-server ([^\n(]+)/.exec(readmeKcptunBlock())![1]!.trim().split(/\s+/);
  const flags = readmeArgs.filter((a, i) => !['-l', '-t'].includes(a) && !['-l', '-t'].includes(readmeArgs[i - 1]!));
  test.use({ kcptunServer: { bin: 'kcptun-server', flags } });
  test('bundled by Vite as it stands, it prints the page behind kcptun-server', async ({ page, kcpRelay, kcpConsole, http }) => {
    const printed = page.waitForEvent('console', (m: ConsoleMessage) => m.text().includes('<title>behind kcptun</title>'));
    await page.goto(`${kcpRelay.url}readme/`);
    expect((await printed).text()).toBe(HTML);
    expect(http.requests).toEqual(['GET /']);
    expect(kcpConsole.filter((l) => l.includes('[pageerror]'))).toEqual([]);
  });
});

test.describe('bad frames from the server', () => {
  const snappyCorrupt = new SnappyFramer().frame(new Uint8Array([1, 2, 0, 0, 3, 0, 0, 0]));
  snappyCorrupt[snappyCorrupt.length - 1]! ^= 1; // the stored chunk's last byte: its CRC no longer matches
  const CASES = [
    // smux v1 over plain KCP: a frame with command 9.
    { name: 'an unknown smux command', reply: new Uint8Array([1, 9, 0, 0, 3, 0, 0, 0]), compress: false, why: /invalid protocol: unknown command 9/, counted: { protocolErrors: 1 } },
    // A v2 frame to a v1 session.
    { name: 'a frame of the other smux version', reply: new Uint8Array([2, 3, 0, 0, 0, 0, 0, 0]), compress: false, why: /invalid protocol: frame version 2/, counted: { protocolErrors: 1 } },
    { name: 'a snappy chunk whose checksum fails', reply: snappyCorrupt, compress: true, why: /snappy: checksum mismatch/, counted: { corruptChunks: 1 } },
  ];
  for (const c of CASES) {
    test.describe(c.name, () => {
      test.use({ kcptunServer: { hostile: c.reply } });
      test('closes the session saying why and is counted; the read rejects, nothing throws in the page', async ({ tunnelPage, kcpRelay, kcpConsole }) => {
        const r = await httpThroughKcptun(tunnelPage, { relay: kcpRelay.url, crypt: 'aes', key: KEY, fec: true, smuxVersion: 1, compress: c.compress, paths: ['/'] });
        expect(r.error).toMatch(c.why);
        expect(r.smuxError).toMatch(c.why);
        expect(r.responses).toEqual([]);
        if ('protocolErrors' in c.counted) expect(r.smux?.protocolErrors).toBe(1);
        else expect(r.corruptChunks).toBe(1);
        expect(kcpConsole.filter((l) => l.includes('[pageerror]'))).toEqual([]);
      });
    });
  }
});
