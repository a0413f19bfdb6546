/**
 * Bundles e2e/page with Vite once per run, as an app would bundle kcp-web,
 * into a temporary directory the relays serve; its path reaches the test
 * workers through KCP_WEB_E2E_PAGE. Pages: index.html (the echo matrix,
 * lite entry), tunnel.html (HTTP through a kcptun server, browser entry),
 * readme/ — the README's kcptun page example as it stands, its
 * `'kcp-web'` import resolved to the browser entry — and worker/
 * (e2e/worker-page: kcp-web/worker, its session worker a chunk of its own).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type InlineConfig } from 'vite';
import { noNodeBuiltins } from '../scripts/vite-plugins.js';
import { ROOT } from '../test/helpers/kcppeer.js';

/** In a test worker: the directory the global setup bundled the pages into. */
export function pageDir(): string {
  const dir = process.env.KCP_WEB_E2E_PAGE;
  if (!dir) throw new Error('KCP_WEB_E2E_PAGE is unset: run through playwright.config.ts, whose global setup bundles the pages');
  return dir;
}

/** The README's ```ts browser block that fetches through a kcptun server (e2e/kcptun.spec.ts runs it). */
export function readmeKcptunBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```ts browser\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('smuxClient(new SnappyConn('));
  if (!block) throw new Error("README.md has no ```ts browser block with smuxClient(new SnappyConn(…)): the kcptun page example e2e/kcptun.spec.ts runs");
  return block;
}

export default async function globalSetup(): Promise<() => void> {
  const outDir = mkdtempSync(join(tmpdir(), 'kcp-web-e2e-'));
  const common: InlineConfig = { configFile: false, logLevel: 'warn', plugins: [noNodeBuiltins()] };
  await build({
    ...common,
    root: join(ROOT, 'e2e/page'),
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      rollupOptions: { input: { index: join(ROOT, 'e2e/page/index.html'), tunnel: join(ROOT, 'e2e/page/tunnel.html') } },
    },
  });
  const readmeSrc = join(outDir, '.readme-src');
  mkdirSync(readmeSrc);
  writeFileSync(join(readmeSrc, 'main.ts'), readmeKcptunBlock());
  writeFileSync(join(readmeSrc, 'index.html'), '<!doctype html>\n<meta charset="utf-8" />\n<title>README: a kcptun server from a page</title>\n<script type="module" src="./main.ts"></script>\n');
  await build({
    ...common,
    root: readmeSrc,
    base: '/readme/',
    resolve: { alias: { 'kcp-web': join(ROOT, 'src/index.ts') } },
    build: { outDir: join(outDir, 'readme'), emptyOutDir: true, target: 'es2022' },
  });
  rmSync(readmeSrc, { recursive: true, force: true });
  // kcp-web/worker's page, under worker/: its session worker is bundled as a chunk of its own.
  await build({
    ...common,
    root: join(ROOT, 'e2e/worker-page'),
    base: '/worker/',
    build: { outDir: join(outDir, 'worker'), emptyOutDir: true, target: 'es2022' },
  });
  process.env.KCP_WEB_E2E_PAGE = outDir;
  return () => rmSync(outDir, { recursive: true, force: true });
}
