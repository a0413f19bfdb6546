/** Builds bench/page with Vite, serves it and opens it in headless Chromium, for the benches that run in the browser. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Page } from 'playwright-core';
import { launchChromium, serveStatic } from '../test/helpers/browser.js';
import { noNodeBuiltins } from '../scripts/vite-plugins.js';

/** Runs `use` on the bench page once `ready` (a global function's name) is defined, then closes everything. */
export async function withBenchPage<T>(ready: string, use: (page: Page) => Promise<T>): Promise<T> {
  const outDir = mkdtempSync(join(tmpdir(), 'kcp-web-bench-page-'));
  await build({ root: fileURLToPath(new URL('page/', import.meta.url)), configFile: false, logLevel: 'warn', plugins: [noNodeBuiltins()], build: { outDir, emptyOutDir: true, target: 'es2022' } });
  const { url, server } = await serveStatic(outDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction((name) => typeof (globalThis as Record<string, unknown>)[name] === 'function', ready);
    return await use(page);
  } finally {
    await browser.close();
    server.close();
  }
}
