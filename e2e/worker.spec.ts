/**
 * kcp-web/worker in Debian's Chromium: the session runs in a dedicated
 * Worker (e2e/worker-page, bundled by Vite as an app would) and echoes
 * 1 MiB through the relay to the real kcp-go echo, sha256 equal — over
 * WebTransport opened inside the worker, for every cipher kcp-web has, and
 * over a WebRTC data channel that stays on the page and hands its
 * datagrams to the worker, and over WebSocket.
 */
import { existsSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect } from '../src/testing/index.js';
import { hasKcpPeer } from '../test/helpers/kcppeer.js';
import { hasChromium } from '../test/helpers/browser.js';
import { HELPER_BINARY } from '../src/relay/webtransport/go.js';
import { CRYPT_NAMES } from '../src/core/crypt/types.js';
import { pageDir } from './global-setup.js';
import { goFlags, openPage, test as base } from './fixtures.js';

const BYTES = 1 << 20;

interface EchoResult {
  ok: boolean;
  kind?: string;
  received: number;
  ms: number;
  outSegs?: number;
  error?: string;
}

const test = base.extend<{ workerPage: Page }>({
  kcpRelayOptions: async ({}, use) => use({ relay: { staticDir: pageDir(), websocket: true } }),
  workerPage: async ({ page, kcpRelay, kcpConsole }, use) => {
    void kcpConsole;
    await openPage(page, new URL('worker/', kcpRelay.url).toString(), 'runWorkerEcho');
    await use(page);
  },
});

const runWorkerEcho = (page: Page, c: object): Promise<EchoResult> =>
  page.evaluate((c) => (globalThis as unknown as { runWorkerEcho(c: object): Promise<EchoResult> }).runWorkerEcho(c), c);

test.skip(!hasChromium, '/usr/bin/chromium missing: run `node scripts/setup.mjs`');
test.skip(!hasKcpPeer, 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`');

for (const crypt of CRYPT_NAMES) {
  test.describe(`worker, crypt=${crypt}`, () => {
    test.use({ goFlags: goFlags(crypt, true) });
    test(`1 MiB echoed through WebTransport opened in the worker, FEC 10/3`, async ({ workerPage, kcpRelay }) => {
      test.skip(!existsSync(HELPER_BINARY), `no WebTransport server: ${HELPER_BINARY} not built (node scripts/setup.mjs)`);
      const r = await runWorkerEcho(workerPage, { relay: kcpRelay.url, transport: 'webtransport', crypt, key: 'e2e', fec: true, bytes: BYTES });
      expect(r.error).toBeUndefined();
      expect(r.kind).toBe('webtransport');
      expect(r.received).toBe(BYTES);
      expect(r.ok, 'sha256 equal').toBe(true);
      expect(r.outSegs, "the page reads the worker's counters").toBeGreaterThan(0);
    });
  });
}

for (const transport of ['webrtc', 'websocket'] as const) {
  test.describe(`worker over ${transport}`, () => {
    test.use({ goFlags: goFlags('salsa20', true) });
    // Loss at the relay is for the datagram pipe; WebSocket's TCP would only stall behind it.
    const loss = transport === 'webrtc' ? 0.1 : 0;
    test(`1 MiB echoed, salsa20, FEC 10/3, ${loss * 100}% loss at the relay`, async ({ workerPage, kcpRelay }) => {
      if (loss) await kcpRelay.netem({ loss });
      const r = await runWorkerEcho(workerPage, { relay: kcpRelay.url, transport, crypt: 'salsa20', key: 'e2e', fec: true, bytes: BYTES });
      expect(r.error).toBeUndefined();
      expect(r.kind).toBe(transport);
      expect(r.received).toBe(BYTES);
      expect(r.ok, 'sha256 equal').toBe(true);
      if (loss) expect(kcpRelay.stats().dropped, 'the relay dropped datagrams').toBeGreaterThan(0);
    });
  });
}
