/**
 * Bundles e2e/page with Vite once per run, as an app would bundle kcp-web,
 * into a temporary directory the relays serve; its path reaches the test
 * workers through KCP_WEB_E2E_PAGE. Two pages: index.html (the echo matrix,
 * lite entry) and tunnel.html (HTTP through a kcptun server, browser entry).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { noNodeBuiltins } from '../scripts/vite-plugins.js';
import { ROOT } from '../test/helpers/kcppeer.js';

export default async function globalSetup(): Promise<() => void> {
  const outDir = mkdtempSync(join(tmpdir(), 'kcp-web-e2e-'));
  await build({
    root: join(ROOT, 'e2e/page'),
    configFile: false,
    logLevel: 'warn',
    plugins: [noNodeBuiltins()],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      rollupOptions: { input: { index: join(ROOT, 'e2e/page/index.html'), tunnel: join(ROOT, 'e2e/page/tunnel.html') } },
    },
  });
  process.env.KCP_WEB_E2E_PAGE = outDir;
  return () => rmSync(outDir, { recursive: true, force: true });
}
