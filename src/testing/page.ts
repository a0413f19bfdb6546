/**
 * A blank page on loopback where `import('kcp-web')` loads this package's
 * browser build: tests that have no app page of their own (or no bundler)
 * can still drive kcp-web in a real browser. The build is the single ES
 * module `npm run build` bundles from the browser entry (dist-browser/),
 * which carries its dependencies; an import map names it 'kcp-web'.
 */
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portOf } from './relay.js';

/** dist-browser/kcp-web.js at the package's root, two levels above this module in dist/ and in src/ alike. */
function bundlePath(): string {
  const file = fileURLToPath(new URL('../../dist-browser/kcp-web.js', import.meta.url));
  if (!existsSync(file)) throw new Error(`kcp-web's browser bundle is missing (${file}): run \`npm run build\` in kcp-web`);
  return file;
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>kcp-web test page</title>
<script type="importmap">${JSON.stringify({ imports: { 'kcp-web': '/kcp-web.js' } })}</script>
<script type="module">import * as kcp from 'kcp-web'; globalThis.kcpWeb = kcp;</script>
`;

export interface PageServer {
  /** Open this, then `await page.waitForFunction(() => 'kcpWeb' in globalThis)`, or `import('kcp-web')` in the page. */
  url: string;
  close(): Promise<void>;
}

/** Serves the blank page and the browser build on a free loopback port. */
export async function servePage(): Promise<PageServer> {
  const bundle = bundlePath();
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (path === '/kcp-web.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(bundle));
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${portOf(server.address())}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
