/**
 * Resume credentials at the relay, against the real kcp-go echo: a Node
 * session moves between WebSocket and WebRTC (werift) ingresses and kcp-go
 * accepts one session for all of it; forged, expired (the relay's clock
 * moved ahead), reused and other-address credentials are refused before
 * anything is forwarded, and counted.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { WebSocket } from 'ws';
import { connect, dial, type TransportChangeEvent } from '../src/index.node.js';
import { startRelay, type Relay } from '../src/relay/index.js';
import { hasKcpPeer, startGoEcho, stopWithReport, type ServerProcess } from './helpers/kcppeer.js';
import { echoChecked } from './helpers/echo.js';
import { waitFor } from './helpers/wait.js';

const skip = hasKcpPeer ? false : 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`';
const GO_FLAGS = ['--crypt', 'aes', '--key', 'resume', '--datashard', '0', '--parityshard', '0', '--mtu', '1200'];
const SESSION = { crypt: 'aes', key: 'resume', mode: 'fast', streamMode: true, mtu: 1200, sndwnd: 256, rcvwnd: 256 } as const;

/** An HTTP request to the relay from `localAddress` (loopback has all of 127/8): its status and body. */
function request(url: string, options: { method?: string; body?: string; localAddress?: string; upgrade?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = options.upgrade
      ? { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }
      : { 'content-type': 'application/json' };
    const req = httpRequest(url, { method: options.method ?? 'GET', headers, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('upgrade', (res, sock) => (sock.destroy(), resolve({ status: res.statusCode!, body: '' })));
    req.on('error', reject);
    req.end(options.body);
  });
}

const claim = () => `test-claim-${Math.random().toString(36).slice(2)}-${Date.now()}`;

describe('a session moves between relay ingresses', { skip }, () => {
  it('WebSocket → WebRTC → WebSocket by switch(), 3 × 128 KiB echoed, kcp-go accepts one session', { timeout: 120_000 }, async () => {
    const go = await startGoEcho(GO_FLAGS);
    const relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', webtransport: false, websocket: true });
    let sessions = -1;
    try {
      const { transport, kind } = await connect(relay.url, { resilient: { transports: ['websocket', 'webrtc'], silence: 120_000 }, WebSocket: WebSocket as never });
      assert.equal(kind, 'websocket');
      const changes: Array<[string, string, string]> = [];
      transport.addEventListener('transportchange', (e) => {
        const c = e as TransportChangeEvent;
        changes.push([c.from, c.to, c.reason]);
      });
      // Only the app's switch() moves this session: a silence a loaded machine might cause must not (the limit is the test's length).
      const session = dial(transport, SESSION);
      try {
        assert.ok(await echoChecked(session, 128 << 10), 'echo equal');
        await transport.switch('test: to WebRTC');
        assert.equal(transport.kind, 'webrtc');
        assert.ok(await echoChecked(session, 128 << 10), 'echo equal');
        await transport.switch('test: back');
        assert.equal(transport.kind, 'websocket');
        assert.ok(await echoChecked(session, 128 << 10), 'echo equal');
      } finally {
        session.close();
      }
      assert.deepEqual(changes, [
        ['websocket', 'webrtc', 'test: to WebRTC'],
        ['webrtc', 'websocket', 'test: back'],
      ]);
      assert.equal(relay.stats.resumed, 2);
      assert.equal(relay.stats.sessionsOpened, 1, 'one upstream socket for the whole session');
      assert.equal(relay.stats.resumeRefused, 0);
    } finally {
      await relay.close();
      sessions = (await stopWithReport(go)).sessions;
    }
    assert.equal(sessions, 1, 'kcp-go accepted one session');
  });
});

describe('a session whose relay is gone', { skip }, () => {
  it('tries every kind once, then the session closes with the reason', { timeout: 60_000 }, async () => {
    const go = await startGoEcho(GO_FLAGS);
    const relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', webtransport: false, websocket: true });
    try {
      const { transport } = await connect(relay.url, { resilient: { transports: ['websocket', 'webrtc'], silence: 120_000 }, WebSocket: WebSocket as never, timeout: 3000 });
      const session = dial(transport, SESSION);
      assert.ok(await echoChecked(session, 16 << 10), 'echo equal');
      await relay.close(); // the WebSocket closes with it, and nothing answers any more
      const error = await session.closed;
      assert.match(String(error?.message), /could not move off websocket \(WebSocket closed\): webrtc: .*; websocket: /);
      assert.ok(!/resume=[^…&]/.test(String(error?.message)), `no credential in the message: ${error?.message}`);
    } finally {
      await relay.close();
      go.stop();
    }
  });
});

describe('resume credential refusals', { skip }, () => {
  let go: ServerProcess;
  let relay: Relay;
  let skew = 0;
  const TTL = 60_000;
  before(async () => {
    go = await startGoEcho(GO_FLAGS);
    relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', webtransport: false, websocket: true, maxSessionsPerAddress: 1, resumeTtl: TTL, resumeGrace: 300, _now: () => Date.now() + skew });
  });
  after(async () => {
    await relay?.close();
    go?.stop();
  });
  const ws = (query: Record<string, string>) => `${relay.url.replace('http:', 'ws:')}kcp-web/ws?${new URLSearchParams(query)}`;
  const attach = (query: Record<string, string>, localAddress?: string) => request(ws(query).replace('ws:', 'http:'), { upgrade: true, ...(localAddress ? { localAddress } : {}) });
  const pickUp = async (ask: { claim: string } | { credential: string }, localAddress?: string) => {
    const r = await request(`${relay.url}kcp-web/resume`, { method: 'POST', body: JSON.stringify(ask), ...(localAddress ? { localAddress } : {}) });
    return { status: r.status, credential: r.status === 200 ? (JSON.parse(r.body) as { credential: string }).credential : '' };
  };

  it('forged, other address, reused, expired and ended: refused and counted, no datagram forwarded, no second session', { timeout: 60_000 }, async () => {
    // A resumable session, carried by a WebSocket that stays open.
    const first = claim();
    const socket = new WebSocket(ws({ claim: first }));
    await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
    const c1 = (await pickUp({ claim: first })).credential;
    assert.match(c1, /^[\w-]+\.[\w-]{43}$/);
    assert.equal((await pickUp({ claim: first })).status, 404, 'a claim is picked up once');
    const up = relay.stats.datagramsUp;

    const mac = c1.slice(-43);
    const forged = `${c1.slice(0, -43)}${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    assert.equal((await attach({ resume: forged, claim: claim() })).status, 403, 'forged MAC');
    assert.equal((await attach({ resume: `${Buffer.from('{"s":"x","a":"127.0.0.1","u":"x","g":9,"e":1e15}').toString('base64url')}.${mac}` , claim: claim() })).status, 403, 'facts changed under a real MAC');
    assert.equal(relay.stats.resumeForged, 2);

    const fromElsewhere = claim();
    assert.equal((await attach({ resume: c1, claim: fromElsewhere }, '127.0.0.2')).status, 403, 'from another client IP');
    assert.equal(relay.stats.resumeOtherAddress, 1);
    assert.equal((await pickUp({ credential: c1 }, '127.0.0.2')).status, 403, 'nor refreshed from there');
    assert.equal(relay.stats.resumeOtherAddress, 2);

    // The address is at its cap (1), yet a resume is no new session: it goes through.
    const second = claim();
    assert.equal((await attach({ resume: c1, claim: second })).status, 101);
    await waitFor(() => relay.stats.resumed === 1, 'the resume');
    const c2 = (await pickUp({ claim: second })).credential;
    assert.ok(c2 && c2 !== c1);
    assert.equal((await attach({ resume: c1, claim: claim() })).status, 403, 'used once already');
    assert.equal(relay.stats.resumeReused, 1);

    // A refresh gives a newer credential and leaves c2 usable until one of them is used.
    const c3 = (await pickUp({ credential: c2 })).credential;
    assert.ok(c3 && c3 !== c2);
    skew = TTL + 1000;
    assert.equal((await attach({ resume: c3, claim: claim() })).status, 403, 'expired');
    assert.equal((await pickUp({ credential: c3 })).status, 403, 'an expired one is not refreshed either');
    assert.equal(relay.stats.resumeExpired, 2);
    skew = 0;

    assert.equal((await attach({ resume: c2, claim: '' })).status, 400, 'a resume needs a claim for its successor');
    for (const junk of ['{', '[]', 'null', '{"claim": 5}', '{"credential": {}}']) assert.equal((await request(`${relay.url}kcp-web/resume`, { method: 'POST', body: junk })).status, 400, `junk: ${junk}`);
    assert.equal((await pickUp({ credential: 'x'.repeat(5000) })).status, 413, 'a body over 4 KiB');
    assert.equal((await request(`${relay.url}kcp-web/rtc?${new URLSearchParams({ resume: forged, claim: claim() })}`, { method: 'POST', body: 'v=0\r\n' })).status, 403, 'WebRTC signaling checks it too');

    // Once the session ends (its WebSocket gone, the grace period over), its credentials are refused.
    socket.close();
    await waitFor(() => relay.stats.sessionsActive === 0, 'the session to end after its grace period');
    assert.equal((await attach({ resume: c3, claim: claim() })).status, 410, 'its session has ended');
    assert.equal(relay.stats.resumeEnded, 1);

    assert.equal(relay.stats.resumeRefused, 2 + 2 + 1 + 2 + 1 + 1);
    assert.equal(relay.stats.datagramsUp, up, 'nothing forwarded for a refused one');
    assert.equal(relay.stats.sessionsOpened, 1, 'and no socket opened');
  });
});
