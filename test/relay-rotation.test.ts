/**
 * The relay's self-signed WebTransport certificate is rotated before it
 * expires, with an overlap: the config publishes the served and the next
 * hash, pages pin both, and the next one is what gets served after the
 * switch. The clock is moved (injected), not waited for.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { startRelay, type Relay } from '../src/relay/index.js';
import { CertificateRotation, ROTATE_EVERY_MS } from '../src/relay/rotation.js';
import { HELPER_BINARY } from '../src/relay/webtransport/go.js';
import { udpListen } from '../src/transports/udp.js';
import { hasChromium, launchChromium, serveStatic } from './helpers/browser.js';

const DAY = 86_400_000;

describe('certificate rotation schedule (moved clock)', () => {
  it('serves the next certificate every 4 days and always publishes served + next', async () => {
    let now = 0;
    let made = 0;
    let served = 'h0';
    const pending: string[] = [];
    const swap = {
      prepareNext: async () => {
        const h = `h${++made}`;
        pending.push(h);
        return h;
      },
      promote: async () => (served = pending.shift()!),
    };
    const r = new CertificateRotation(swap, 'h0', () => now);
    await r.start();
    assert.deepEqual(r.hashes, ['h0', 'h1']);
    now = ROTATE_EVERY_MS - 1;
    assert.equal(await r.check(), false);
    assert.deepEqual(r.hashes, ['h0', 'h1']);
    now = ROTATE_EVERY_MS;
    assert.equal(await r.check(), true);
    assert.equal(served, 'h1', 'the certificate published as next is the one served after the switch');
    assert.deepEqual(r.hashes, ['h1', 'h2']);
    now += ROTATE_EVERY_MS;
    assert.equal(await r.check(), true);
    assert.deepEqual(r.hashes, ['h2', 'h3']);
    // Certificates live 10 days: each is served from 4 days after it was made until 8 days after.
    assert.ok(2 * ROTATE_EVERY_MS <= 10 * DAY - 2 * DAY);
  });

  it('a failed next certificate is retried, and the served one kept meanwhile', async () => {
    let now = 0;
    let fail = true;
    const errors: string[] = [];
    const swap = {
      prepareNext: async () => {
        if (fail) throw new Error('no x509');
        return 'n';
      },
      promote: async () => 'n',
    };
    const r = new CertificateRotation(swap, 'c', () => now, (e) => errors.push(e.message));
    await r.start();
    assert.deepEqual(r.hashes, ['c']);
    now = ROTATE_EVERY_MS;
    fail = false;
    assert.equal(await r.check(), false, 'first makes the next one');
    assert.deepEqual(r.hashes, ['c', 'n']);
    assert.equal(await r.check(), true);
    assert.deepEqual(errors, ['no x509']);
  });
});

const skip = !existsSync(HELPER_BINARY) ? `${HELPER_BINARY} not built (node scripts/setup.mjs)` : !hasChromium ? '/usr/bin/chromium missing' : false;

describe('certificate rotation in the Go helper, seen from Chromium', { skip }, () => {
  let now = Date.now();
  let relay: Relay;
  let upstream: Awaited<ReturnType<typeof udpListen>>;
  let browser: Browser;
  let server: Server;
  let page: Page;
  type Config = { webtransport: { port: number; path: string; certificateHash: string; certificateHashes: string[] } };
  const config = async () => ((await (await fetch(`${relay.url}kcp-web/config`)).json()) as Config).webtransport;

  before(async () => {
    upstream = await udpListen('127.0.0.1:0');
    relay = await startRelay({ upstream: upstream.localAddress, listen: '127.0.0.1:0', webtransportServer: 'go', _now: () => now });
    const dir = mkdtempSync(join(tmpdir(), 'kcp-web-rotation-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>rotation</title>');
    let url: string;
    ({ url, server } = await serveStatic(dir));
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(url);
  });
  after(async () => {
    await browser?.close();
    server?.close();
    await relay?.close();
    upstream?.close();
  });

  /** Opens a WebTransport session pinning `hashes`; 'ok' or the error. `keep` leaves it open under that name. */
  /** The page's WebTransport, as far as these checks use it (the test's types have no DOM). */
  type PageWT = { ready: Promise<void>; closed: Promise<unknown>; close(): void };
  type PageWTConstructor = new (url: string, init: object) => PageWT;
  const open = async (hashes: string[], keep?: string) => {
    const wt = await config();
    return page.evaluate(
      async ({ url, hashes, keep }) => {
        const WT = (globalThis as unknown as { WebTransport: PageWTConstructor }).WebTransport;
        const wt = new WT(url, { serverCertificateHashes: hashes.map((h) => ({ algorithm: 'sha-256', value: new Uint8Array(h) })) });
        try {
          await Promise.race([wt.ready, new Promise((_, j) => setTimeout(() => j(new Error('timeout')), 8000))]);
        } catch (e) {
          return String(e);
        }
        if (keep) (globalThis as unknown as Record<string, PageWT>)[keep] = wt;
        else wt.close();
        return 'ok';
      },
      // Bytes, not hex: a helper function defined in here would not survive the TS transform into the page.
      { url: `https://127.0.0.1:${wt.port}${wt.path}`, hashes: hashes.map((h) => [...Buffer.from(h, 'hex')]), keep },
    );
  };

  it('publishes the served and the next hash; after 4 days (moved clock) the next is served, without a restart', { timeout: 90_000 }, async () => {
    const before = await config();
    assert.equal(before.certificateHashes.length, 2);
    assert.equal(before.certificateHash, before.certificateHashes[0]);
    const [h0, h1] = before.certificateHashes as [string, string];
    assert.equal(await open([h0, h1], 'old'), 'ok', 'pinning both, as connect() does');
    assert.notEqual(await open([h1]), 'ok', 'the next certificate is not served yet');

    now += 3 * DAY;
    assert.equal(await relay._checkCertificates(), false, 'not due after 3 days');
    now += 1 * DAY + 60_000;
    assert.equal(await relay._checkCertificates(), true, 'rotated after 4 days');

    const afterwards = await config();
    assert.equal(afterwards.certificateHashes[0], h1, 'the published next one is served now');
    assert.equal(afterwards.certificateHashes.length, 2);
    assert.ok(![h0, h1].includes(afterwards.certificateHashes[1]!), 'a new next one is published');
    assert.equal(await open([h0, h1]), 'ok', 'a page that read the config before the switch still connects');
    assert.notEqual(await open([h0]), 'ok', 'the old certificate is no longer served');
    assert.equal(await open(afterwards.certificateHashes), 'ok');
    // The session opened before the switch is still open: the helper reloaded, it did not restart.
    const stillOpen = await page.evaluate(() =>
      Promise.race([
        (globalThis as unknown as Record<string, PageWT>).old!.closed.then(() => 'closed', () => 'closed'),
        new Promise((r) => setTimeout(() => r('open'), 500)),
      ]),
    );
    assert.equal(stillOpen, 'open');
    assert.match(relay.webtransport, /quic-go helper/);
  });
});
