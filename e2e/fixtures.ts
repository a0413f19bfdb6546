/**
 * What the echo specs share: kcp-web/testing's fixtures with the real
 * kcp-go echo behind the relay, started per test with `goFlags` (its SNMP
 * counters kept beside the relay's log when the test fails), the relay
 * serving the pages the global setup bundled, and opening one of them.
 */
import type { Page } from '@playwright/test';
import { test as base, keepArtifact } from '../src/testing/index.js';
import { startGoEcho, stopWithCounters } from '../test/helpers/kcppeer.js';
import { pageDir } from './global-setup.js';

/** The kcp-go echo's flags for the pages' sessions (key e2e, MTU 1200): `crypt`, with FEC 10/3 or without. */
export const goFlags = (crypt: string, fec: boolean): string[] => ['--crypt', crypt, '--key', 'e2e', '--datashard', fec ? '10' : '0', '--parityshard', fec ? '3' : '0', '--mtu', '1200'];

export const test = base.extend<{ goFlags: string[] }>({
  goFlags: [goFlags('aes', true), { option: true }],
  kcpUpstream: async ({ goFlags }, use, info) => {
    const go = await startGoEcho(goFlags);
    try {
      await use(go.address);
    } finally {
      const snmp = await stopWithCounters(go);
      if (info.status !== info.expectedStatus) await keepArtifact(info, 'kcp-go-snmp.json', `${JSON.stringify({ flags: goFlags, snmp }, null, 2)}\n`);
    }
  },
  kcpRelayOptions: async ({}, use) => use({ relay: { staticDir: pageDir() } }),
});

/** Opens the bundled page at `url` and waits until it defines `fn`, the function its spec drives it through. */
export async function openPage(page: Page, url: string, fn: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction((fn) => typeof (globalThis as Record<string, unknown>)[fn] === 'function', fn);
}
