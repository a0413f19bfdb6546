/**
 * The core in real headless Chromium: a Vite bundle of the browser entry
 * runs kcp-go's cipher vectors and a kcp-web session echo for every cipher
 * × FEC {off, 10/3} over a lossy in-page pipe.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { ROOT } from './helpers/kcppeer.js';
import { hasChromium, launchChromium, serveStatic } from './helpers/browser.js';
import { noNodeBuiltins } from '../scripts/vite-plugins.js';

const skip = hasChromium ? false : '/usr/bin/chromium missing: run `node scripts/setup.mjs` (installs Debian chromium)';

describe('core in headless Chromium', { skip }, () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  before(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'kcp-web-page-'));
    await build({
      root: join(ROOT, 'test/browser'),
      configFile: false,
      logLevel: 'warn',
      plugins: [noNodeBuiltins()],
      build: { outDir, emptyOutDir: true, target: 'es2022' },
    });
    ({ url, server } = await serveStatic(outDir));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('runs vectors and every cipher × FEC session echo in the page', { timeout: 300_000 }, async (t) => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as { __results?: unknown }).__results !== undefined, undefined, { timeout: 280_000 });
    const results = (await page.evaluate(() => (globalThis as { __results?: unknown }).__results)) as Array<{ name: string; ok: boolean; detail?: string }>;
    assert.deepEqual(errors, []);
    assert.ok(results.length >= 13 + 4 + 28, `${results.length} checks ran in the page`);
    // Each in-page check is reported as its own test.
    for (const r of results) await t.test(`chromium: ${r.name}`, () => assert.ok(r.ok, r.detail));
  });
});
