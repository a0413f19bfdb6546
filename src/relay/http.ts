/**
 * The relay's HTTP side: a route table under /kcp-web/, CORS for pages on
 * other origins, bodies read within a limit, and static files for
 * everything else (the page, when the relay serves one).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/** An error that answers with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A handler for one "METHOD /path"; a rejected promise answers with its status (HttpError) or 500. */
export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** The request's URL; an unparsable target (e.g. "//[") reads as a path nothing matches. */
export function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://relay');
  } catch {
    return new URL('http://relay/.invalid');
  }
}

export function sendJson(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

export function sendText(res: ServerResponse, status: number, text?: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
}

/** The body as text; over `limit` bytes it rejects with 413 and drains the rest, so the client still reads the answer. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, `body over ${limit} bytes`));
        req.removeAllListeners('data');
        req.resume();
      } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** Serves files under `root` (index.html for a directory); null root: 404 for all. */
export function staticFiles(root: string | null): Route {
  return async (req, res) => {
    if (!root) return sendText(res, 404, 'not found');
    let decoded: string;
    try {
      decoded = decodeURIComponent(requestUrl(req).pathname);
    } catch {
      return sendText(res, 400, 'malformed path');
    }
    let file = normalize(join(root, decoded));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return void res.writeHead(403).end();
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      sendText(res, 404, 'not found');
    }
  };
}

/**
 * An HTTP server for `routes` ("GET /kcp-web/config" → handler), `fallback`
 * for other GETs, 405 for the rest. A request (headers and body) must
 * arrive whole within `timeoutMs`: slow-loris clients get 408.
 */
export function createHttpServer(routes: Map<string, Route>, fallback: Route, timeoutMs: number): Server {
  // Node checks request deadlines on an interval (30 s by default): often enough to honour ours.
  return createServer({ connectionsCheckingInterval: Math.min(1000, timeoutMs / 2), requestTimeout: timeoutMs, headersTimeout: timeoutMs }, (req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type, authorization' }).end();
      return;
    }
    const route = routes.get(`${req.method} ${requestUrl(req).pathname}`) ?? (req.method === 'GET' ? fallback : null);
    if (!route) return void res.writeHead(405).end();
    Promise.resolve()
      .then(() => route(req, res))
      .catch((e: Error) => {
        if (!res.headersSent) sendText(res, e instanceof HttpError ? e.status : 500, e.message);
      });
  });
}
