/** The relay lets no one through who should not get through, and says why. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { startRelay, mintTicket, ticketKeyPair, type Relay } from '../src/relay/relay.js';
import { hasKcpPeer, startGoEcho, type ServerProcess } from './helpers/kcppeer.js';
import { echoChecked } from './helpers/echo.js';
import { connect } from '../src/transports/connect.js';
import { createWeriftPeerConnection, weriftMessage } from '../src/adapter/node/werift.js';
import { dial } from '../src/index.node.js';
import { udpListen } from '../src/transports/udp.js';

describe('relay admission', () => {
  let relay: Relay;
  let upstream: Awaited<ReturnType<typeof udpListen>>;
  before(async () => {
    upstream = await udpListen('127.0.0.1:0');
    relay = await startRelay({ upstream: upstream.localAddress, listen: '127.0.0.1:0', token: 's3cret', maxSessionsPerAddress: 2, maxBodyBytes: 8192, webtransport: false, websocket: true });
  });
  after(async () => {
    await relay?.close();
    upstream?.close();
  });
  const post = (body: string, headers: Record<string, string> = {}) => fetch(`${relay.url}kcp-web/rtc`, { method: 'POST', body, headers: { 'content-type': 'application/sdp', ...headers } });

  it('refuses a session without a token, or with a bad one (401), before any socket opens', async () => {
    const before = relay.stats.sessionsOpened;
    assert.equal((await post('v=0\r\n')).status, 401);
    assert.equal((await post('v=0\r\n', { authorization: 'Bearer nope' })).status, 401);
    const ws = await fetch(`${relay.url}kcp-web/ws`, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } }).catch((e: Error) => e);
    assert.ok(ws instanceof Error || ws.status === 401);
    assert.equal(relay.stats.sessionsOpened, before);
    assert.ok(relay.stats.refused >= 2);
  });

  it('refuses an oversize offer (413) and a body that is not SDP (400)', async () => {
    assert.equal((await post('v=0\r\n' + 'a'.repeat(20000), { authorization: 'Bearer s3cret' })).status, 413);
    assert.equal((await post('hello', { authorization: 'Bearer s3cret' })).status, 400);
  });

  it('caps sessions per client address (429) and frees the slot when a session closes', { timeout: 60_000 }, async () => {
    const opts = { token: 's3cret', transports: ['webrtc' as const], createPeerConnection: () => createWeriftPeerConnection({ hostAddresses: ['127.0.0.1'] }), toMessage: weriftMessage };
    const a = await connect(relay.url, opts);
    const b = await connect(relay.url, opts);
    await assert.rejects(connect(relay.url, opts), /429|too many sessions/);
    a.transport.close();
    // The relay notices the closed channel and releases the slot.
    for (let i = 0; i < 50 && relay.stats.sessionsActive > 1; i++) await new Promise((r) => setTimeout(r, 100));
    const c = await connect(relay.url, opts);
    b.transport.close();
    c.transport.close();
  });

  it('10,000 handshake attempts without a token are all refused and leave nothing behind', { timeout: 60_000 }, async () => {
    const before = relay.stats.refused;
    for (let i = 0; i < 10_000; i += 100) {
      const batch = await Promise.all(Array.from({ length: 100 }, () => post('v=0\r\n').then((r) => r.status)));
      assert.ok(batch.every((s) => s === 401));
    }
    assert.equal(relay.stats.refused - before, 10_000);
    assert.equal(relay.stats.sessionsActive, 0);
  });

  it('an accepted session still works end to end', { timeout: 30_000 }, async () => {
    const { transport } = await connect(relay.url, { token: 's3cret', transports: ['websocket'], WebSocket: (await import('ws')).WebSocket as never });
    const s = dial(transport, {});
    s.send(new Uint8Array([1, 2, 3]));
    const got = await new Promise<Buffer>((resolve) => upstream.receive((d) => resolve(Buffer.from(d))));
    assert.ok(got.length >= 24, 'a KCP packet reached the upstream');
    s.close();
  });
});

describe('relay tickets, budgets and slow clients', () => {
  const keys = ticketKeyPair();
  const werift = { transports: ['webrtc' as const], createPeerConnection: () => createWeriftPeerConnection({ hostAddresses: ['127.0.0.1'] }), toMessage: weriftMessage };
  let relay: Relay;
  let go: ServerProcess | undefined;
  let upstream: Awaited<ReturnType<typeof udpListen>>;
  before(async () => {
    upstream = await udpListen('127.0.0.1:0');
    relay = await startRelay({ upstream: upstream.localAddress, listen: '127.0.0.1:0', ticketPublicKey: keys.publicKey, webtransport: false, idleTimeout: 1000, signalingTimeout: 1000 });
  });
  after(async () => {
    await relay?.close();
    upstream?.close();
    go?.stop();
  });
  const post = (authorization?: string) =>
    fetch(`${relay.url}kcp-web/rtc`, { method: 'POST', body: 'v=0\r\n', headers: { 'content-type': 'application/sdp', ...(authorization ? { authorization } : {}) } });

  it('refuses a missing (401), forged, foreign, expired or malformed ticket (403, saying which) before any socket opens', async () => {
    const other = ticketKeyPair();
    const cases: Array<[string | undefined, number, RegExp]> = [
      [undefined, 401, /a valid ticket is required/],
      [`Bearer ${mintTicket(other.secretKey, { ttlSeconds: 60 })}`, 403, /bad ticket signature/],
      [`Bearer ${mintTicket(keys.secretKey, { ttlSeconds: 60 }).replace(/^[^.]+/, Buffer.from('{"exp":9999999999}').toString('base64url'))}`, 403, /bad ticket signature/],
      [`Bearer ${mintTicket(keys.secretKey, { ttlSeconds: 60, now: Date.now() - 3_600_000 })}`, 403, /expired ticket/],
      ['Bearer not-a-ticket', 403, /malformed ticket/],
    ];
    for (const [auth, status, body] of cases) {
      const res = await post(auth);
      assert.equal(res.status, status, auth);
      assert.match(await res.text(), body);
    }
    assert.equal(relay.stats.upstreamSockets, 0, 'no upstream socket opened');
    assert.equal(relay.stats.sessionsOpened, 0);
  });

  it('a valid ticket opens a session; an abandoned one is reaped and its socket freed', { timeout: 30_000 }, async () => {
    const ticket = mintTicket(keys.secretKey, { ttlSeconds: 60, subject: 'player-1' });
    const c = await connect(relay.url, { ...werift, token: ticket });
    assert.equal(relay.stats.upstreamSockets, 1);
    // The client walks away without closing: nothing arrives for the idle timeout.
    for (let i = 0; i < 100 && relay.stats.sessionsActive > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(relay.stats.sessionsActive, 0);
    assert.ok(relay.stats.sessionsReaped >= 1);
    for (let i = 0; i < 50 && relay.stats.upstreamSockets > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(relay.stats.upstreamSockets, 0, 'its upstream socket is closed');
    c.transport.close();
  });

  it('cuts off a slow-loris signaling request with 408', { timeout: 30_000 }, async () => {
    const { port } = new URL(relay.url);
    const sock = netConnect(Number(port), '127.0.0.1');
    let answer = '';
    sock.on('data', (d) => (answer += d));
    const ticket = mintTicket(keys.secretKey, { ttlSeconds: 60 });
    sock.write(`POST /kcp-web/rtc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ticket}\r\nContent-Length: 5000\r\n\r\nv=0\r\n`);
    // Trickle a byte every 200 ms, bounded: the relay must give up first.
    for (let i = 0; i < 50 && !sock.destroyed && !answer; i++) {
      sock.write('a');
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.match(answer, /^HTTP\/1\.1 408/);
    sock.destroy();
  });

  it('a session over its rate budget has datagrams dropped and counted, and still echoes within it (real kcp-go)', { timeout: 60_000, skip: hasKcpPeer ? false : 'interop/bin/kcppeer missing' }, async () => {
    go = await startGoEcho(['--crypt', 'aes', '--key', 'k', '--datashard', '0', '--parityshard', '0', '--mtu', '1200']);
    const limited = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', webtransport: false, limits: { datagramsPerSecond: 100, bytesPerSecond: 64 << 10 } });
    try {
      const c = await connect(limited.url, werift);
      // Congestion control on (nc 0): KCP backs off when the relay drops over-budget datagrams.
      const s = dial(c.transport, { key: 'k', nodelay: 0, interval: 20, resend: 2, nc: 0, streamMode: true, mtu: 1200, sndwnd: 128, rcvwnd: 128 });
      assert.ok(await echoChecked(s, 128 << 10), 'sha256 equal');
      assert.ok(limited.stats.rateLimited > 0, `over-budget datagrams counted (${limited.stats.rateLimited})`);
      s.close();
    } finally {
      await limited.close();
    }
  });

  it('a session over its total byte cap is closed and counted', { timeout: 30_000 }, async () => {
    const capped = await startRelay({ upstream: upstream.localAddress, listen: '127.0.0.1:0', webtransport: false, limits: { totalBytes: 10_000 } });
    try {
      const c = await connect(capped.url, werift);
      for (let i = 0; i < 20; i++) c.transport.send(new Uint8Array(1000));
      for (let i = 0; i < 100 && capped.stats.byteCapped === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(capped.stats.byteCapped, 1);
      assert.equal(capped.stats.sessionsActive, 0);
      c.transport.close();
    } finally {
      await capped.close();
    }
  });
});
