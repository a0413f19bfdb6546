/**
 * A fleet: three `kcp-web relay` processes behind nginx, on hosts in network
 * namespaces of their own, forwarding to two kcp-go echo servers (game
 * servers A and B, each with its own key). Clients on a client host open
 * sessions through the balancer — WebSocket through nginx, WebRTC signaled
 * through nginx with media on the answering relay's own UDP port — each with a
 * ticket naming A or B. The test checks the sessions spread over the three
 * relays, kills one relay, sees its clients reopen through the other two, and
 * checks each kcp-go saw only its own sessions: a datagram routed to the
 * wrong one would fail its checksum (other key), and each counts exactly the
 * sessions opened to it.
 *
 * A page as users get it: headless Chromium on the client host loads the
 * echo page from the balancer (nginx serves it), fetches the config through
 * the balancer, and echoes 1 MiB through kcp-go over WebTransport, dialed
 * straight at the relay that answered its config (each relay runs with
 * --public-webtransport naming its own address), then over WebRTC.
 *
 * Small here (FLEET_SESSIONS, default 12); `npm run fleet` runs it at full size.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { mintTicket, ticketKeyPair } from '../src/ticket.js';
import { fleetUnavailable, nginxConfig, NGINX, TestNet } from './helpers/fleet.js';
import { hasKcpPeer, KCPPEER, ROOT, stopWithReport } from './helpers/kcppeer.js';
import type { FleetClientConfig } from './fixtures/fleet-client.js';
import type { EchoCase, Echoed } from '../e2e/page/common.js';
import { bundleEchoPage, CHROMIUM, hasChromium, launchChromium } from './helpers/browser.js';

const SESSIONS = Number(process.env.FLEET_SESSIONS ?? 12);
const RELAYS = 3;
const PORT = 8080;
const unavailable = hasKcpPeer ? fleetUnavailable() : 'interop/bin/kcppeer missing (node scripts/setup.mjs)';
/** What the page echoes through each of its sessions. */
const PAGE_BYTES = 1 << 20;

/** Resolves with the first stdout line matching `re` (group 1), or rejects with the child's stderr if it exits first. */
function lineOf(child: ChildProcess, re: RegExp, what: string): Promise<string> {
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready: ${stderr}`)));
    lines.on('line', (l) => {
      const m = re.exec(l);
      if (m) resolve(m[1] ?? l);
    });
  });
}

const kcpFlags = (key: string) => ['--crypt', 'aes', '--key', key, '--datashard', '0', '--parityshard', '0', '--mtu', '1200'];

describe(`fleet: ${RELAYS} relays behind nginx, two kcp-go game servers, ${SESSIONS} sessions`, { skip: unavailable ?? false }, () => {
  let net: TestNet;
  const dir = mkdtempSync(join(tmpdir(), 'kcp-web-fleet-'));
  const relays: ChildProcess[] = [];
  const relayUrls: string[] = [];
  let relayIps: string[];
  /** Each relay's WebTransport, as its start-up line names it. */
  const relayWt: string[] = [];
  let balancer: string;
  let ticketKeys: ReturnType<typeof ticketKeyPair>;
  let browser: Browser | undefined;
  const upstreams: Record<'A' | 'B', { child: ChildProcess; address: string; key: string }> = {} as never;
  let client: ChildProcess;
  let ask: (command: string) => Promise<Record<string, unknown>>;
  const opened = { A: 0, B: 0 };

  before(async () => {
    net = new TestNet();
    const lbIp = net.addHost('lb', 2);
    relayIps = Array.from({ length: RELAYS }, (_, i) => net.addHost(`r${i + 1}`, 11 + i));
    const upIps = { A: net.addHost('upa', 21), B: net.addHost('upb', 22) };
    const clientIp = net.addHost('client', 100);
    for (const name of ['A', 'B'] as const) {
      const key = `fleet-${name}`;
      const child = net.spawn(`up${name.toLowerCase()}`, KCPPEER, ['echo', '--listen', `${upIps[name]}:29900`, ...kcpFlags(key)]);
      upstreams[name] = { child, address: await lineOf(child, /^listening (\S+)/, `kcp-go echo ${name}`), key };
    }
    const keys = (ticketKeys = ticketKeyPair());
    for (const [i, ip] of relayIps.entries()) {
      const relay = net.spawn(`r${i + 1}`, process.execPath, [
        `${ROOT}bin/kcp-web.js`, 'relay', '--listen', `0.0.0.0:${PORT}`, '--ticket-key', keys.publicKey,
        // Only the two game servers' host range and port; every ticket names one.
        '--allow', `${upIps.A.replace(/\d+$/, '20')}/30:29900`,
        '--rtc-ports', '40000-40999', '--websocket',
        // Pages pin the certificate of the relay that answered their config, so they dial that relay, not the balancer.
        '--public-webtransport', `${ip}:${PORT}`,
        // The balancer names the client (X-Forwarded-For); every client here runs on one host, whose address is capped.
        '--trust-proxy', lbIp,
        '--max-per-address', String(Math.max(20, SESSIONS * 2)), '--max-sessions', String(Math.max(1000, SESSIONS * 2)),
      ]);
      relays.push(relay);
      relayUrls.push(`http://${ip}:${PORT}/`);
      // Printed once it is up: its WebTransport server, or why it has none.
      relayWt.push(await lineOf(relay, /^\s+WebTransport: (.*)/, `relay ${i + 1}`));
    }
    // The page nginx serves; its workers run as nobody, so the directories are opened to them.
    const pages = join(dir, 'page');
    await bundleEchoPage(pages);
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig({ relays: relayIps.map((ip) => `${ip}:${PORT}`), listen: PORT, prefix: dir, pages }));
    const nginx = net.spawn('lb', NGINX, ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf')]);
    let nginxErr = '';
    nginx.stderr!.on('data', (d) => (nginxErr += d));
    nginx.once('exit', (code) => code !== null && code !== 0 && console.error(`nginx exited ${code}: ${nginxErr}`));

    const sessions: FleetClientConfig['sessions'] = Array.from({ length: SESSIONS }, (_, i) => {
      const to = i % 2 === 0 ? 'A' : 'B';
      return { ticket: mintTicket(keys.secretKey, { ttlSeconds: 3600, upstream: upstreams[to].address }), key: upstreams[to].key, kind: (i >> 1) % 2 === 0 ? 'websocket' : 'webrtc' };
    });
    balancer = `http://${lbIp}:${PORT}/`;
    const config: FleetClientConfig = { balancer, relays: relayUrls, clientIp, sessions, echoBytes: 2048, parallel: 8 };
    client = net.spawn('client', process.execPath, ['--import', 'tsx', `${ROOT}test/fixtures/fleet-client.ts`, JSON.stringify(config)]);
    let clientErr = '';
    client.stderr!.on('data', (d) => (clientErr += d));
    const replies = createInterface({ input: client.stdout! })[Symbol.asyncIterator]();
    ask = async (command) => {
      client.stdin!.write(`${command}\n`);
      const next = await replies.next();
      if (next.done) throw new Error(`fleet client ended: ${clientErr}`);
      const r = JSON.parse(next.value) as Record<string, unknown>;
      if (r.error) throw new Error(`fleet client, ${command}: ${String(r.error)}`);
      return r;
    };
    for (const s of sessions) opened[s.key === upstreams.A.key ? 'A' : 'B']++;
  });

  after(async () => {
    await browser?.close();
    net?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  type Stats = { sessionsActive: number; sessionsOpened: number; bytesUp: number; sessionsByUpstream: Record<string, number>; refused: number } | null;
  const relayStats = async () => (await ask('stats')).relays as Stats[];

  it('sessions opened through nginx echo through kcp-go and spread over the three relays', { timeout: 300_000 }, async () => {
    const r = await ask('open');
    assert.equal(r.echoed, SESSIONS, 'every session echoed');
    const stats = await relayStats();
    const active = stats.map((s) => s?.sessionsActive ?? 0);
    console.log(`# sessions per relay: ${active.join(', ')}`);
    assert.equal(active.reduce((a, b) => a + b, 0), SESSIONS);
    for (const [i, n] of active.entries()) assert.ok(n > 0, `relay ${i + 1} carries sessions`);
    // Each relay forwarded only to the two game servers, by ticket.
    for (const s of stats) for (const to of Object.keys(s!.sessionsByUpstream)) assert.ok([upstreams.A.address, upstreams.B.address].includes(to), to);
  });

  it('one relay killed: its clients reopen through the other two', { timeout: 300_000 }, async () => {
    const before = await relayStats();
    const lost = before[1]!.sessionsActive;
    relays[1]!.kill('SIGKILL');
    await new Promise((r) => relays[1]!.once('exit', r));
    const r = await ask('recover');
    console.log(`# relay 2 carried ${lost}; reopened ${String(r.reopened)}`);
    assert.equal(r.echoed, SESSIONS, 'every session echoes again');
    assert.ok((r.reopened as number) >= lost, 'at least the killed relay\'s sessions were reopened');
    const after = await relayStats();
    assert.equal(after[1], null, 'relay 2 is gone');
    const grown = [0, 2].map((i) => after[i]!.sessionsOpened - before[i]!.sessionsOpened);
    assert.equal(grown[0]! + grown[1]!, r.reopened, 'every reopened session went to a surviving relay');
    // Tally the sessions per game server, for the last check.
    const byUpstream: Record<string, number> = {};
    for (const s of [before[1], ...[0, 2].map((i) => after[i])]) for (const [to, n] of Object.entries(s!.sessionsByUpstream)) byUpstream[to] = (byUpstream[to] ?? 0) + n;
    assert.equal(byUpstream[upstreams.A.address]! + byUpstream[upstreams.B.address]!, SESSIONS + (r.reopened as number));
    opened.A = byUpstream[upstreams.A.address]!;
    opened.B = byUpstream[upstreams.B.address]!;
  });

  /** How one relay's counters moved over a page's echo (null: the relay is gone). */
  type Grew = { opened: number; bytesUp: number } | null;
  type PageConfig = { webtransport?: { host?: string; port: number } };

  /**
   * Opens a fresh page from the balancer and echoes PAGE_BYTES through game
   * server `to` over `transport`. Returns the echo, the configs the page
   * fetched, the WebTransport URLs it dialed (seen by DevTools, not by the
   * page) and how each relay's counters moved.
   */
  async function pageEcho(transport: 'webtransport' | 'webrtc', to: 'A' | 'B') {
    // A page served over plain HTTP from a non-loopback address is no secure context, and WebTransport
    // and crypto.subtle exist only in one; a deployment serves it over HTTPS.
    browser ??= await launchChromium({ executablePath: net.wrapper('client', CHROMIUM, dir), args: [`--unsafely-treat-insecure-origin-as-secure=${new URL(balancer).origin}`] });
    const page = await browser.newPage();
    try {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      const dialed: string[] = [];
      cdp.on('Network.webTransportCreated', (e) => dialed.push(e.url));
      const configs: Array<Promise<PageConfig>> = [];
      page.on('response', (r) => {
        if (new URL(r.url()).pathname === '/kcp-web/config') configs.push(r.json() as Promise<PageConfig>);
      });
      await page.goto(balancer);
      await page.waitForFunction(() => typeof (globalThis as { runEcho?: unknown }).runEcho === 'function');
      const before = await relayStats();
      const ticket = mintTicket(ticketKeys.secretKey, { ttlSeconds: 600, upstream: upstreams[to].address });
      const c: EchoCase = { relay: balancer, transport, crypt: 'aes', key: upstreams[to].key, fec: false, bytes: PAGE_BYTES, token: ticket };
      const echoed = await page.evaluate((c) => (globalThis as unknown as { runEcho(c: EchoCase): Promise<Echoed & { kind?: string }> }).runEcho(c), c);
      const after = await relayStats();
      const grew: Grew[] = after.map((s, i) => (s && before[i] ? { opened: s.sessionsOpened - before[i].sessionsOpened, bytesUp: s.bytesUp - before[i].bytesUp } : null));
      // The game server saw these sessions too.
      for (const [i, s] of after.entries()) if (s && before[i]) opened[to] += (s.sessionsByUpstream[upstreams[to].address] ?? 0) - (before[i].sessionsByUpstream[upstreams[to].address] ?? 0);
      return { echoed, configs: await Promise.all(configs), dialed, grew };
    } finally {
      await page.close();
    }
  }

  const chromiumSkip = hasChromium ? false : `${CHROMIUM} missing`;

  it(`Chromium on the client host, its page from the balancer: ${PAGE_BYTES >> 10} KiB through kcp-go over WebTransport, dialed at the relay its config named`, { skip: chromiumSkip, timeout: 120_000 }, async (t) => {
    const off = relayWt.find((w) => w.startsWith('off'));
    if (off) return t.skip(`a relay has no WebTransport: ${off}`);
    const r = await pageEcho('webtransport', 'A');
    assert.equal(r.echoed.error, undefined, r.echoed.error);
    assert.equal(r.echoed.kind, 'webtransport');
    assert.equal(r.echoed.received, PAGE_BYTES);
    assert.ok(r.echoed.ok, 'the echo has the sha256 of what the page sent');
    assert.equal(r.configs.length, 1, 'the page fetched one config, through the balancer');
    const named = r.configs[0]!.webtransport;
    assert.ok(named?.host !== undefined && relayIps.includes(named.host), `the config names a relay's own address: ${JSON.stringify(named)}`);
    assert.equal(named.port, PORT);
    assert.equal(r.dialed.length, 1, 'the page dialed one WebTransport session');
    const url = new URL(r.dialed[0]!);
    assert.equal(url.host, `${named.host}:${PORT}`, 'the page dialed the host and port its config named');
    const at = relayIps.indexOf(url.hostname);
    console.log(`# page dialed relay ${at + 1} at ${url.host}; sessions opened per relay: ${r.grew.map((g) => g?.opened ?? '-').join(', ')}`);
    r.grew.forEach((g, i) => g && assert.equal(g.opened, i === at ? 1 : 0, `relay ${i + 1} ${i === at ? 'carried' : 'did not carry'} the session`));
    assert.ok(r.grew[at]!.bytesUp >= PAGE_BYTES, 'the dialed relay forwarded the echo');
  });

  it(`Chromium on the client host: ${PAGE_BYTES >> 10} KiB through kcp-go over WebRTC, signaled through the balancer`, { skip: chromiumSkip, timeout: 120_000 }, async () => {
    const r = await pageEcho('webrtc', 'B');
    assert.equal(r.echoed.error, undefined, r.echoed.error);
    assert.equal(r.echoed.kind, 'webrtc');
    assert.equal(r.echoed.received, PAGE_BYTES);
    assert.ok(r.echoed.ok, 'the echo has the sha256 of what the page sent');
    const carried = r.grew.flatMap((g, i) => (g?.opened ? [i] : []));
    console.log(`# WebRTC session on relay ${carried.map((i) => i + 1).join(', ')}`);
    assert.equal(carried.length, 1, 'one relay carried the session');
    assert.equal(r.grew[carried[0]!]!.opened, 1);
    assert.ok(r.grew[carried[0]!]!.bytesUp >= PAGE_BYTES, 'the answering relay forwarded the echo');
  });

  it('each kcp-go game server saw only its own sessions', { timeout: 60_000 }, async () => {
    await ask('close');
    for (const name of ['A', 'B'] as const) {
      const { child, address } = upstreams[name];
      const { snmp, sessions } = await stopWithReport({ child, address, stop: () => child.kill('SIGKILL') });
      assert.equal(snmp.InCsumErrors ?? 0, 0, `${name}: no datagram failed its checksum (none keyed for the other server)`);
      assert.equal(sessions, opened[name], `${name}: accepted exactly the sessions whose tickets named it`);
      assert.equal(snmp.PassiveOpens, opened[name]);
    }
  });

  it('docs/deploy.md shows the configuration this test ran', () => {
    const doc = readFileSync(`${ROOT}docs/deploy.md`, 'utf8');
    const documented = nginxConfig({ relays: ['10.0.1.11:8080', '10.0.1.12:8080', '10.0.1.13:8080'], listen: 80, prefix: '/var/lib/kcp-web-lb', pages: '/var/www/kcp-web' });
    assert.ok(doc.includes(documented), 'docs/deploy.md holds nginxConfig() for its example addresses');
  });
});
