/**
 * WebRTC path in Node: werift client → kcp-web relay (answering with
 * node-datachannel or werift) → real kcp-go echo, and a test for each werift
 * defect we work around.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { dial } from '../src/index.node.js';
import { connectWebRTC, DATA_CHANNEL_INIT, DataChannelTransport, type DataChannelLike } from '../src/transports/webrtc.js';
import { weriftPeerConnections, patchSctpAbandon, weriftMessage } from '../src/adapter/node/werift.js';
import { echoChecked } from './helpers/echo.js';
import { startRelay, type Relay, type WebRtcStackChoice } from '../src/relay/index.js';
import { loadNodeDataChannel } from '../src/adapter/node/datachannel.js';
import { withoutRemoteAddresses } from '../src/relay/webrtc.js';
import { hasKcpPeer, ROOT, startGoEcho, type ServerProcess } from './helpers/kcppeer.js';
import { waitFor } from './helpers/wait.js';

const createWeriftPeerConnection = await weriftPeerConnections();

const skip = hasKcpPeer ? false : 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`';
const ndc = await loadNodeDataChannel();
const ndcSkip = 'reason' in ndc ? ndc.reason : false;
const weriftClient = () => createWeriftPeerConnection({ hostAddresses: ['127.0.0.1'] });

describe('werift workarounds', () => {
  it('maxRetransmits 0 abandons a chunk after its first send (werift checks !!maxRetransmits)', () => {
    const pc = weriftClient();
    pc.createDataChannel('kcp', DATA_CHANNEL_INIT);
    const sctp = (pc as unknown as { sctpTransport: { sctp: { maybeAbandon(c: object): boolean } } }).sctpTransport.sctp;
    assert.ok(patchSctpAbandon(sctp));
    const chunk = { abandoned: false, maxRetransmits: 0, sentCount: 1, type: 0, flags: 0x01 };
    (sctp as unknown as { sentQueue: object[] }).sentQueue = [chunk];
    assert.equal(sctp.maybeAbandon(chunk), true);
    const reliable = { abandoned: false, maxRetransmits: undefined, sentCount: 5, type: 0, flags: 0x01 };
    (sctp as unknown as { sentQueue: object[] }).sentQueue = [reliable];
    assert.equal(sctp.maybeAbandon(reliable), false, 'reliable chunks are still retransmitted');
    void pc.close();
  });

  it('channels are pre-negotiated (no DCEP: avoids the ordered-flag and first-message defects)', () => {
    assert.deepEqual(DATA_CHANNEL_INIT, { ordered: false, maxRetransmits: 0, negotiated: true, id: 0 });
  });

  it('send() hands werift a fresh copy (it keeps a reference to what it is given)', () => {
    const sent: unknown[] = [];
    const ch: DataChannelLike = { readyState: 'open', bufferedAmount: 0, send: ((d: unknown) => sent.push(d)) as never, close() {} };
    const t = new DataChannelTransport(ch, { toMessage: weriftMessage });
    const d = new Uint8Array([1, 2, 3]);
    t.send(d);
    d[0] = 9;
    assert.ok(Buffer.isBuffer(sent[0]));
    assert.deepEqual([...(sent[0] as Buffer)], [1, 2, 3]);
  });

  it('drops rather than queues past the bufferedAmount limit', () => {
    const ch: DataChannelLike = { readyState: 'open', bufferedAmount: 100_000, send: (() => assert.fail('queued')) as never, close() {} };
    const t = new DataChannelTransport(ch);
    t.send(new Uint8Array(10));
    assert.equal(t.dropped, 1);
  });
});

describe('werift client → relay → kcp-go echo', { skip }, () => {
  const cleanup: Array<() => unknown> = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  // The same matrix the browser runs (e2e/echo.spec.ts), from Node through werift,
  // answered by the relay's default stack; the werift stack answers the aes cases.
  for (const crypt of ['aes', 'salsa20', 'none', 'null'] as const) {
    for (const fec of [false, true]) {
      for (const stack of crypt === 'aes' ? (['auto', 'werift'] as const) : (['auto'] as const)) {
        describe(`crypt=${crypt} fec=${fec ? '10/3' : 'off'} relay stack=${stack}`, () => {
          const relays: Record<string, Relay> = {};
          before(async () => {
            const flags = ['--crypt', crypt, '--key', 'rtc', '--datashard', fec ? '10' : '0', '--parityshard', fec ? '3' : '0', '--mtu', '1200'];
            const go: ServerProcess = await startGoEcho(flags);
            cleanup.push(() => go.stop());
            for (const loss of [0, 0.1]) {
              relays[loss] = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', loss, webtransport: false, webrtc: stack });
              cleanup.push(() => relays[loss]!.close());
            }
          });
          for (const loss of [0, 0.1]) {
            it(`1 MiB echoed, loss ${loss * 100}%`, { timeout: 120_000 }, async () => {
              const relay = relays[loss]!;
              const transport = await connectWebRTC(`${relay.url}kcp-web/rtc`, { createPeerConnection: weriftClient, toMessage: weriftMessage });
              const session = dial(transport, {
                crypt,
                ...(crypt === 'null' ? {} : { key: 'rtc' }),
                ...(fec ? { dataShards: 10, parityShards: 3 } : {}),
                mode: 'fast',
                streamMode: true,
                sndwnd: 256,
                rcvwnd: 256,
              });
              try {
                assert.ok(await echoChecked(session, 1 << 20), 'sha256 equal');
                if (loss > 0) assert.ok(relay.stats.dropped > 0, 'the relay dropped datagrams');
              } finally {
                session.close();
              }
            });
          }
        });
      }
    }
  }

  /** UDP sockets open in this process: the relay's, its werift peer connections' and the client's. */
  const udpSockets = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().filter((h) => h instanceof dgram.Socket).length;

  // A relay runs for weeks: each werift session's ICE sockets must go with it (the client's, in this process too, are counted as well).
  it('a relay on werift holds no UDP socket once its sessions have ended', { timeout: 120_000 }, async () => {
    const go = await startGoEcho(['--crypt', 'null', '--datashard', '0', '--parityshard', '0', '--mtu', '1200']);
    const relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', webtransport: false, webrtc: 'werift' });
    try {
      const start = udpSockets();
      for (let i = 0; i < 3; i++) {
        const transport = await connectWebRTC(`${relay.url}kcp-web/rtc`, { createPeerConnection: weriftClient, toMessage: weriftMessage });
        const session = dial(transport, { crypt: 'null', mode: 'fast', streamMode: true });
        try {
          assert.ok(await echoChecked(session, 16 << 10), 'sha256 equal');
          assert.ok(udpSockets() > start, 'the session holds sockets while it runs');
        } finally {
          session.close();
        }
        await waitFor(() => relay.stats.sessionsActive === 0 && udpSockets() === start, `session ${i + 1}'s UDP sockets to close (${start} open before any session)`, 30_000, 20).catch((e: Error) => {
          throw new Error(`${e.message}: ${udpSockets()} open, relay sessions active ${relay.stats.sessionsActive}`);
        });
      }
      assert.equal(relay.stats.sessionsOpened, 3);
    } finally {
      await relay.close();
      await go.stop();
    }
  });

  // A player who walks away without closing (tab killed, network gone) says nothing: the idle reap must free what the session held.
  it('a werift session whose peer goes silent without closing is reaped with its UDP sockets', { timeout: 120_000 }, async () => {
    const go = await startGoEcho(['--crypt', 'null', '--datashard', '0', '--parityshard', '0', '--mtu', '1200']);
    const relay = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', webtransport: false, webrtc: 'werift', idleTimeout: 2000 });
    try {
      const start = udpSockets();
      const transport = await connectWebRTC(`${relay.url}kcp-web/rtc`, { createPeerConnection: weriftClient, toMessage: weriftMessage });
      const session = dial(transport, { crypt: 'null', mode: 'fast', streamMode: true });
      try {
        assert.ok(await echoChecked(session, 16 << 10), 'sha256 equal');
        const open = udpSockets();
        // The session stays open and sends nothing more: only the relay's reaper can end it.
        await waitFor(() => relay.stats.sessionsReaped === 1, 'the silent session to be reaped', 30_000, 50);
        await waitFor(() => udpSockets() < open, `the reaped session's sockets to close (${open} open while it ran)`, 30_000, 20);
      } finally {
        session.close();
      }
      await waitFor(() => udpSockets() === start, `every UDP socket to close (${start} open before the session)`, 30_000, 20);
      assert.equal(relay.stats.sessionsActive, 0);
    } finally {
      await relay.close();
      await go.stop();
    }
  });

  it('a relay that cannot be reached rejects with a clear message, not a hang', { timeout: 30_000 }, async () => {
    await assert.rejects(
      connectWebRTC('http://127.0.0.1:9/kcp-web/rtc', { createPeerConnection: weriftClient, toMessage: weriftMessage, timeout: 5000 }),
      /cannot reach the kcp-web relay at http:\/\/127\.0\.0\.1:9\/kcp-web\/rtc/,
    );
  });
});

describe('relay WebRTC stack choice', () => {
  const upstream = '127.0.0.1:9';
  it("'auto' takes node-datachannel when its binding loads, else werift saying why", async () => {
    const relay = await startRelay({ upstream, listen: '127.0.0.1:0', webtransport: false });
    try {
      if ('reason' in ndc) assert.match(relay.webrtc, /^werift \(node-datachannel not used: /);
      else assert.match(relay.webrtc, /^node-datachannel \(libdatachannel \d+\.\d+/);
    } finally {
      await relay.close();
    }
  });
  it('each stack can be asked for by name', { skip: ndcSkip }, async () => {
    for (const [webrtc, re] of [['werift', /^werift$/], ['node-datachannel', /^node-datachannel/]] as const) {
      const relay = await startRelay({ upstream, listen: '127.0.0.1:0', webtransport: false, webrtc });
      assert.match(relay.webrtc, re);
      await relay.close();
    }
  });
  it('a bad stack name is refused, naming the accepted ones', async () => {
    await assert.rejects(startRelay({ upstream, listen: '127.0.0.1:0', webtransport: false, webrtc: 'libwebrtc' as WebRtcStackChoice }), /webrtc must be one of auto, node-datachannel, werift; got "libwebrtc"/);
  });
  it('offers lose every address they name before a stack sees them', () => {
    const offer = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=application 50123 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 10.1.2.3', 'a=ice-ufrag:abcd', 'a=candidate:1 1 udp 2113937151 127.0.0.2 50123 typ host', 'a=candidate:2 1 udp 1677729535 203.0.113.9 3478 typ srflx raddr 0.0.0.0 rport 0', 'a=end-of-candidates', 'a=remote-candidates:1 127.0.0.2 50123', ''].join('\r\n');
    const out = withoutRemoteAddresses(offer);
    assert.doesNotMatch(out, /candidate|127\.0\.0\.2|10\.1\.2\.3|203\.0\.113\.9|50123/);
    assert.match(out, /^m=application 9 UDP\/DTLS\/SCTP webrtc-datachannel\r\nc=IN IP4 0\.0\.0\.0\r\na=ice-ufrag:abcd\r\n/m);
  });
});

describe('kcp-web relay CLI', () => {
  const relayCli = (...args: string[]) => spawnSync(process.execPath, [`${ROOT}bin/kcp-web.js`, 'relay', ...args], { encoding: 'utf8', timeout: 20_000 });
  it('exits non-zero without --upstream, saying so', () => {
    const r = relayCli();
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--upstream HOST:PORT is required/);
  });
  it('exits non-zero with a bad --upstream', () => {
    const r = relayCli('--upstream', 'no-port-here');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--upstream must be HOST:PORT/);
    const r2 = relayCli('--upstream', 'nonexistent.invalid:29900');
    assert.notEqual(r2.status, 0);
    assert.match(r2.stderr, /does not resolve/);
  });
  it('exits 2 with a bad --webrtc, naming it and the accepted ones', () => {
    const r = relayCli('--upstream', '127.0.0.1:29900', '--webrtc', 'libwebrtc');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--webrtc must be one of auto, node-datachannel, werift; got "libwebrtc"/);
  });
});
