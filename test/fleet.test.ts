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
 * Small here (FLEET_SESSIONS, default 12); `npm run fleet` runs it at full size.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { mintTicket, ticketKeyPair } from '../src/ticket.js';
import { fleetUnavailable, nginxConfig, NGINX, TestNet } from './helpers/fleet.js';
import { hasKcpPeer, KCPPEER, ROOT, stopWithReport } from './helpers/kcppeer.js';
import type { FleetClientConfig } from './fixtures/fleet-client.js';

const SESSIONS = Number(process.env.FLEET_SESSIONS ?? 12);
const RELAYS = 3;
const PORT = 8080;
const unavailable = hasKcpPeer ? fleetUnavailable() : 'interop/bin/kcppeer missing (node scripts/setup.mjs)';

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
  const upstreams: Record<'A' | 'B', { child: ChildProcess; address: string; key: string }> = {} as never;
  let client: ChildProcess;
  let ask: (command: string) => Promise<Record<string, unknown>>;
  const opened = { A: 0, B: 0 };

  before(async () => {
    net = new TestNet();
    const lbIp = net.addHost('lb', 2);
    const relayIps = Array.from({ length: RELAYS }, (_, i) => net.addHost(`r${i + 1}`, 11 + i));
    const upIps = { A: net.addHost('upa', 21), B: net.addHost('upb', 22) };
    const clientIp = net.addHost('client', 100);
    for (const name of ['A', 'B'] as const) {
      const key = `fleet-${name}`;
      const child = net.spawn(`up${name.toLowerCase()}`, KCPPEER, ['echo', '--listen', `${upIps[name]}:29900`, ...kcpFlags(key)]);
      upstreams[name] = { child, address: await lineOf(child, /^listening (\S+)/, `kcp-go echo ${name}`), key };
    }
    const keys = ticketKeyPair();
    for (const [i, ip] of relayIps.entries()) {
      const relay = net.spawn(`r${i + 1}`, process.execPath, [
        `${ROOT}bin/kcp-web.js`, 'relay', '--listen', `0.0.0.0:${PORT}`, '--ticket-key', keys.publicKey,
        // Only the two game servers' host range and port; every ticket names one.
        '--allow', `${upIps.A.replace(/\d+$/, '20')}/30:29900`,
        '--rtc-ports', '40000-40999', '--websocket', '--webtransport', 'off',
        // The balancer names the client (X-Forwarded-For); every client here runs on one host, whose address is capped.
        '--trust-proxy', lbIp,
        '--max-per-address', String(Math.max(20, SESSIONS * 2)), '--max-sessions', String(Math.max(1000, SESSIONS * 2)),
      ]);
      relays.push(relay);
      relayUrls.push(`http://${ip}:${PORT}/`);
      await lineOf(relay, /^(kcp-web relay on .*)/, `relay ${i + 1}`);
    }
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig({ relays: relayIps.map((ip) => `${ip}:${PORT}`), listen: PORT, prefix: dir }));
    const nginx = net.spawn('lb', NGINX, ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf')]);
    let nginxErr = '';
    nginx.stderr!.on('data', (d) => (nginxErr += d));
    nginx.once('exit', (code) => code !== null && code !== 0 && console.error(`nginx exited ${code}: ${nginxErr}`));

    const sessions: FleetClientConfig['sessions'] = Array.from({ length: SESSIONS }, (_, i) => {
      const to = i % 2 === 0 ? 'A' : 'B';
      return { ticket: mintTicket(keys.secretKey, { ttlSeconds: 3600, upstream: upstreams[to].address }), key: upstreams[to].key, kind: (i >> 1) % 2 === 0 ? 'websocket' : 'webrtc' };
    });
    const config: FleetClientConfig = { balancer: `http://${lbIp}:${PORT}/`, relays: relayUrls, clientIp, sessions, echoBytes: 2048, parallel: 8 };
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

  after(() => {
    net?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  type Stats = { sessionsActive: number; sessionsOpened: number; sessionsByUpstream: Record<string, number>; refused: number } | null;
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
    const documented = nginxConfig({ relays: ['10.0.1.11:8080', '10.0.1.12:8080', '10.0.1.13:8080'], listen: 80, prefix: '/var/lib/kcp-web-lb' });
    assert.ok(doc.includes(documented), 'docs/deploy.md holds nginxConfig() for its example addresses');
  });
});
