/**
 * Headless Debian Chromium driven by playwright-core (no browser download),
 * with the flags these loopback-only, root-run machines need, the e2e echo
 * page bundled as an app would bundle it, and a static file server for
 * bundled test pages.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { noNodeBuiltins } from '../../scripts/vite-plugins.js';
import { ROOT } from './kcppeer.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** `executablePath` may be a wrapper that execs Chromium (e.g. inside a network namespace); `args` are added to CHROMIUM_ARGS. */
export function launchChromium(o: { executablePath?: string; args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: o.executablePath ?? CHROMIUM, args: [...CHROMIUM_ARGS, ...(o.args ?? [])] });
}

/** Bundles e2e/page (the echo page: window.runEcho) into `outDir` with Vite. */
export async function bundleEchoPage(outDir: string): Promise<void> {
  // Imported here: the suites that only launch Chromium need no Vite.
  const { build } = await import('vite');
  await build({ root: join(ROOT, 'e2e/page'), configFile: false, logLevel: 'warn', plugins: [noNodeBuiltins()], build: { outDir, emptyOutDir: true, target: 'es2022' } });
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.map': 'application/json' };

/** Serves `dir` on 127.0.0.1 (random port). */
export async function serveStatic(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}
