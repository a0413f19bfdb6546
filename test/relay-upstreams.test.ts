/**
 * One relay, many game servers: a signed ticket names its session's
 * upstream, and the relay forwards only inside its operator's allow-list.
 * Two real kcp-go echoes, each with its own key, so a session routed to the
 * wrong one could not echo a byte.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { WebSocket } from 'ws';
import { startRelay, type Relay } from '../src/relay/index.js';
import { AllowList, parseAllowRule } from '../src/relay/upstreams.js';
import { mintTicket, ticketKeyPair } from '../src/ticket.js';
import { connect } from '../src/transports/connect.js';
import { weriftPeerConnections, weriftMessage } from '../src/adapter/node/werift.js';
import { dial } from '../src/index.node.js';
import { echoChecked } from './helpers/echo.js';
import { hasKcpPeer, ROOT, startGoEcho, stopWithCounters, type ServerProcess } from './helpers/kcppeer.js';

const createWeriftPeerConnection = await weriftPeerConnections();

describe('allow-list rules', () => {
  it('parses CIDR:PORTS (IPv4, bracketed IPv6, single ports, ranges, lists) and matches only inside them', () => {
    const list = new AllowList(['10.0.0.0/8:29900-29999', '127.0.0.1:4000,4002-4003', '[fd00::/8]:5000'].map(parseAllowRule));
    const yes = [['10.1.2.3', 29900], ['10.255.0.1', 29999], ['127.0.0.1', 4000], ['127.0.0.1', 4003], ['fd00::7', 5000]] as const;
    const no = [['10.1.2.3', 29899], ['11.0.0.1', 29900], ['127.0.0.2', 4000], ['127.0.0.1', 4001], ['fe80::1', 5000], ['fd00::7', 5001], ['localhost', 4000]] as const;
    for (const [host, port] of yes) assert.ok(list.permits({ host, port }), `${host}:${port} allowed`);
    for (const [host, port] of no) assert.ok(!list.permits({ host, port }), `${host}:${port} refused`);
  });

  it('refuses malformed rules, naming what it accepts', () => {
    for (const bad of ['10.0.0.0/8', '10.0.0.0/33:1', 'example.com:80', '10.0.0.0/8:0', '10.0.0.0/8:70000', '10.0.0.0/8:9-1', 'fd00::/8:80', '10.0.0.0/8:a']) {
      assert.throws(() => parseAllowRule(bad), /expected CIDR:PORTS such as 10\.0\.0\.0\/8:29900-29999/, bad);
    }
  });

  it('mintTicket takes only an IP:PORT upstream', () => {
    const { secretKey } = ticketKeyPair();
    assert.doesNotThrow(() => mintTicket(secretKey, { ttlSeconds: 60, upstream: '[::1]:29900' }));
    for (const bad of ['localhost:29900', '127.0.0.1', '127.0.0.1:0', '::1:29900', '127.0.0.1:65536']) {
      assert.throws(() => mintTicket(secretKey, { ttlSeconds: 60, upstream: bad }), /upstream must be IP:PORT/, bad);
    }
  });
});

describe('relay: tickets route sessions to their upstream (two real kcp-go echoes)', { skip: hasKcpPeer ? false : 'interop/bin/kcppeer missing (node scripts/setup.mjs)' }, () => {
  const keys = ticketKeyPair();
  const kcp = (key: string) => ['--crypt', 'aes', '--key', key, '--datashard', '0', '--parityshard', '0', '--mtu', '1200'];
  let a: ServerProcess;
  let b: ServerProcess;
  let relay: Relay;
  before(async () => {
    [a, b] = await Promise.all([startGoEcho(kcp('echo-a')), startGoEcho(kcp('echo-b'))]);
    const portA = a.address.split(':')[1]!;
    const portB = b.address.split(':')[1]!;
    // Only 127.0.0.1 and only the two echoes' ports: other loopback addresses and ports are outside.
    relay = await startRelay({ upstream: a.address, allow: [`127.0.0.1/32:${portA},${portB}`], ticketPublicKey: keys.publicKey, listen: '127.0.0.1:0', webtransport: false, websocket: true });
  });
  after(async () => {
    await relay?.close();
    a?.stop();
    b?.stop();
  });

  /** A ticket body of our choosing, signed with the relay's key (mintTicket would refuse a host name). */
  const signedWithKey = (claims: string) => {
    const body = Buffer.from(claims).toString('base64url');
    const key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(keys.secretKey, 'base64')]), format: 'der', type: 'pkcs8' });
    return `${body}.${sign(null, Buffer.from(body), key).toString('base64url')}`;
  };
  /** The status and status text a WebSocket upgrade gets: the relay answers refusals on the raw socket. */
  const upgrade = (url: string) =>
    new Promise<[number, string]>((resolve, reject) => {
      const req = httpRequest(url, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
      req.on('response', (res) => (res.resume(), resolve([res.statusCode!, res.statusMessage ?? ''])));
      req.on('upgrade', (res, sock) => (sock.destroy(), resolve([res.statusCode!, res.statusMessage ?? ''])));
      req.on('error', reject);
      req.end();
    });
  const ticket = (upstream?: string, extra: { now?: number } = {}) => mintTicket(keys.secretKey, { ttlSeconds: 60, ...(upstream ? { upstream } : {}), ...extra });
  /** Echoes `bytes` through the relay with `key` over a WebSocket session admitted by `token`. */
  async function echoVia(token: string, key: string, bytes = 32 << 10, kind: 'websocket' | 'webrtc' = 'websocket'): Promise<boolean> {
    const { transport } = await connect(relay.url, kind === 'websocket'
      ? { token, transports: ['websocket'], WebSocket: WebSocket as never }
      : { token, transports: ['webrtc'], createPeerConnection: () => createWeriftPeerConnection({ hostAddresses: ['127.0.0.1'] }), toMessage: weriftMessage });
    const s = dial(transport, { crypt: 'aes', key, mtu: 1200, sndwnd: 128, rcvwnd: 128 });
    try {
      return await echoChecked(s, bytes);
    } finally {
      s.close();
    }
  }

  it('a ticket naming echo B reaches B; one naming none reaches the default (A); each echoes with its own key', { timeout: 60_000 }, async () => {
    assert.ok(await echoVia(ticket(b.address), 'echo-b'), 'to B by ticket, over WebSocket');
    assert.ok(await echoVia(ticket(), 'echo-a'), 'to A, the default');
    assert.ok(await echoVia(ticket(a.address), 'echo-a'), 'to A by ticket');
    assert.ok(await echoVia(ticket(b.address), 'echo-b', 16 << 10, 'webrtc'), 'to B by ticket, over a WebRTC data channel');
    const stats = (await (await fetch(`${relay.url}kcp-web/stats`)).json()) as Relay['stats'];
    assert.deepEqual(stats.sessionsByUpstream, { [a.address]: 2, [b.address]: 2 });
    assert.equal(stats.refused, 0);
  });

  it('forged, expired and out-of-list upstreams are refused (403, saying why) before any socket opens, and counted', { timeout: 30_000 }, async () => {
    const before = { ...relay.stats };
    const forger = ticketKeyPair();
    const portB = Number(b.address.split(':')[1]);
    const genuine = ticket(a.address);
    const cases: Array<[string, RegExp, boolean]> = [
      [mintTicket(forger.secretKey, { ttlSeconds: 60, upstream: b.address }), /bad ticket signature/, false],
      // A genuine signature over another body: the upstream swapped after signing.
      [`${Buffer.from(JSON.stringify({ exp: 9_999_999_999, up: '127.0.0.1:9' })).toString('base64url')}.${genuine.split('.')[1]}`, /bad ticket signature/, false],
      [ticket(b.address, { now: Date.now() - 3_600_000 }), /expired ticket/, false],
      [ticket(`127.0.0.1:${portB === 65535 ? 1 : portB + 1}`), /not in this relay's allow-list/, true],
      [ticket(`127.0.0.2:${portB}`), /upstream 127\.0\.0\.2:\d+ is not in this relay's allow-list/, true],
      [ticket(`[::1]:${portB}`), /upstream \[::1\]:\d+ is not in this relay's allow-list/, true],
      // Signed with the relay's key, but the claim is a host name (it would be resolved only after the check).
      [signedWithKey(JSON.stringify({ exp: 9_999_999_999, up: `localhost:${portB}` })), /must be an IP address/, true],
    ];
    let upstreamRefusals = 0;
    for (const [t, why, isUpstream] of cases) {
      const rtc = await fetch(`${relay.url}kcp-web/rtc`, { method: 'POST', body: 'v=0\r\n', headers: { authorization: `Bearer ${t}` } });
      assert.equal(rtc.status, 403, `WebRTC signaling: ${why}`);
      assert.match(await rtc.text(), why);
      const [status, message] = await upgrade(`${relay.url}kcp-web/ws?token=${t}`);
      assert.equal(status, 403, `WebSocket upgrade: ${why}`);
      assert.match(message, why);
      if (isUpstream) upstreamRefusals += 2;
    }
    assert.equal(relay.stats.sessionsOpened, before.sessionsOpened, 'no session opened');
    assert.equal(relay.stats.upstreamSockets, 0, 'no upstream socket open');
    assert.equal(relay.stats.refused - before.refused, cases.length * 2);
    assert.equal(relay.stats.refusedUpstream - before.refusedUpstream, upstreamRefusals);
    // The counters are what GET /kcp-web/stats shows.
    const stats = (await (await fetch(`${relay.url}kcp-web/stats`)).json()) as Relay['stats'];
    assert.equal(stats.refusedUpstream, relay.stats.refusedUpstream);
  });

  it('with no default upstream, a ticket must name one', async () => {
    const only = await startRelay({ allow: [`127.0.0.1:${b.address.split(':')[1]}`], ticketPublicKey: keys.publicKey, listen: '127.0.0.1:0', webtransport: false, websocket: true });
    try {
      const res = await fetch(`${only.url}kcp-web/rtc`, { method: 'POST', body: 'v=0\r\n', headers: { authorization: `Bearer ${ticket()}` } });
      assert.equal(res.status, 403);
      assert.match(await res.text(), /no upstream: the ticket names none/);
      assert.equal(only.stats.refusedUpstream, 1);
    } finally {
      await only.close();
    }
    await assert.rejects(startRelay({ allow: ['127.0.0.1:1'], listen: '127.0.0.1:0', webtransport: false }), /allow needs ticketPublicKey/);
  });

  it('kcp-go saw exactly the sessions routed to it', { timeout: 30_000 }, async () => {
    // Each echo counts the KCP sessions it accepted; a misrouted datagram would fail its CRC check.
    const [sa, sb] = await Promise.all([stopWithCounters(a), stopWithCounters(b)]);
    for (const [name, snmp] of [['A', sa], ['B', sb]] as const) {
      assert.equal(snmp.InCsumErrors ?? 0, 0, `${name}: no datagram failed its checksum`);
      assert.ok((snmp.InPkts ?? 0) > 0, `${name} received`);
    }
  });
});

describe('kcp-web relay / ticket CLI: --allow and --upstream', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [`${ROOT}bin/kcp-web.js`, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  const { publicKey, secretKey } = ticketKeyPair();
  const bad: Array<[string[], RegExp]> = [
    [['relay', '--ticket-key', publicKey, '--allow', '10.0.0.0/8'], /^kcp-web relay: --allow: not CIDR:PORTS; expected CIDR:PORTS such as 10\.0\.0\.0\/8:29900-29999/],
    [['relay', '--ticket-key', publicKey, '--allow', '10.0.0.0/40:1'], /^kcp-web relay: --allow: the prefix length must be 0 to 32/],
    [['relay', '--allow', '127.0.0.1:29900'], /^kcp-web relay: --allow needs --ticket-key PUBLIC/],
    [['relay', '--ticket-key', publicKey], /^kcp-web relay: --upstream HOST:PORT is required .*or --allow CIDR:PORTS/],
    [['ticket', 'mint', '--key', secretKey, '--upstream', 'game.example:29900'], /^kcp-web ticket: --upstream: upstream must be IP:PORT/],
  ];
  for (const [args, re] of bad) {
    it(`rejects ${args.filter((a) => a !== publicKey && a !== secretKey).join(' ')} with exit 2`, () => {
      const r = cli(...args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, re);
    });
  }
  it('ticket mint --upstream puts the upstream in the ticket', () => {
    const r = cli('ticket', 'mint', '--key', secretKey, '--upstream', '127.0.0.1:29901');
    assert.equal(r.status, 0, r.stderr);
    const claims = JSON.parse(Buffer.from(r.stdout.trim().split('.')[0]!, 'base64url').toString()) as { up?: string };
    assert.equal(claims.up, '127.0.0.1:29901');
  });
});
