/**
 * Main-thread time per message, a session on the page against the same
 * session in a Worker (kcp-web/worker): Chromium echoes game-sized
 * messages through the relay (WebTransport) to the real kcp-go echo, and
 * CDP's Performance.getMetrics gives the page's main-thread TaskDuration
 * before and after. Alternating rounds, medians. Alone:
 * `node --import tsx bench/worker-main-thread.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium } from '../test/helpers/browser.js';
import { noNodeBuiltins } from '../scripts/vite-plugins.js';
import { startGoEcho } from '../test/helpers/kcppeer.js';
import { startRelay } from '../src/relay/index.js';

export interface MainThreadRow {
  mode: 'page' | 'worker';
  /** Median main-thread µs per echoed message. */
  usPerMessage: number;
  runs: number[];
}

type Bench = { open(mode: string, relay: string): Promise<string>; exchange(count: number, size: number, inFlight: number): Promise<number>; close(): void };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function workerMainThread(count: number, size: number, rounds: number, progress: (m: string) => void = () => {}): Promise<MainThreadRow[] | { skipped: string }> {
  const outDir = mkdtempSync(join(tmpdir(), 'kcp-web-worker-bench-'));
  await build({ root: fileURLToPath(new URL('worker-page/', import.meta.url)), configFile: false, logLevel: 'warn', plugins: [noNodeBuiltins()], build: { outDir, emptyOutDir: true, target: 'es2022' } });
  const go = await startGoEcho(['--crypt', 'aes', '--key', 'bench', '--datashard', '10', '--parityshard', '3', '--mtu', '1200']);
  const relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', staticDir: outDir });
  const browser = await launchChromium();
  try {
    if (relay.webtransport.startsWith('off')) return { skipped: `the relay offers no WebTransport: ${relay.webtransport}` };
    const runs: Record<'page' | 'worker', number[]> = { page: [], worker: [] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['page', 'worker'] as const) {
        const page = await browser.newPage();
        await page.goto(relay.url);
        await page.waitForFunction(() => 'workerBench' in globalThis);
        const call = <T>(fn: string, ...args: unknown[]) =>
          page.evaluate(([f, a]) => (globalThis as unknown as { workerBench: Record<string, (...x: unknown[]) => unknown> }).workerBench[f as string]!(...(a as unknown[])), [fn, args] as const) as Promise<T>;
        await call('open', mode, relay.url);
        await call('exchange', 200, size, 20); // warm-up: JIT, windows, the worker's start
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        const task = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')!.value;
        const before = await task();
        const t0 = performance.now();
        await call('exchange', count, size, 20);
        const wall = performance.now() - t0;
        const us = ((await task()) - before) * 1e6 / count;
        runs[mode].push(us);
        progress(`worker bench: ${mode} session, ${count} × ${size} B echoed in ${wall.toFixed(0)} ms, ${us.toFixed(1)} µs of main thread per message`);
        await call('close');
        await page.close();
      }
    }
    return (['page', 'worker'] as const).map((mode) => ({ mode, usPerMessage: median(runs[mode]), runs: runs[mode] }));
  } finally {
    await browser.close();
    await relay.close();
    go.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await workerMainThread(Number(process.env.BENCH_WORKER_MESSAGES ?? 5000), 100, 3, (m) => process.stderr.write(`${m}\n`));
  console.log(JSON.stringify(rows, null, 2));
}
