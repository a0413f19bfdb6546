/** The relay lets no one through who should not get through, and says why. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { startRelay, type Relay } from '../src/relay/index.js';
import { HELPER_BINARY_ENV } from '../src/relay/webtransport/go.js';
import { mintTicket, ticketKeyPair } from '../src/ticket.js';
import { hasKcpPeer, startGoEcho, type ServerProcess } from './helpers/kcppeer.js';
import { echoChecked } from './helpers/echo.js';
import { connect } from '../src/transports/connect.js';
import { openTransport, type RelayConfig } from '../src/transports/open.js';
import { DATA_CHANNEL_INIT } from '../src/transports/webrtc.js';
import { weriftPeerConnections, weriftMessage } from '../src/adapter/node/werift.js';
import { dial, listen } from '../src/index.node.js';
import { udpListen } from '../src/transports/udp.js';
import { WebSocket } from 'ws';

const createWeriftPeerConnection = await weriftPeerConnections();

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
  /** The status a WebSocket upgrade at /kcp-web/ws gets: the relay answers a refusal on the raw socket. */
  const upgradeStatus = (authorization?: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${relay.url}kcp-web/ws`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...(authorization ? { authorization } : {}) },
      });
      req.on('response', (res) => (res.resume(), resolve(res.statusCode!)));
      req.on('upgrade', (res, sock) => (sock.destroy(), resolve(res.statusCode!)));
      req.on('error', reject);
      req.end();
    });

  it('refuses a session without a token, or with a bad one (401), before any socket opens', async () => {
    const before = relay.stats.sessionsOpened;
    const refusedBefore = relay.stats.refused;
    assert.equal((await post('v=0\r\n')).status, 401);
    assert.equal((await post('v=0\r\n', { authorization: 'Bearer nope' })).status, 401);
    assert.equal(await upgradeStatus(), 401, 'a WebSocket upgrade without a token');
    assert.equal(await upgradeStatus('Bearer nope'), 401, 'a WebSocket upgrade with a bad token');
    assert.equal(relay.stats.sessionsOpened, before);
    assert.equal(relay.stats.refused - refusedBefore, 4);
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
    // A keyed kcp-web echo on the upstream socket: what comes back was decrypted there and sealed again.
    const server = listen(upstream, { crypt: 'aes', key: 'end to end' });
    server.onsession = (s) => void (async () => {
      for await (const m of s) await s.write(m);
    })();
    const { transport } = await connect(relay.url, { token: 's3cret', transports: ['websocket'], WebSocket: WebSocket as never });
    const s = dial(transport, { crypt: 'aes', key: 'end to end' });
    try {
      assert.ok(await echoChecked(s, 64 * 1024), '64 KiB echoed through the relay, byte for byte');
      assert.equal(server.sessions.size, 1);
      assert.equal(server.stats.InCsumErrors, 0);
    } finally {
      s.close();
      server.close();
    }
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

// Probes beyond the cases above: the WebSocket ingress refuses tickets too, ?token= works on
// WebRTC signaling, slow headers get 408, abandoned WebSocket and WebRTC sessions are reaped back
// to baseline with their address slots, a junk flood is rate-limited yet the session echoes.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(done: () => boolean, tries = 200): Promise<boolean> {
  for (let i = 0; i < tries && !done(); i++) await sleep(50);
  return done();
}
/** Raw bytes to the relay's HTTP port, then `trickle` a byte per 100 ms (at most 100); resolves with the answer once closed. */
function rawHttp(url: string, head: string, trickle = ''): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const sock = netConnect(Number(port), hostname);
    let answer = '';
    let i = 0;
    const timer = setInterval(() => {
      if (i < Math.min(trickle.length, 100) && !sock.destroyed) sock.write(trickle[i++]!);
      else {
        clearInterval(timer);
        if (i >= Math.min(trickle.length, 100)) setTimeout(() => sock.destroy(), 3000);
      }
    }, 100);
    sock.on('data', (d) => (answer += d.toString()));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearInterval(timer);
      resolve(answer);
    });
    sock.write(head);
  });
}
const wsUpgrade = (query: string) =>
  `GET /kcp-web/ws${query} HTTP/1.1\r\nhost: relay\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;

describe('relay probes: tickets on every HTTP ingress', () => {
  const keys = ticketKeyPair();
  let relay: Relay;
  let upstream: Awaited<ReturnType<typeof udpListen>>;
  before(async () => {
    upstream = await udpListen('127.0.0.1:0');
    relay = await startRelay({ upstream: upstream.localAddress, listen: '127.0.0.1:0', ticketPublicKey: keys.publicKey, webtransport: false, websocket: true });
  });
  after(async () => {
    await relay?.close();
    upstream?.close();
  });

  it('WebSocket upgrade: no ticket 401, expired/forged/foreign/malformed 403 with the reason; ?token= on WebRTC signaling too; zero sockets', async () => {
    const other = ticketKeyPair();
    const fresh = mintTicket(keys.secretKey, { ttlSeconds: 60 });
    const cases: [string | null, number, RegExp][] = [
      [null, 401, /ticket is required/],
      [mintTicket(keys.secretKey, { ttlSeconds: 60, now: Date.now() - 3600_000 }), 403, /expired/],
      [`${Buffer.from('{"exp":9999999999}').toString('base64url')}.${fresh.split('.')[1]}`, 403, /signature/],
      [mintTicket(other.secretKey, { ttlSeconds: 60 }), 403, /signature/],
      ['not-a-ticket', 403, /malformed/],
    ];
    for (const [ticket, status, why] of cases) {
      const ws = await rawHttp(relay.url, wsUpgrade(ticket === null ? '' : `?token=${ticket}`));
      assert.match(ws, new RegExp(`^HTTP/1.1 ${status} `), String(ticket));
      assert.match(ws, why);
      const rtc = await fetch(`${relay.url}kcp-web/rtc${ticket === null ? '' : `?token=${ticket}`}`, { method: 'POST', body: 'hello' });
      assert.equal(rtc.status, status);
    }
    assert.equal(relay.stats.sessionsOpened, 0);
    assert.equal(relay.stats.upstreamSockets, 0);
    const ok = await fetch(`${relay.url}kcp-web/rtc?token=${fresh}`, { method: 'POST', body: 'hello' });
    assert.equal(ok.status, 400, 'past admission: "hello" is no SDP offer');
    const { transport } = await connect(relay.url, { token: fresh, transports: ['websocket'], WebSocket: WebSocket as never });
    assert.equal(relay.stats.upstreamSockets, 1);
    transport.close();
    assert.ok(await until(() => relay.stats.upstreamSockets === 0));
  });
});

describe('relay probes: abandoned sessions and slow headers', () => {
  let relay: Relay;
  let upstream: Awaited<ReturnType<typeof udpListen>>;
  before(async () => {
    upstream = await udpListen('127.0.0.1:0');
    relay = await startRelay({ upstream: upstream.localAddress, listen: '127.0.0.1:0', token: 't', idleTimeout: 300, maxSessionsPerAddress: 6, signalingTimeout: 500, webtransport: false, websocket: true });
  });
  after(async () => {
    await relay?.close();
    upstream?.close();
  });

  it('5 WebSockets left open and silent + 1 WebRTC answer never used: all reaped, sockets and address slots back', { timeout: 60_000 }, async () => {
    const sockets: WebSocket[] = [];
    for (let i = 0; i < 5; i++) {
      const ws = new WebSocket(`${relay.url.replace('http', 'ws')}kcp-web/ws?token=t`);
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      ws.send(new Uint8Array(24));
      sockets.push(ws);
    }
    const pc = createWeriftPeerConnection({ hostAddresses: ['127.0.0.1'] });
    pc.createDataChannel('kcp', DATA_CHANNEL_INIT);
    await pc.setLocalDescription(await pc.createOffer());
    for (let i = 0; i < 100 && pc.iceGatheringState !== 'complete'; i++) await sleep(20);
    const answer = await fetch(`${relay.url}kcp-web/rtc`, { method: 'POST', body: pc.localDescription!.sdp, headers: { authorization: 'Bearer t' } });
    assert.equal(answer.status, 200);
    assert.equal(relay.stats.sessionsActive, 6);
    assert.equal(relay.stats.upstreamSockets, 6);
    assert.ok(await until(() => relay.stats.sessionsActive === 0), `all reaped (active ${relay.stats.sessionsActive})`);
    assert.equal(relay.stats.sessionsReaped, 6);
    assert.ok(await until(() => relay.stats.upstreamSockets === 0));
    assert.ok(await until(() => sockets.every((w) => w.readyState === WebSocket.CLOSED)), 'abandoned WebSockets closed by the relay');
    await pc.close();
    const again = await Promise.all(Array.from({ length: 6 }, () => new Promise<WebSocket>((r, j) => {
      const ws = new WebSocket(`${relay.url.replace('http', 'ws')}kcp-web/ws?token=t`);
      ws.once('open', () => r(ws)).once('error', j);
    })));
    for (const ws of again) ws.close();
    assert.ok(await until(() => relay.stats.sessionsActive === 0));
  });

  it('slow headers (one byte per 100 ms) are cut off with 408', { timeout: 30_000 }, async () => {
    const answer = await rawHttp(relay.url, 'POST /kcp-web/rtc HTTP/1.1\r\n', 'x-slow: ' + 'a'.repeat(90));
    assert.match(answer, /^HTTP\/1.1 408 /);
  });
});

describe('relay probes: a junk flood against the real kcp-go echo', { skip: hasKcpPeer ? false : 'interop/bin/kcppeer missing' }, () => {
  let go: ServerProcess;
  let relay: Relay;
  before(async () => {
    go = await startGoEcho(['--crypt', 'aes', '--key', 'rl', '--datashard', '0', '--parityshard', '0', '--mtu', '1200']);
    relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', webtransport: false, websocket: true, limits: { datagramsPerSecond: 100, bytesPerSecond: 100_000 } });
  });
  after(async () => {
    await relay?.close();
    go?.stop();
  });

  it('3,000 junk datagrams at once are mostly dropped and counted; the session still echoes 32 KiB', { timeout: 60_000 }, async () => {
    const { transport } = await connect(relay.url, { transports: ['websocket'], WebSocket: WebSocket as never });
    for (let i = 0; i < 3000; i++) transport.send(new Uint8Array(64).fill(i & 0xff));
    assert.ok(await until(() => relay.stats.rateLimited >= 2000), `dropped ${relay.stats.rateLimited}`);
    const session = dial(transport, { crypt: 'aes', key: 'rl', mtu: 1200, sndwnd: 64, rcvwnd: 64 });
    try {
      assert.ok(await echoChecked(session, 32 << 10));
      assert.equal(relay.stats.sessionsActive, 1);
    } finally {
      session.close();
    }
  });
});

describe('relay config while WebTransport is starting', () => {
  // The Go helper may take minutes to start (built on first use); signaling is up meanwhile.
  // A stand-in helper starts only when the test opens its gate.
  const dir = mkdtempSync(join(tmpdir(), 'kcp-web-slow-wt-'));
  const started = join(dir, 'started');
  const gate = join(dir, 'gate');
  const helper = join(dir, 'slow-helper.mjs');
  const [hash, next] = ['a'.repeat(64), 'b'.repeat(64)];
  writeFileSync(
    helper,
    `#!${process.execPath}
import { existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
writeFileSync(${JSON.stringify(started)}, '');
const wait = setInterval(() => {
  if (!existsSync(${JSON.stringify(gate)})) return;
  clearInterval(wait);
  console.log('ready 127.0.0.1:1 ${hash}');
}, 20);
createInterface({ input: process.stdin })
  .on('line', (l) => console.log(l === 'next' ? 'next ${next}' : 'current ${next}'))
  .on('close', () => process.exit(0));
`,
    { mode: 0o755 },
  );
  const saved = process.env[HELPER_BINARY_ENV];
  after(() => {
    if (saved === undefined) delete process.env[HELPER_BINARY_ENV];
    else process.env[HELPER_BINARY_ENV] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET /kcp-web/config answers 200 with the transports up so far, then adds WebTransport once its helper is ready', { timeout: 30_000 }, async () => {
    process.env[HELPER_BINARY_ENV] = helper;
    const port = await new Promise<number>((resolve) => {
      const s = createNetServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const starting = startRelay({ upstream: '127.0.0.1:9', listen: `127.0.0.1:${port}`, websocket: true, webtransportServer: 'go' });
    const config = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/kcp-web/config`);
      const text = await res.text();
      assert.equal(res.status, 200, text);
      return JSON.parse(text) as { transports: string[]; webtransport?: { certificateHashes?: string[] } };
    };
    let relay: Relay | undefined;
    try {
      while (!existsSync(started)) await new Promise((r) => setTimeout(r, 20));
      const early = await config();
      assert.deepEqual(early.transports, ['webrtc', 'websocket']);
      assert.equal(early.webtransport, undefined);
      writeFileSync(gate, '');
      relay = await starting;
      const late = await config();
      assert.deepEqual(late.transports, ['webtransport', 'webrtc', 'websocket']);
      assert.deepEqual(late.webtransport?.certificateHashes, [hash, next]);
    } finally {
      writeFileSync(gate, '');
      await (relay ?? (await starting)).close();
    }
  });
  it('behind a balancer, advertises the WebTransport address it was given (publicWebtransport), and pages dial it', { timeout: 30_000 }, async () => {
    process.env[HELPER_BINARY_ENV] = helper;
    writeFileSync(gate, '');
    const relay = await startRelay({ upstream: '127.0.0.1:9', listen: '127.0.0.1:0', webtransportServer: 'go', publicWebtransport: 'relay2.example.net:4433' });
    try {
      const config = (await (await fetch(`${relay.url}kcp-web/config`)).json()) as RelayConfig;
      assert.deepEqual(config.webtransport, { host: 'relay2.example.net', port: 4433, path: '/kcp-web/wt', certificateHash: hash, certificateHashes: [hash, next] });
      // The page fetched the config through the balancer; it dials the relay that answered, pinning that relay's certificate.
      const dialed: Array<{ url: string; pinned: number }> = [];
      const WebTransport = class {
        ready = Promise.reject(new Error('not a real WebTransport'));
        closed = new Promise(() => {});
        datagrams = { readable: new ReadableStream<Uint8Array>(), writable: new WritableStream<Uint8Array>() };
        constructor(url: string, init?: { serverCertificateHashes?: unknown[] }) {
          this.ready.catch(() => {});
          dialed.push({ url, pinned: init?.serverCertificateHashes?.length ?? 0 });
        }
        close() {}
      };
      const dial = (c: RelayConfig) => openTransport('webtransport', 'http://balancer.example.net/', c, { WebTransport }).catch(() => {});
      await dial(config);
      await dial({ ...config, webtransport: { ...config.webtransport!, host: 'fd00::12' } });
      await dial({ ...config, webtransport: { port: 8080, path: '/kcp-web/wt' } });
      assert.deepEqual(dialed, [
        { url: 'https://relay2.example.net:4433/kcp-web/wt', pinned: 2 },
        { url: 'https://[fd00::12]:4433/kcp-web/wt', pinned: 2 },
        { url: 'https://balancer.example.net:8080/kcp-web/wt', pinned: 0 },
      ]);
    } finally {
      await relay.close();
    }
  });
});

describe('relay behind a load balancer (--trust-proxy)', () => {
  let upstream: Awaited<ReturnType<typeof udpListen>>;
  const relays: Relay[] = [];
  const sockets: WebSocket[] = [];
  before(async () => {
    upstream = await udpListen('127.0.0.1:0');
  });
  after(async () => {
    for (const s of sockets) s.terminate();
    for (const r of relays) await r.close();
    upstream?.close();
  });
  const start = async (trustProxy: string[]) => {
    const r = await startRelay({ upstream: upstream.localAddress, listen: '127.0.0.1:0', trustProxy, maxSessionsPerAddress: 2, webtransport: false, websocket: true });
    relays.push(r);
    return r;
  };
  /** Opens (and keeps) a WebSocket session whose request carries `forwardedFor`; its HTTP status. */
  const open = (relay: Relay, forwardedFor: string, query = '') =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${relay.url.replace(/^http/, 'ws')}kcp-web/ws${query}`, { headers: { 'x-forwarded-for': forwardedFor } });
      sockets.push(ws);
      ws.once('open', () => resolve(101));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.once('error', () => {});
    });

  it('from a trusted proxy, caps per client the rightmost X-Forwarded-For address outside the trusted CIDRs', async () => {
    const relay = await start(['127.0.0.0/8', '10.0.0.0/8']);
    // nginx's $proxy_add_x_forwarded_for appends the client; a client's own header stays to its left.
    assert.equal(await open(relay, '203.0.113.1'), 101);
    assert.equal(await open(relay, '198.51.100.7, 203.0.113.1'), 101);
    assert.equal(await open(relay, '203.0.113.1, 10.1.2.3'), 429, 'a second trusted proxy (10.1.2.3) is skipped: still 203.0.113.1, now over its cap');
    assert.equal(await open(relay, '203.0.113.2'), 101, 'another client has slots of its own');
    assert.equal(await open(relay, '[2001:db8::1]:4711'), 101);
    assert.equal(relay.stats.sessionsActive, 4);
  });

  it('from any other peer, the header is ignored: a spoofed X-Forwarded-For buys no extra slots', async () => {
    const relay = await start(['10.0.0.2']);
    assert.equal(await open(relay, '203.0.113.1'), 101);
    assert.equal(await open(relay, '203.0.113.2'), 101);
    assert.equal(await open(relay, '203.0.113.3'), 429, 'all three come from 127.0.0.1, which is over its cap');
  });

  it('binds a resume credential to the client address the proxy named', async () => {
    const relay = await start(['127.0.0.1']);
    const claim = 'c'.repeat(22);
    assert.equal(await open(relay, '203.0.113.5', `?claim=${claim}`), 101);
    const pickup = (forwardedFor: string) => fetch(`${relay.url}kcp-web/resume`, { method: 'POST', body: JSON.stringify({ claim }), headers: { 'x-forwarded-for': forwardedFor } });
    let mine = await pickup('203.0.113.5');
    for (let i = 0; i < 100 && mine.status === 404; i++) {
      // The claim is filed once the session is carried, just after the upgrade.
      await new Promise((r) => setTimeout(r, 20));
      mine = await pickup('203.0.113.5');
    }
    assert.equal(mine.status, 200);
    const { credential } = (await mine.json()) as { credential: string };
    const refresh = (forwardedFor: string) => fetch(`${relay.url}kcp-web/resume`, { method: 'POST', body: JSON.stringify({ credential }), headers: { 'x-forwarded-for': forwardedFor } });
    assert.equal((await refresh('203.0.113.6')).status, 403, 'another client behind the same proxy');
    assert.equal((await refresh('203.0.113.5')).status, 200);
  });
});
