/**
 * `npm start`'s demo, as a player sees it: the CLI starts the game server and
 * relay; two Chromium pages join, one moves, the other sees it move, and the
 * stats panel shows live figures. Saves a screenshot to test-results/demo.png.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ROOT, startServer, type ServerProcess } from './helpers/kcppeer.js';
import { hasChromium, launchChromium } from './helpers/browser.js';

const skip = hasChromium ? false : '/usr/bin/chromium missing: run `node scripts/setup.mjs`';

type DemoWindow = { demo: { state(): { you: number; players: Array<{ id: number; x: number; y: number }> } | null; kind(): string | null } };

describe('demo: two players in the arena', { skip }, () => {
  let demo: ServerProcess;
  let browser: Browser;
  before(async () => {
    demo = await startServer(process.execPath, ['--import', 'tsx', `${ROOT}demo/server.ts`, '--listen', '127.0.0.1:0'], /Open (http:\S+)/);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    demo?.stop();
  });

  it('each tab sees the other move; the panel shows live figures', { timeout: 60_000 }, async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const p = await browser.newPage({ viewport: { width: 1120, height: 640 } });
      await p.goto(demo.address);
      await p.waitForFunction(() => ((globalThis as unknown as DemoWindow).demo.state()?.players.length ?? 0) >= 1, undefined, { timeout: 20_000 });
      pages.push(p);
    }
    const [a, b] = pages as [Page, Page];
    await b.waitForFunction(() => ((globalThis as unknown as DemoWindow).demo.state()?.players.length ?? 0) >= 2, undefined, { timeout: 20_000 });
    const me = await a.evaluate(() => {
      const s = (globalThis as unknown as DemoWindow).demo.state()!;
      return s.players.find((p) => p.id === s.you)!;
    });
    // Player A walks right until B sees A's x grow (however long the machine takes to get there).
    // Keys go to the focused page: with two tabs in one browser, A must be the front one.
    await a.bringToFront();
    await a.keyboard.down('d');
    const seen = await b
      .waitForFunction(
        ([id, x]) => ((globalThis as unknown as DemoWindow).demo.state()?.players.find((p) => p.id === id)?.x ?? 0) > x + 40,
        [me.id, me.x] as const,
        { timeout: 60_000 },
      )
      .then(() => true, () => false);
    await a.keyboard.up('d');
    await a.mouse.click(300, 200);
    const seenByB = await b.evaluate((id) => (globalThis as unknown as DemoWindow).demo.state()!.players.find((p) => p.id === id)!, me.id);
    assert.ok(seen, `B saw A move from x=${me.x} to x=${seenByB.x} (needs > ${me.x + 40})`);
    for (const p of pages) {
      // The panel refreshes once a second and a figure may drop back to 0 between two reads:
      // wait for live figures and check the very texts that satisfied the wait.
      const panel = await p
        .waitForFunction(
          // No named helpers in here: the bundler would wrap them in a function the page does not have.
          () => {
            const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
            const texts = { rtt: doc.querySelector('#s-rtt')?.textContent ?? '', bytes: doc.querySelector('#s-bytes')?.textContent ?? '', kind: doc.querySelector('#s-kind')?.textContent ?? '' };
            return /^\d+ ms$/.test(texts.rtt) && Number(texts.bytes.split(' / ')[0]) > 0 ? texts : null;
          },
          undefined,
          { timeout: 15_000 },
        )
        .then(
          async (h) => (await h.jsonValue())!,
          async () => ({ rtt: await p.textContent('#s-rtt'), bytes: await p.textContent('#s-bytes'), kind: await p.textContent('#s-kind') }),
        );
      assert.match(panel.rtt ?? '', /^\d+ ms$/);
      assert.match(panel.bytes ?? '', /^[\d.]+ \/ [\d.]+$/);
      assert.ok(Number((panel.bytes ?? '0').split(' / ')[0]) > 0, `bytes are flowing: ${panel.bytes}`);
      assert.match(panel.kind ?? '', /WebTransport|WebRTC/);
    }
    mkdirSync(`${ROOT}test-results`, { recursive: true });
    await a.screenshot({ path: `${ROOT}test-results/demo.png` });

    // The WebSocket (TCP) fallback toggle: same game over KCP-in-WebSocket.
    await b.selectOption('#transport', 'websocket');
    await b.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('#s-kind')?.textContent === 'WebSocket (TCP)', undefined, { timeout: 15_000 });
    await b.waitForFunction(() => ((globalThis as unknown as DemoWindow).demo.state()?.players.length ?? 0) >= 2, undefined, { timeout: 15_000 });
  });
});
