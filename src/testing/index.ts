/**
 * kcp-web/testing (Node only): what a project needs to test its own pages
 * against its kcp-go server through the kcp-web relay.
 *
 * With Playwright Test (an optional peer dependency):
 *
 *   import { test, expect } from 'kcp-web/testing';
 *   test.use({ kcpRelayOptions: { upstream: '127.0.0.1:29900' } });
 *   test('echo', async ({ kcpPage, kcpRelay }) => { … });
 *
 * Fixtures: `kcpRelay` (a relay on free ports in front of `upstream`, or of
 * an in-process kcp-web echo), `kcpPage` (a page where `import('kcp-web')`
 * works), `kcpConsole` (every page's console of the test). When a test
 * fails, the relay's log and counters and the pages' console are written
 * to its output directory (test-results/…) and attached to the report.
 *
 * Other runners: startTestRelay(), startEcho(), servePage(), sessionStats().
 */
import { writeFileSync } from 'node:fs';
import type {
  ConsoleMessage,
  Fixtures,
  JSHandle,
  Page,
  PlaywrightTestArgs,
  PlaywrightTestOptions,
  PlaywrightWorkerArgs,
  PlaywrightWorkerOptions,
  TestInfo,
  TestType,
  Expect,
} from '@playwright/test';
import { servePage, type PageServer } from './page.js';
import { startTestRelay, type SnmpCounters, type TestRelay, type TestRelayOptions } from './relay.js';

export { startEcho, startTestRelay, type Admission, type KcpEcho, type Netem, type SnmpCounters, type TestRelay, type TestRelayOptions } from './relay.js';
export { servePage, type PageServer } from './page.js';

/** A session's counters as read from the page: kcp-go's SNMP names, plus its smoothed RTT and RTO (ms). */
export type SessionStats = SnmpCounters & { srtt: number; rto: number };

/**
 * Reads the counters of a kcp-web Session living in a page, given a handle
 * to it (`await page.evaluateHandle(() => mySession)`).
 */
export function sessionStats(session: JSHandle<unknown>): Promise<SessionStats> {
  return session.evaluate((s) => {
    const x = s as { stats: Record<string, number>; srtt: number; rto: number };
    return { ...x.stats, srtt: x.srtt, rto: x.rto } as SessionStats;
  });
}

export interface KcpTestOptions {
  /** How `kcpRelay` starts: `upstream` (your kcp-go server), else an echo with `echo` options; admission, loss, delay. */
  kcpRelayOptions: TestRelayOptions;
}

export interface KcpFixtures extends KcpTestOptions {
  /** Where the relay forwards; defaults to `kcpRelayOptions.upstream`. Override it to start your server per test. */
  kcpUpstream: string | undefined;
  /** A relay on free loopback ports, closed after the test. */
  kcpRelay: TestRelay;
  /** Console lines and uncaught errors of every page in the test's context, in order. */
  kcpConsole: string[];
  /** `page`, opened on a blank page where `globalThis.kcpWeb` (and `import('kcp-web')`) is this package's browser build. */
  kcpPage: Page;
}

export interface KcpWorkerFixtures {
  kcpPageServer: PageServer;
}

type TestArgs = PlaywrightTestArgs & PlaywrightTestOptions;
type WorkerArgs = PlaywrightWorkerArgs & PlaywrightWorkerOptions;

const failed = (info: TestInfo) => info.status !== info.expectedStatus;

/** Writes `body` into the test's output directory (test-results/…) and attaches it to the report: for what a failed test should leave behind. */
export async function keepArtifact(info: TestInfo, name: string, body: string): Promise<void> {
  const path = info.outputPath(name);
  writeFileSync(path, body);
  await info.attach(name, { path, contentType: 'text/plain' });
}

/** The fixtures, for `base.extend(kcpFixtures)` onto a `test` of your own. */
export const kcpFixtures: Fixtures<KcpFixtures, KcpWorkerFixtures, TestArgs, WorkerArgs> = {
  kcpRelayOptions: [{}, { option: true }],
  kcpUpstream: async ({ kcpRelayOptions }, use) => use(kcpRelayOptions.upstream),
  kcpRelay: async ({ kcpRelayOptions, kcpUpstream }, use, info) => {
    const relay = await startTestRelay({ ...kcpRelayOptions, ...(kcpUpstream ? { upstream: kcpUpstream } : {}) });
    try {
      await use(relay);
    } finally {
      await relay.close();
      if (failed(info)) {
        await keepArtifact(info, 'relay.log', `${relay.log.join('\n')}\n`);
        await keepArtifact(info, 'relay-stats.json', `${JSON.stringify(relay.stats(), null, 2)}\n`);
        if (relay.echo) await keepArtifact(info, 'echo-snmp.json', `${JSON.stringify(relay.echo.stats(), null, 2)}\n`);
      }
    }
  },
  kcpConsole: async ({ context }, use, info) => {
    const lines: string[] = [];
    const started = Date.now();
    const at = () => `${((Date.now() - started) / 1000).toFixed(3).padStart(8)}s`;
    const watch = (p: Page) => {
      p.on('console', (m: ConsoleMessage) => lines.push(`${at()} [${m.type()}] ${m.text()}`));
      p.on('pageerror', (e: Error) => lines.push(`${at()} [pageerror] ${e.stack ?? e.message}`));
    };
    context.pages().forEach(watch);
    context.on('page', watch);
    await use(lines);
    if (failed(info)) await keepArtifact(info, 'console.log', `${lines.join('\n')}\n`);
  },
  kcpPageServer: [
    async ({}, use) => {
      const server = await servePage();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  kcpPage: async ({ page, kcpPageServer, kcpConsole }, use) => {
    await page.goto(kcpPageServer.url);
    await page.waitForFunction(() => 'kcpWeb' in globalThis, undefined, { timeout: 30_000 }).catch((e: Error) => {
      throw new Error(`kcp-web's browser build did not load in the page: ${e.message}\npage console:\n${kcpConsole.join('\n')}`);
    });
    await use(page);
  },
};

type KcpTest = TestType<TestArgs & KcpFixtures, WorkerArgs & KcpWorkerFixtures>;

// Loaded only if installed: the plain functions above serve other runners without it.
const playwright = await import('@playwright/test').catch(() => null);

function missing(): never {
  throw new Error("kcp-web/testing: `test` and `expect` need @playwright/test: npm install -D @playwright/test");
}

/** Playwright Test's `test` with the kcp-web fixtures. */
export const test: KcpTest = playwright ? playwright.test.extend<KcpFixtures, KcpWorkerFixtures>(kcpFixtures) : (new Proxy(missing, { get: missing, apply: missing }) as unknown as KcpTest);
/** Playwright Test's `expect`, re-exported so one import does. */
export const expect: Expect = playwright ? playwright.expect : (new Proxy(missing, { get: missing, apply: missing }) as unknown as Expect);
