/**
 * A kcp-web session in a background tab of Debian's Chromium, hidden and
 * frozen the way the browser does it (another tab in front; then
 * Page.setWebLifecycleState frozen, as Chromium freezes background tabs),
 * with intensive wake-up throttling enabled after 5 s instead of 5 minutes.
 * Driven through puppeteer-core: Playwright emulates focus on every page,
 * which keeps it visible. The page's session runs through the relay to
 * the real kcp-go echo over a WebRTC data channel.
 *
 * Before and after, in one test each:
 * - frozen for longer than the idle timeout: with idleClock 'wall' (the old
 *   behaviour) the first tick after the resume closes the session with an
 *   idle timeout although the peer never went away; with 'running' (the
 *   default) it goes on and echoes.
 * - hidden, timers throttled: with the page's setTimeout the session gets
 *   1 tick a second (here, with the data channel open, intensive throttling
 *   did not set in; a page without one got no tick for a minute); with the
 *   default runtime's Worker timer it keeps its pace. Both echo at 10% loss;
 *   the figures (ticks and echo times) are printed, not judged.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ROOT, hasKcpPeer, startGoEcho, type ServerProcess } from './helpers/kcppeer.js';
import { CHROMIUM, CHROMIUM_ARGS, hasChromium } from './helpers/browser.js';
import { noNodeBuiltins } from '../scripts/vite-plugins.js';
import { startRelay, type Relay } from '../src/relay/index.js';

const skip = !hasChromium ? `${CHROMIUM} missing: run \`node scripts/setup.mjs\`` : !hasKcpPeer ? 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`' : false;

interface State {
  open: boolean;
  stalls: number;
  error: string | null;
  visibility: string;
  ticks: { page: number; worker: number };
}
interface Echo {
  ok: boolean;
  received: number;
  ms: number;
  error?: string;
}
type Background = {
  open(c: object): Promise<string>;
  echo(bytes: number): Promise<Echo>;
  state(): State;
  close(): void;
};

const call = <T>(page: Page, name: keyof Background, arg?: unknown): Promise<T> =>
  page.evaluate((n, a) => (globalThis as unknown as { kcpBackground: Record<string, (a: unknown) => unknown> }).kcpBackground[n]!(a), name, arg) as Promise<T>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a session in a hidden, then frozen, Chromium tab', { skip, timeout: 600_000 }, () => {
  let browser: Browser;
  let go: ServerProcess;
  let relay: Relay;
  let pageDir: string;

  before(async () => {
    pageDir = mkdtempSync(join(tmpdir(), 'kcp-web-background-'));
    await build({ root: join(ROOT, 'test/background-page'), configFile: false, logLevel: 'warn', plugins: [noNodeBuiltins()], build: { outDir: pageDir, emptyOutDir: true, target: 'es2022' } });
    go = await startGoEcho(['--crypt', 'aes', '--key', 'background', '--mtu', '1200']);
    relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', staticDir: pageDir, webtransport: false });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, '--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/5'],
      // Puppeteer's defaults switch off exactly the throttling under test.
      ignoreDefaultArgs: ['--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows', '--disable-renderer-backgrounding'],
    });
  });
  after(async () => {
    await browser?.close();
    await relay?.close();
    go?.stop();
    if (pageDir) rmSync(pageDir, { recursive: true, force: true });
  });

  /** A fresh page with its session open, then hidden behind another tab. */
  async function hiddenSession(c: { timers: 'worker' | 'setTimeout'; idleClock: 'running' | 'wall'; idleTimeout: number }, through = relay): Promise<{ page: Page; cover: Page }> {
    const page = await browser.newPage();
    await page.goto(through.url);
    await page.waitForFunction(() => 'kcpBackground' in globalThis);
    assert.equal(await call(page, 'open', { relay: through.url, ...c }), 'webrtc');
    const first = await call<Echo>(page, 'echo', 1000);
    assert.ok(first.ok, `the session echoes before it is hidden: ${JSON.stringify(first)}`);
    const cover = await browser.newPage();
    await cover.bringToFront();
    for (let i = 0; i < 100 && (await call<State>(page, 'state')).visibility !== 'hidden'; i++) await sleep(50);
    assert.equal((await call<State>(page, 'state')).visibility, 'hidden');
    return { page, cover };
  }

  for (const idleClock of ['wall', 'running'] as const) {
    it(`frozen 8 s with a 3 s idle timeout, idleClock '${idleClock}': ${idleClock === 'wall' ? 'closed at the resume (before)' : 'goes on (after)'}`, async (t) => {
      const { page, cover } = await hiddenSession({ timers: 'worker', idleClock, idleTimeout: 3000 });
      try {
        const cdp = await page.createCDPSession();
        const before = await call<State>(page, 'state');
        await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
        await sleep(8000);
        await cdp.send('Page.setWebLifecycleState', { state: 'active' });
        // The overdue tick runs first; wait for its verdict before sending anything.
        let s = await call<State>(page, 'state');
        for (let i = 0; i < 200 && s.open && s.stalls === before.stalls; i++) {
          await sleep(50);
          s = await call<State>(page, 'state');
        }
        t.diagnostic(`page ticks during the freeze: ${s.ticks.page - before.ticks.page}, worker ticks: ${s.ticks.worker - before.ticks.worker}; stalls seen: ${s.stalls}; ${s.open ? 'open' : `closed: ${s.error}`}`);
        assert.ok(s.stalls > before.stalls, 'the session saw its tick come late');
        if (idleClock === 'wall') {
          assert.equal(s.open, false);
          assert.match(s.error ?? '', /idle timeout/);
          return;
        }
        assert.equal(s.open, true, s.error ?? '');
        const after = await call<Echo>(page, 'echo', 64 * 1024);
        assert.ok(after.ok, `the session echoes after the resume: ${JSON.stringify(after)}`);
      } finally {
        await call(page, 'close').catch(() => {});
        await cover.close();
        await page.close();
      }
    });
  }

  it('hidden with throttled timers: the page\'s setTimeout against the Worker timer, 256 KiB at 10% loss each', async (t) => {
    const lossy = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', staticDir: pageDir, webtransport: false, loss: 0.1 });
    try {
      for (const timers of ['setTimeout', 'worker'] as const) {
        const { page, cover } = await hiddenSession({ timers, idleClock: 'running', idleTimeout: 0 }, lossy);
        try {
          // Past the 5 s grace of intensive throttling, where it applies.
          await sleep(6000);
          const a = await call<State>(page, 'state');
          await sleep(3000);
          const b = await call<State>(page, 'state');
          const r = await call<Echo>(page, 'echo', 256 * 1024);
          t.diagnostic(`timers ${timers}: hidden, ${((b.ticks.page - a.ticks.page) / 3).toFixed(1)} page and ${((b.ticks.worker - a.ticks.worker) / 3).toFixed(1)} worker ticks/s; 256 KiB echoed in ${Math.round(r.ms)} ms (${r.ok ? 'sha equal' : JSON.stringify(r)})`);
          assert.ok(r.ok, JSON.stringify(r));
        } finally {
          await call(page, 'close').catch(() => {});
          await cover.close();
          await page.close();
        }
      }
    } finally {
      await lossy.close();
    }
  });
});
