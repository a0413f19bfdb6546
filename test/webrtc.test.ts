/**
 * WebRTC path in Node: werift client → kcp-web relay → real kcp-go echo, and
 * a test for each werift defect we work around.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dial } from '../src/index.node.js';
import { connectWebRTC, DATA_CHANNEL_INIT, DataChannelTransport, type DataChannelLike } from '../src/transports/webrtc.js';
import { weriftPeerConnections, patchSctpAbandon, weriftMessage } from '../src/adapter/node/werift.js';
import { echoChecked } from './helpers/echo.js';
import { startRelay, type Relay } from '../src/relay/index.js';
import { hasKcpPeer, ROOT, startGoEcho, type ServerProcess } from './helpers/kcppeer.js';

const createWeriftPeerConnection = await weriftPeerConnections();

const skip = hasKcpPeer ? false : 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`';
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

  // The same matrix the browser runs (e2e/echo.spec.ts), from Node through werift.
  for (const crypt of ['aes', 'salsa20', 'none', 'null'] as const) {
    for (const fec of [false, true]) {
      describe(`crypt=${crypt} fec=${fec ? '10/3' : 'off'}`, () => {
        const relays: Record<string, Relay> = {};
        before(async () => {
          const flags = ['--crypt', crypt, '--key', 'rtc', '--datashard', fec ? '10' : '0', '--parityshard', fec ? '3' : '0', '--mtu', '1200'];
          const go: ServerProcess = await startGoEcho(flags);
          cleanup.push(() => go.stop());
          for (const loss of [0, 0.1]) {
            relays[loss] = await startRelay({ upstream: go.address, listen: '127.0.0.1:0', loss, webtransport: false });
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

  it('a relay that cannot be reached rejects with a clear message, not a hang', { timeout: 30_000 }, async () => {
    await assert.rejects(
      connectWebRTC('http://127.0.0.1:9/kcp-web/rtc', { createPeerConnection: weriftClient, toMessage: weriftMessage, timeout: 5000 }),
      /cannot reach the kcp-web relay at http:\/\/127\.0\.0\.1:9\/kcp-web\/rtc/,
    );
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
});
