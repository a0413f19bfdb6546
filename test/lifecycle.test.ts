/**
 * Session lifecycle: what closes a session frees everything it held; a
 * flood of new conversations from new addresses stops at the listener's
 * cap and is counted; a restarted peer is handled as kcp-go's Listener
 * handles it (same address, new conv, sn 0: the old session is replaced) —
 * checked against the real kcp-go listener too.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dial, dialUdp, listen, listenUdp } from '../src/index.node.js';
import { MemoryNet } from './helpers/memory-net.js';
import { FakeRuntime } from './helpers/fake-runtime.js';
import { hasKcpPeer, startGoEcho } from './helpers/kcppeer.js';
import { freeUdpPort } from './helpers/ports.js';

const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
const tick = () => new Promise((r) => setImmediate(r));

describe('what closes a session frees everything', () => {
  it('idle timeout on the server side: the session leaves the listener, no timer stays behind', async () => {
    const rt = new FakeRuntime();
    const net = new MemoryNet();
    const listener = listen(net.endpoint('server'), { runtime: rt, key: 'k', idleTimeout: 5000 });
    const client = dial(net.endpoint('client', 'server'), { runtime: rt, key: 'k' });
    client.send(new Uint8Array([1]));
    rt.advance(100);
    await tick();
    const server = (await listener.accept())!;
    assert.equal(listener.sessions.size, 1);
    client.close(); // the client goes quiet
    rt.advance(6000);
    await tick();
    assert.equal(server.isOpen, false);
    assert.match(server.error!.message, /idle timeout/);
    assert.equal(listener.sessions.size, 0);
    listener.close();
    assert.equal(rt.pendingTimers, 0, 'no timer left scheduled');
  });

  it('dead link on the server side: the session leaves the listener, no timer stays behind', async () => {
    const rt = new FakeRuntime();
    const net = new MemoryNet();
    let cut = false;
    net.filter = (d) => (cut ? null : d);
    const listener = listen(net.endpoint('server'), { runtime: rt, key: 'k', mode: 'fast3' });
    const client = dial(net.endpoint('client', 'server'), { runtime: rt, key: 'k', mode: 'fast3' });
    client.send(new Uint8Array([1]));
    rt.advance(100);
    await tick();
    const server = (await listener.accept())!;
    cut = true; // the network goes away while the server has data in flight
    server.send(new Uint8Array(1000));
    rt.advance(10 * 60_000);
    await tick();
    assert.equal(server.isOpen, false);
    assert.match(server.error!.message, /dead link/);
    assert.equal(listener.sessions.size, 0);
    client.close();
    listener.close();
    assert.equal(rt.pendingTimers, 0, 'no timer left scheduled');
  });

  it('a dialed UDP session that times out closes its socket', async () => {
    const server = await listenUdp('127.0.0.1:0', { key: 'k' });
    const before = udpHandles();
    const s = await dialUdp(server.address, { key: 'k', idleTimeout: 300 });
    assert.equal(udpHandles(), before + 1);
    server.close(); // nothing will answer
    await s.closed;
    // A socket's handle goes on a later turn of the event loop (bounded wait).
    for (let i = 0; i < 100 && udpHandles() > before - 1; i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(s.error!.message, /idle timeout/);
    assert.equal(udpHandles(), before - 1, 'both the client socket and the closed server socket are gone');
  });
});

describe('an unreachable peer', () => {
  it('ends a dialed session with the send error (ECONNREFUSED), never an exception', async () => {
    const crashes: unknown[] = [];
    const onCrash = (e: unknown) => crashes.push(e);
    process.on('uncaughtException', onCrash);
    try {
      const dead = await listenUdp('127.0.0.1:0');
      const address = dead.address;
      dead.close();
      const s = await dialUdp(address, { key: 'k', mode: 'fast3' });
      for (let i = 0; i < 50 && s.isOpen; i++) {
        s.send(new Uint8Array(100));
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(s.isOpen, false);
      assert.match(String(s.error), /ECONNREFUSED/);
      assert.deepEqual(crashes, []);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });
});

describe('a flood of new conversations', () => {
  it('10,000 new addresses stop at the session cap; the rest are refused and counted', async () => {
    const rt = new FakeRuntime();
    const net = new MemoryNet();
    const first: Uint8Array[] = [];
    net.filter = (d, from) => (from === 'client' && first.push(d.slice()), d);
    const listener = listen(net.endpoint('server'), { runtime: rt, key: 'k', maxSessions: 100 });
    listener.onsession = () => {}; // accepted at once: only the cap limits
    const client = dial(net.endpoint('client', 'server'), { runtime: rt, key: 'k' });
    client.send(new Uint8Array([1]));
    rt.advance(50);
    await tick();
    // The same valid opening packet from 10,000 other addresses: each one is a new conversation.
    for (let i = 0; i < 10_000; i++) listener._packetInput(first[0]!.slice(), `flood-${i}`);
    assert.equal(listener.sessions.size, 100);
    assert.equal(listener.refused, 10_000 + 1 - 100);
    client.close();
    listener.close();
    assert.equal(listener.sessions.size, 0);
  });
});

describe('a restarted peer (same address, new conv, sn 0)', () => {
  it('replaces its old session on kcp-web\'s listener, as kcp-go does', async () => {
    const listener = await listenUdp('127.0.0.1:0', { key: 'k' });
    const sessions: Array<{ isOpen: boolean }> = [];
    listener.onsession = (s) => {
      sessions.push(s);
      void (async () => {
        for await (const m of s) s.send(m);
      })().catch(() => {});
    };
    const port = await freeUdpPort();
    const echoOnce = async (conv: number) => {
      const c = await dialUdp(listener.address, { key: 'k', conv, udp: { local: `127.0.0.1:${port}` } });
      c.send(new Uint8Array([conv & 0xff]));
      const m = await c.read();
      c.close();
      return m?.[0];
    };
    assert.equal(await echoOnce(1001), 1001 & 0xff);
    assert.equal(await echoOnce(2002), 2002 & 0xff);
    assert.equal(sessions.length, 2);
    assert.equal(sessions[0]!.isOpen, false, 'the old session was replaced');
    assert.equal(listener.sessions.size, 1);
    listener.close();
  });

  it('kcp-go\'s own listener does the same: the restarted kcp-web client is served again', { skip: hasKcpPeer ? false : 'interop/bin/kcppeer missing' }, async () => {
    const go = await startGoEcho(['--crypt', 'aes', '--key', 'k', '--datashard', '0', '--parityshard', '0']);
    try {
      const port = await freeUdpPort();
      for (const conv of [1001, 2002]) {
        const c = await dialUdp(go.address, { key: 'k', conv, udp: { local: `127.0.0.1:${port}` } });
        c.send(new Uint8Array([conv & 0xff]));
        const timer = setTimeout(() => c.close(), 10_000);
        assert.equal((await c.read())?.[0], conv & 0xff, `conv ${conv} echoed`);
        clearTimeout(timer);
        c.close();
      }
    } finally {
      go.stop();
    }
  });
});

describe('dead link needs a silent peer (kcp-go only marks it; early retransmits count towards it)', () => {
  it('a segment resent 20 times while the peer keeps answering does not close the session; silence then does', async () => {
    const rt = new FakeRuntime();
    const net = new MemoryNet();
    // The client's datagrams whose first segment is sn 0 never arrive; everything else does.
    net.filter = (d, from) => (from === 'client' && new DataView(d.buffer, d.byteOffset).getUint32(12, true) === 0 ? null : d);
    const listener = listen(net.endpoint('server'), { runtime: rt, mode: 'fast3', sndwnd: 1024, rcvwnd: 1024 });
    const client = dial(net.endpoint('client', 'server'), { runtime: rt, mode: 'fast3', sndwnd: 1024, rcvwnd: 1024 });
    // 10 s of messages every 50 ms: each ack of a later segment makes sn 0 a fast/early retransmit.
    for (let t = 0; t < 10_000; t += 50) {
      client.send(new Uint8Array([t & 0xff]));
      rt.advance(50);
      await tick();
    }
    assert.ok(client.stats.FastRetransSegs + client.stats.EarlyRetransSegs >= 20, JSON.stringify(client.stats.copy()));
    assert.equal(client.isOpen, true, String(client.error));
    rt.advance(60_000); // the peer falls silent
    await tick();
    assert.equal(client.isOpen, false);
    assert.match(String(client.error), /dead link/);
    listener.close();
  });
});
