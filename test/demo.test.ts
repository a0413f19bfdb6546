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
    // Player A walks right; B must see A's x grow.
    await a.keyboard.down('d');
    await a.waitForTimeout(1500);
    await a.keyboard.up('d');
    await a.mouse.click(300, 200);
    const seenByB = await b.evaluate((id) => (globalThis as unknown as DemoWindow).demo.state()!.players.find((p) => p.id === id)!, me.id);
    assert.ok(seenByB.x > me.x + 40, `B saw A move from x=${me.x} to x=${seenByB.x}`);
    for (const p of pages) {
      await p.waitForTimeout(1200);
      const rtt = await p.textContent('#s-rtt');
      const bytes = await p.textContent('#s-bytes');
      const kind = await p.textContent('#s-kind');
      assert.match(rtt ?? '', /^\d+ ms$/);
      assert.match(bytes ?? '', /^[\d.]+ \/ [\d.]+$/);
      assert.ok(Number((bytes ?? '0').split(' / ')[0]) > 0, 'bytes are flowing');
      assert.match(kind ?? '', /WebTransport|WebRTC/);
    }
    mkdirSync(`${ROOT}test-results`, { recursive: true });
    await a.screenshot({ path: `${ROOT}test-results/demo.png` });

    // The WebSocket (TCP) fallback toggle: same game over KCP-in-WebSocket.
    await b.selectOption('#transport', 'websocket');
    await b.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('#s-kind')?.textContent === 'WebSocket (TCP)', undefined, { timeout: 15_000 });
    await b.waitForFunction(() => ((globalThis as unknown as DemoWindow).demo.state()?.players.length ?? 0) >= 2, undefined, { timeout: 15_000 });
  });
});
