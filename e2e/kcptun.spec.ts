/**
 * Chromium → relay → kcptun server → TCP service, end to end: the
 * Vite-bundled tunnel page (e2e/page/tunnel.ts, kcp-web's browser entry)
 * dials a real kcptun server through the kcp-web relay, opens smux streams
 * over the one KCP session and sends an HTTP GET on each to a Node HTTP
 * server behind kcptun-server's --target: a small HTML page and a 1 MiB
 * random body, fetched at once on two streams, the body's sha256 compared.
 * Debian's kcptun-server (20210922) with smux v1 and v2, with and without
 * snappy, over WebTransport and WebRTC; kcptun's last release
 * (interop/bin/kcptun2026) with aes-128-gcm and its smux v2 defaults. A
 * hostile server's bad smux frames and snappy chunks close the page's
 * session, are counted, and raise nothing in the page.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import type { ConsoleMessage, Page } from '@playwright/test';
import { test as base, expect, keepArtifact } from '../src/testing/index.js';
import { hasChromium } from '../test/helpers/browser.js';
import { freeUdpPort, hasKcptun, hasKcptun2026, KCPTUN2026, startKcptun } from '../test/helpers/tunnel.js';
import { HELPER_BINARY } from '../src/relay/webtransport/go.js';
import { readmeKcptunBlock } from './global-setup.js';

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
}

/** The bundled page's window.httpThroughKcptun (e2e/page/tunnel.ts). */
const httpThroughKcptun = (page: Page, c: TunnelCase): Promise<TunnelResult> =>
  page.evaluate((c) => (globalThis as unknown as { httpThroughKcptun(c: object): Promise<TunnelResult> }).httpThroughKcptun(c), c);

const pageDir = (): string => {
  const dir = process.env.KCP_WEB_E2E_PAGE;
  if (!dir) throw new Error('KCP_WEB_E2E_PAGE is unset: run through playwright.config.ts, whose global setup bundles the page');
  return dir;
};

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

const test = base.extend<{ kcptunServer: { bin: string; flags: string[] }; http: Awaited<ReturnType<typeof startHttp>>; tunnelPage: Page }>({
  kcptunServer: [{ bin: 'kcptun-server', flags: [] }, { option: true }],
  http: async ({}, use) => {
    const http = await startHttp();
    await use(http);
    http.server.closeAllConnections();
    await new Promise((r) => http.server.close(r));
  },
  // The real kcptun server behind the relay, forwarding each stream to the HTTP service; its log is kept when the test fails.
  kcpUpstream: async ({ kcptunServer, http }, use, info) => {
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
