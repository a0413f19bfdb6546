/**
 * A blank page on loopback where `import('kcp-web')` loads this package's
 * browser build: tests that have no app page of their own (or no bundler)
 * can still drive kcp-web in a real browser. The build is served file by
 * file as the ES modules tsc wrote, named by an import map.
 */
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portOf } from './relay.js';

/** The directory holding the browser entry (index.js): beside this module's parent once built, else the package's dist/. */
function buildDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const besides = join(here, '..');
  if (existsSync(join(besides, 'index.js'))) return besides;
  const dist = join(here, '..', '..', 'dist');
  if (existsSync(join(dist, 'index.js'))) return dist;
  throw new Error(`kcp-web's browser build is missing (looked for index.js in ${besides} and ${dist}): run \`npm run build\` in kcp-web`);
}

const IMPORTS = { 'kcp-web': '/kcp-web/index.js', 'kcp-web/lite': '/kcp-web/lite.js', 'kcp-web/ciphers': '/kcp-web/core/crypt/ciphers.js' };

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>kcp-web test page</title>
<script type="importmap">${JSON.stringify({ imports: IMPORTS })}</script>
<script type="module">import * as kcp from 'kcp-web'; globalThis.kcpWeb = kcp;</script>
`;

export interface PageServer {
  /** Open this, then `await page.waitForFunction(() => 'kcpWeb' in globalThis)`, or `import('kcp-web')` in the page. */
  url: string;
  close(): Promise<void>;
}

/** Serves the blank page and the browser build on a free loopback port. */
export async function servePage(): Promise<PageServer> {
  const root = buildDir();
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    const file = normalize(join(root, decodeURIComponent(path.replace(/^\/kcp-web\//, '/'))));
    const ok = path.startsWith('/kcp-web/') && file.startsWith(root + sep) && (await stat(file).then((s) => s.isFile(), () => false));
    if (!ok) return void res.writeHead(404).end();
    const type = extname(file) === '.js' ? 'text/javascript' : extname(file) === '.map' ? 'application/json' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type }).end(await readFile(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${portOf(server.address())}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
