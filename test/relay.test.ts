/** The relay lets no one through who should not get through, and says why. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, type Relay } from '../src/relay/relay.js';
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
