/**
 * Firefox beside Chromium: Debian's firefox-esr, driven by puppeteer-core
 * over WebDriver BiDi (Playwright's own Firefox build cannot be fetched
 * here), loads the Vite-bundled e2e page and echoes 1 MiB through the relay
 * to the real kcp-go echo server over WebTransport and over WebRTC, for a
 * few ciphers with FEC 10/3, and with 10% loss each way at the relay.
 * A failed case keeps the page's console, the relay's counters and the
 * kcp-go peer's counters in test-results/firefox/<case>/.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ROOT, hasKcpPeer, startGoEcho, stopWithCounters, type ServerProcess } from './helpers/kcppeer.js';
import { startRelay, type Relay } from '../src/relay/index.js';
import { HELPER_BINARY } from '../src/relay/webtransport/go.js';
import { bundleEchoPage } from './helpers/browser.js';

export const FIREFOX = '/usr/bin/firefox-esr';

/**
 * Firefox leaves loopback out of ICE unless told (a test-only pref), and
 * hides host candidates behind mDNS names the relay's ICE agent cannot
 * resolve. WebTransport with serverCertificateHashes needs no pref in 153 ESR.
 */
export const FIREFOX_PREFS = {
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
};

const skip = !existsSync(FIREFOX) ? `${FIREFOX} missing: run \`node scripts/setup.mjs\`` : !hasKcpPeer ? 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`' : false;
const BYTES = 1 << 20;

interface EchoResult { ok: boolean; kind?: string; received: number; ms: number; error?: string }

/**
 * Waits for the page's echo, sampling its session and the relay every 5 s
 * into `samples` (kept with a failed case: they tell a stalled reader from
 * stopped timers), and gives up before the test's own timeout so the
 * samples are written.
 */
async function watchProgress(page: Page, echo: Promise<EchoResult>, samples: object[], relay: Relay): Promise<EchoResult> {
  const deadline = Date.now() + 100_000;
  let done = false;
  void echo.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    if (Date.now() > deadline) throw new Error(`no echo after 100 s; last sample ${JSON.stringify(samples.at(-1))}`);
    await Promise.race([echo.catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
    if (done) break;
    const p = await page.evaluate(() => (globalThis as unknown as { echoProgress(): object }).echoProgress()).catch((e: unknown) => ({ error: String(e) }));
    samples.push({ at: new Date().toISOString(), page: p, relay: { up: relay.stats.datagramsUp, down: relay.stats.datagramsDown, dropped: relay.stats.dropped } });
  }
  return echo;
}

describe('Firefox → relay → kcp-go', { skip }, () => {
  let browser: Browser;
  let page: Page;
  let pageDir: string;
  const consoleLines: string[] = [];
  const cleanup: Array<() => unknown> = [];

  before(async () => {
    pageDir = mkdtempSync(join(tmpdir(), 'kcp-web-firefox-'));
    cleanup.push(() => rmSync(pageDir, { recursive: true, force: true }));
    await bundleEchoPage(pageDir);
    browser = await puppeteer.launch({ browser: 'firefox', protocol: 'webDriverBiDi', executablePath: FIREFOX, headless: true, extraPrefsFirefox: FIREFOX_PREFS });
    page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
  });
  after(async () => {
    await browser?.close();
    for (const c of cleanup.reverse()) await c();
  });

  it('runs Firefox ESR', async () => {
    assert.match(await browser.version(), /firefox/i);
  });

  const cases: Array<{ crypt: 'aes' | 'salsa20' | 'null'; loss: number }> = [
    { crypt: 'aes', loss: 0 },
    { crypt: 'salsa20', loss: 0 },
    { crypt: 'null', loss: 0 },
    { crypt: 'aes', loss: 0.1 },
  ];
  for (const { crypt, loss } of cases) {
    describe(`crypt=${crypt} fec=10/3 loss ${loss * 100}%`, () => {
      let go: ServerProcess;
      let relay: Relay;
      const flags = ['--crypt', crypt, '--key', 'e2e', '--datashard', '10', '--parityshard', '3', '--mtu', '1200'];
      const start = async () => {
        go = await startGoEcho(flags);
        relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', staticDir: pageDir, loss });
        const [g, r] = [go, relay];
        cleanup.push(() => r.close(), () => g.stop());
      };
      before(start);
      for (const transport of ['webtransport', 'webrtc'] as const) {
        const wtSkip = transport === 'webtransport' && !existsSync(HELPER_BINARY) ? `${HELPER_BINARY} not built` : false;
        it(`1 MiB echoed through ${transport}`, { timeout: 120_000, skip: wtSkip }, async () => {
          consoleLines.length = 0;
          const droppedBefore = relay.stats.dropped;
          const progress: object[] = [];
          try {
            await page.goto(relay.url);
            await page.waitForFunction(() => typeof (globalThis as { runEcho?: unknown }).runEcho === 'function');
            const echo = page.evaluate(
              (c) => (globalThis as unknown as { runEcho(c: object): Promise<EchoResult> }).runEcho(c),
              { relay: relay.url, transport, crypt, key: 'e2e', fec: true, bytes: BYTES },
            );
            const r = await watchProgress(page, echo, progress, relay);
            assert.equal(r.error, undefined, r.error);
            assert.equal(r.kind, transport);
            assert.equal(r.received, BYTES);
            assert.ok(r.ok, 'sha256 equal');
            if (loss > 0) assert.ok(relay.stats.dropped > droppedBefore, 'the relay dropped datagrams');
          } catch (e) {
            // Keep what explains the failure; the peer prints its counters as it stops, so the next case gets a fresh pair.
            const dir = join(ROOT, 'test-results', 'firefox', `${crypt}-loss${loss * 100}-${transport}`);
            mkdirSync(dir, { recursive: true });
            writeFileSync(join(dir, 'console.log'), `${consoleLines.join('\n')}\n`);
            writeFileSync(join(dir, 'progress.json'), `${JSON.stringify(progress, null, 2)}\n`);
            writeFileSync(join(dir, 'relay-stats.json'), `${JSON.stringify({ url: relay.url, webtransport: relay.webtransport, stats: relay.stats }, null, 2)}\n`);
            writeFileSync(join(dir, 'kcp-go-snmp.json'), `${JSON.stringify({ flags, snmp: await stopWithCounters(go) }, null, 2)}\n`);
            await page.screenshot({ path: join(dir, 'screenshot.png') }).catch(() => undefined);
            await start();
            throw new Error(`${e instanceof Error ? e.message : String(e)} (console, relay and kcp-go counters in ${dir})`, { cause: e });
          }
        });
      }
    });
  }
});
