/**
 * A session that survives its transport, end to end in Debian's Chromium:
 * the page echoes 10 MB through the relay to the real kcp-go echo over
 * connect(url, { resilient }), and the transport is cut mid-transfer —
 * WebTransport by killing the relay's quic-go helper (the server side
 * gone), WebRTC by the relay dropping every datagram of its data channels
 * (a middlebox gone silent). The session moves to the next kind, presents
 * its resume credential, and finishes: sha256 equal, and kcp-go accepted
 * one session (its own count, printed on SIGTERM). The figures — time to
 * resume, the stall the byte stream saw, KCP's retransmissions on both
 * ends — are printed and kept as annotations.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { hasKcpPeer, startGoEcho, stopWithReport } from '../test/helpers/kcppeer.js';
import { hasChromium } from '../test/helpers/browser.js';
import { HELPER_BINARY } from '../src/relay/webtransport/go.js';
import { startRelay, type Relay } from '../src/relay/index.js';
import { pageDir } from './global-setup.js';
import { openPage } from './fixtures.js';

const BYTES = 10_000_000;
const KEY = 'resume-e2e';
const GO_FLAGS = ['--crypt', 'aes', '--key', KEY, '--datashard', '10', '--parityshard', '3', '--mtu', '1200', '--mode', 'fast'];
/** How long the page waits in silence before it gives a transport up (the default). */
const SILENCE_MS = 3000;

interface Echo {
  ok: boolean;
  kind: string;
  received: number;
  /** The page's performance.now() when the echo started. */
  startedAt: number;
  ms: number;
  changes: Array<{ from: string; to: string; reason: string; at: number; received: number }>;
  longestStall: { ms: number; endedAt: number };
  kcp: Record<string, number>;
  error?: string;
}

test.skip(!hasChromium, '/usr/bin/chromium missing: run `node scripts/setup.mjs`');
test.skip(!hasKcpPeer, 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`');
test.setTimeout(240_000);

/**
 * The quic-go helper this process's relay started: the newest live child of
 * this process named kcp-web-wt (a relay of an earlier test may still be
 * reaping its own).
 */
function helperPid(): number {
  let newest: { pid: number; started: number } | null = null;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
      if (!m || m[1] !== 'kcp-web-wt' || m[2] === 'Z' || Number(m[3]) !== process.pid) continue;
      // Field 22, the start time, counted after the parenthesised name.
      const started = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      if (!newest || started > newest.started) newest = { pid: Number(d), started };
    } catch {
      /* gone */
    }
  }
  if (!newest) throw new Error('no kcp-web-wt child of this process');
  return newest.pid;
}

/** Starts the echo in the page, cuts the transport once `cutAt` bytes came back, and waits for the end. */
async function echoWithCut(page: Page, relay: Relay, transports: string[], cut: (() => void) | null, cutAt = 3_000_000): Promise<{ echo: Echo; cutAtMs: number }> {
  await openPage(page, relay.url, 'runResilientEcho');
  const run = page.evaluate((c) => (globalThis as unknown as { runResilientEcho(c: object): Promise<Echo> }).runResilientEcho(c), { relay: relay.url, transports, key: KEY, bytes: BYTES, silence: SILENCE_MS });
  if (!cut) return { echo: await run, cutAtMs: NaN };
  let settled = false;
  void run.finally(() => (settled = true)).catch(() => {});
  await expect.poll(async () => settled || (await page.evaluate(() => (globalThis as unknown as { resumeProgress: { received: number } }).resumeProgress.received)) >= cutAt, { timeout: 120_000, intervals: [50] }).toBe(true);
  const cutAtMs = await page.evaluate(() => performance.now());
  cut();
  return { echo: await run, cutAtMs };
}

function report(name: string, echo: Echo, cutAtMs: number, goSnmp: Record<string, number>, sessions: number): void {
  const change = echo.changes[0];
  const moved = change && Number.isFinite(cutAtMs) ? `cut at ${Math.round(cutAtMs - echo.startedAt)} ms; ${change.from} → ${change.to} (${change.reason}) ${Math.round(echo.startedAt + change.at - cutAtMs)} ms after the cut, ${change.received} bytes in` : `no cut${change ? `; moved ${echo.changes.map((x) => `${x.from} → ${x.to} (${x.reason})`).join(', ')}` : ''}`;
  const line = `${name}: ${echo.received} bytes in ${Math.round(echo.ms)} ms; ${moved}; longest stall ${Math.round(echo.longestStall.ms)} ms; page KCP RetransSegs ${echo.kcp.RetransSegs} FastRetransSegs ${echo.kcp.FastRetransSegs} LostSegs ${echo.kcp.LostSegs} of OutSegs ${echo.kcp.OutSegs}; kcp-go RetransSegs ${goSnmp.RetransSegs} FastRetransSegs ${goSnmp.FastRetransSegs} LostSegs ${goSnmp.LostSegs} of OutSegs ${goSnmp.OutSegs}; kcp-go sessions ${sessions}`;
  console.log(line);
  test.info().annotations.push({ type: 'resume', description: line });
}

for (const c of [
  { name: 'WebTransport cut (quic-go helper killed) → WebRTC', transports: ['webtransport', 'webrtc'], from: 'webtransport', to: 'webrtc', needsHelper: true },
  { name: 'WebRTC cut (its datagrams dropped at the relay) → WebSocket', transports: ['webrtc', 'websocket'], from: 'webrtc', to: 'websocket', needsHelper: false },
  // The same transfers uncut: how much KCP resends on these paths anyway, beside what a cut adds.
  { name: 'no cut, WebTransport', transports: ['webtransport', 'webrtc'], from: null, to: null, needsHelper: true },
  { name: 'no cut, WebRTC', transports: ['webrtc', 'websocket'], from: null, to: null, needsHelper: false },
] as const) {
  test(`10 MB echoed through kcp-go, ${c.name}: sha256 equal, one kcp-go session`, async ({ page }) => {
    test.skip(c.needsHelper && !existsSync(HELPER_BINARY), `no WebTransport server: ${HELPER_BINARY} not built (node scripts/setup.mjs)`);
    const go = await startGoEcho(GO_FLAGS);
    let relay: Relay | undefined;
    let echo: Echo;
    let cutAtMs: number;
    let relayStats: Relay['stats'];
    try {
      relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', staticDir: pageDir(), websocket: true, webtransportServer: 'go' });
      const r = relay;
      const cut = c.from === 'webtransport' ? () => process.kill(helperPid(), 'SIGKILL') : c.from === 'webrtc' ? () => r._blackhole('webrtc') : null;
      ({ echo, cutAtMs } = await echoWithCut(page, r, [...c.transports], cut));
      relayStats = { ...relay.stats };
    } finally {
      await relay?.close();
    }
    const { snmp, sessions } = await stopWithReport(go);
    report(c.name, echo, cutAtMs, snmp, sessions);
    expect(echo.error).toBeUndefined();
    expect(echo.received).toBe(BYTES);
    expect(echo.ok, 'sha256 equal').toBe(true);
    // A loaded machine can stall a path past the silence limit even uncut: the session then moves on too, which is
    // no failure. What must hold: the cut made the move named, and every move was a resume of the same session.
    if (c.from) expect(echo.changes[0] && [echo.changes[0].from, echo.changes[0].to]).toEqual([c.from, c.to]);
    expect(relayStats.resumed).toBe(echo.changes.length);
    expect(relayStats.sessionsOpened, 'one upstream socket').toBe(1);
    expect(sessions, 'kcp-go accepted one session').toBe(1);
  });
}
