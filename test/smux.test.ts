/**
 * smux (src/smux) against smux's own test checklist: stream ids, echo,
 * large and random-length transfers (v1, v2), u32 wrap of the v2 counters,
 * parallel streams, keepalive timeout, half-close, bad frames, the receive
 * budget, web streams and the Node Duplex.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { smuxClient, smuxServer, SmuxError, SmuxSession, type SmuxOptions } from '../src/smux/index.js';
import type { SmuxStream } from '../src/smux/stream.js';
import { smuxStreamToDuplex } from '../src/smux/node.js';
import { CMD_FIN, CMD_NOP, CMD_PSH, CMD_SYN, CMD_UPD, encodeFrame } from '../src/smux/frame.js';
import { bytePipe, type PipeEnd } from './helpers/byte-pipe.js';
import { FakeRuntime } from './helpers/fake-runtime.js';

const tick = () => new Promise((r) => setImmediate(r));

function pair(options: SmuxOptions = {}): { client: SmuxSession; server: SmuxSession; a: PipeEnd; b: PipeEnd } {
  const [a, b] = bytePipe();
  return { client: smuxClient(a, { KeepAliveDisabled: true, ...options }), server: smuxServer(b, { KeepAliveDisabled: true, ...options }), a, b };
}

async function readAll(s: SmuxStream): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of s) parts.push(c);
  return Buffer.concat(parts);
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Writes `data` in random-sized pieces (1 B .. 100 KiB), then half-closes. */
async function writeRandomly(s: SmuxStream, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const n = Math.min(data.length - off, 1 + Math.floor(Math.random() * 100_000));
    await s.write(data.subarray(off, off + n));
    off += n;
  }
  await s.closeWrite();
}

describe('smux sessions', () => {
  it('numbers streams as smux does: client 3, 5, 7…; server 2, 4…', async () => {
    const { client, server } = pair();
    const ids = [(await client.openStream()).id, (await client.openStream()).id, (await client.openStream()).id];
    assert.deepEqual(ids, [3, 5, 7]);
    assert.deepEqual([(await server.openStream()).id, (await server.openStream()).id], [2, 4]);
    const accepted = [(await server.accept())!.id, (await server.accept())!.id];
    assert.deepEqual(accepted, [3, 5]);
    client.close();
    server.close();
  });

  for (const Version of [1, 2] as const) {
    it(`v${Version}: echoes 8 MiB in random-length writes, both ways at once`, async () => {
      const { client, server } = pair({ Version, MaxFrameSize: 8192 });
      void (async () => {
        for await (const s of server) void (async () => {
          for await (const c of s) await s.write(c);
          await s.closeWrite();
        })();
      })();
      const data = randomBytes(8 << 20);
      const s = await client.openStream();
      const [, echoed] = await Promise.all([writeRandomly(s, data), readAll(s)]);
      assert.equal(echoed.length, data.length);
      assert.equal(sha(echoed), sha(data));
      assert.equal(client.numStreams, 0, 'FIN both ways: the stream is forgotten');
      assert.equal(client.stats.protocolErrors + server.stats.protocolErrors, 0);
      client.close();
      server.close();
    });
  }

  it('v2: a small window holds the writer, and the counters wrap past 2^32', async () => {
    const { client, server } = pair({ Version: 2, MaxStreamBuffer: 4096, MaxReceiveBuffer: 65536, MaxFrameSize: 1000 });
    const s = await client.openStream();
    const r = (await server.accept())!;
    // Both ends 300 KB short of 2^32, as if 4 GiB had already passed (smux's Test8GBTransferV2, in miniature).
    const start = 2 ** 32 - 300_000;
    Object.assign(s as unknown as Record<string, number>, { numWritten: start, peerConsumed: start, peerWindow: 4096 });
    Object.assign(r as unknown as Record<string, number>, { numRead: start });
    const data = randomBytes(1 << 20);
    let maxUnread = 0;
    const reading = (async () => {
      const parts: Uint8Array[] = [];
      for (;;) {
        await tick();
        maxUnread = Math.max(maxUnread, r.readableLength);
        const c = await r.read();
        if (c === null) break;
        parts.push(c);
      }
      return Buffer.concat(parts);
    })();
    await s.write(data);
    await s.closeWrite();
    const got = await reading;
    assert.equal(sha(got), sha(data));
    assert.ok(maxUnread <= 4096, `the writer kept to the 4096-byte window (saw ${maxUnread} unread)`);
    const after = (s as unknown as { numWritten: number }).numWritten;
    assert.equal(after, (start + data.length) % 2 ** 32, 'numWritten wrapped modulo 2^32');
    assert.ok(after < start);
    client.close();
    server.close();
  });

  it('carries 16 parallel streams of 512 KiB each, both directions', async () => {
    const { client, server } = pair({ Version: 2 });
    void (async () => {
      for await (const s of server) void (async () => {
        for await (const c of s) await s.write(c);
        await s.closeWrite();
      })();
    })();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        const data = randomBytes(512 << 10);
        const s = await client.openStream();
        const [, echoed] = await Promise.all([writeRandomly(s, data), readAll(s)]);
        assert.equal(sha(echoed), sha(data));
      }),
    );
    assert.equal(server.stats.streamsAccepted, 16);
    client.close();
    server.close();
  });

  it('half-close: EOF after the data, writing goes on both ways until FIN both ways', async () => {
    const { client, server } = pair({ Version: 2 });
    const s = await client.openStream();
    await s.write(new TextEncoder().encode('request'));
    await s.closeWrite();
    const r = (await server.accept())!;
    assert.equal(Buffer.from((await readAll(r))).toString(), 'request');
    // The server writes after the client's FIN (smux v1.5.54+).
    await r.write(new TextEncoder().encode('reply'));
    await assert.rejects(s.write(new Uint8Array(1)), (e: SmuxError) => e.code === 'closed');
    assert.equal(server.numStreams, 1);
    await r.closeWrite();
    assert.equal(server.numStreams, 0, 'FIN sent and received: forgotten');
    assert.equal(Buffer.from(await readAll(s)).toString(), 'reply');
    await tick();
    assert.equal(client.numStreams, 0);
    client.close();
    server.close();
  });

  it('close(): the peer reads EOF, later data for the stream is dropped and counted', async () => {
    const { client, server } = pair();
    const s = await client.openStream();
    const r = (await server.accept())!;
    s.close();
    assert.equal(await r.read(), null);
    await r.write(new Uint8Array(10));
    await tick();
    await tick();
    assert.equal(client.stats.droppedFrames, 1);
    client.close();
    server.close();
  });

  it('keepalive: closes a session whose peer is silent, keeps one whose peer sends NOPs', async () => {
    const rt = new FakeRuntime();
    const timers = { setTimer: rt.setTimer, clearTimer: rt.clearTimer };
    const [a, b] = bytePipe();
    const live = smuxClient(a, { KeepAliveInterval: 1000, KeepAliveTimeout: 3000, timers });
    const peer = smuxServer(b, { KeepAliveInterval: 1000, KeepAliveTimeout: 3000, timers });
    for (let t = 0; t < 20; t++) {
      rt.advance(500);
      await tick();
      await tick();
    }
    assert.equal(live.isClosed, false);
    assert.equal(peer.isClosed, false);
    peer.close();
    await tick();
    // The peer's conn closed: the session sees the end of the stream.
    assert.equal(live.isClosed, true);
    assert.equal(live.error?.code, 'broken-pipe');

    const [c] = bytePipe(); // nothing will ever arrive on c
    const lonely = smuxClient(c, { KeepAliveInterval: 1000, KeepAliveTimeout: 3000, timers });
    rt.advance(2999);
    assert.equal(lonely.isClosed, false);
    rt.advance(1);
    assert.equal(lonely.isClosed, true);
    assert.equal(lonely.error?.code, 'keepalive');
    assert.equal(lonely.stats.keepaliveTimeouts, 1);
    assert.equal(rt.pendingTimers, 0, 'no timers left behind');
    assert.equal(await lonely.closed, lonely.error);
  });

  it('the receive budget: an unread stream stops the session reading, reading resumes it', async () => {
    const { client, server } = pair({ Version: 1, MaxReceiveBuffer: 64 << 10, MaxStreamBuffer: 64 << 10, MaxFrameSize: 4096 });
    const s = await client.openStream();
    const r = (await server.accept())!;
    const data = randomBytes(1 << 20);
    const writing = s.write(data).then(() => s.closeWrite());
    for (let i = 0; i < 20; i++) await tick();
    assert.ok(r.readableLength <= (64 << 10) + 65536, `held ${r.readableLength} bytes`);
    const got = await readAll(r);
    await writing;
    assert.equal(sha(got), sha(data));
    client.close();
    server.close();
  });
});

describe('smux bad input', () => {
  const cases: Array<[string, 1 | 2, Uint8Array, RegExp]> = [
    ['a wrong version byte', 1, encodeFrame(2, CMD_NOP, 0), /frame version 2 .*speaks version 1/],
    ['an unknown command', 2, encodeFrame(2, 9, 3), /unknown command 9/],
    ['NOP with a payload', 1, encodeFrame(1, CMD_NOP, 0, new Uint8Array(4)), /NOP with a 4-byte payload/],
    ['SYN with a payload', 1, encodeFrame(1, CMD_SYN, 3, new Uint8Array(1)), /SYN with a 1-byte payload/],
    ['FIN with a payload', 2, encodeFrame(2, CMD_FIN, 3, new Uint8Array(2)), /FIN with a 2-byte payload/],
    ['UPD in version 1', 1, encodeFrame(1, CMD_UPD, 3, new Uint8Array(8)), /UPD \(stream 3\) in version 1/],
    ['UPD of 7 bytes', 2, encodeFrame(2, CMD_UPD, 3, new Uint8Array(7)), /UPD with a 7-byte payload/],
  ];
  for (const [name, Version, frame, re] of cases) {
    it(`${name} closes the session with a protocol error`, async () => {
      const [a, b] = bytePipe();
      const server = smuxServer(b, { Version, KeepAliveDisabled: true });
      const stream = smuxClient(a, { Version, KeepAliveDisabled: true });
      const s = await stream.openStream();
      const r = (await server.accept())!;
      const pendingRead = r.read();
      b.arrive(frame);
      const err = await server.closed;
      assert.ok(err instanceof SmuxError);
      assert.equal(err.code, 'protocol');
      assert.match(err.message, re);
      assert.equal(server.stats.protocolErrors, 1);
      await assert.rejects(pendingRead, (e: SmuxError) => e === err, 'the stream read fails with the session error');
      assert.equal(await server.accept(), null);
      s.close();
      stream.close();
    });
  }

  it('a duplicate SYN is ignored; FIN and UPD for unknown streams are ignored; PSH to one is dropped', async () => {
    const [a, b] = bytePipe();
    const server = smuxServer(b, { Version: 2, KeepAliveDisabled: true });
    void a;
    const bytes = [encodeFrame(2, CMD_SYN, 3), encodeFrame(2, CMD_SYN, 3), encodeFrame(2, CMD_FIN, 99), encodeFrame(2, CMD_UPD, 99, new Uint8Array(8)), encodeFrame(2, CMD_PSH, 77, new Uint8Array(5)), encodeFrame(2, CMD_PSH, 3, new Uint8Array(0)), encodeFrame(2, CMD_PSH, 3, new Uint8Array([1, 2]))];
    // One byte at a time: frames split across reads.
    for (const f of bytes) for (const byte of f) b.arrive(new Uint8Array([byte]));
    const s = (await server.accept())!;
    assert.equal(s.id, 3);
    assert.deepEqual([...(await s.read())!], [1, 2]);
    assert.equal(server.stats.streamsAccepted, 1);
    assert.equal(server.stats.droppedFrames, 1);
    assert.equal(server.isClosed, false);
    server.close();
  });

  it('random frames never throw: the session stays up or closes with a SmuxError', async () => {
    let closedWithError = 0;
    for (let round = 0; round < 300; round++) {
      const [, b] = bytePipe();
      const Version = round % 2 ? 1 : 2;
      const server = smuxServer(b, { Version, KeepAliveDisabled: true });
      void server.accept();
      for (let i = 0; i < 20; i++) {
        const kind = Math.random();
        let f: Uint8Array;
        if (kind < 0.3) f = randomBytes(1 + Math.floor(Math.random() * 40));
        else {
          const cmd = Math.floor(Math.random() * 6);
          const len = cmd === CMD_UPD && Math.random() < 0.8 ? 8 : Math.random() < 0.7 ? 0 : Math.floor(Math.random() * 20);
          const ver = Math.random() < 0.9 ? Version : Math.floor(Math.random() * 256);
          f = encodeFrame(ver, cmd, Math.floor(Math.random() * 8), randomBytes(len));
        }
        b.arrive(f);
      }
      await tick();
      if (server.isClosed) {
        assert.ok(server.error instanceof SmuxError, String(server.error));
        closedWithError++;
      }
      server.close();
    }
    assert.ok(closedWithError > 0);
  });
});

describe('smux streams as web streams and Node streams', () => {
  it('readable / writable carry 1 MiB and half-close', async () => {
    const { client, server } = pair({ Version: 2 });
    const s = await client.openStream();
    const data = randomBytes(1 << 20);
    const writer = s.writable.getWriter();
    const r = (await server.accept())!;
    const got = (async () => {
      const parts: Uint8Array[] = [];
      const reader = r.readable.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
      }
      return Buffer.concat(parts);
    })();
    for (let off = 0; off < data.length; off += 70_000) await writer.write(data.subarray(off, off + 70_000));
    await writer.close();
    assert.equal(sha(await got), sha(data));
    client.close();
    server.close();
  });

  it('the Node Duplex pipes with end() as FIN', async () => {
    const { client, server } = pair({ Version: 1 });
    const s = await client.openStream();
    const data = randomBytes(2 << 20);
    const r = (await server.accept())!;
    const parts: Buffer[] = [];
    await Promise.all([
      pipeline(Readable.from([data.subarray(0, 1 << 20), data.subarray(1 << 20)]), smuxStreamToDuplex(s)),
      pipeline(smuxStreamToDuplex(r), new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) })),
    ]);
    assert.equal(sha(Buffer.concat(parts)), sha(data));
    client.close();
    server.close();
  });
});

describe('smux over kcp-web sessions', () => {
  it('v2 + snappy over a keyed KCP stream session (FEC 10/3) echoes 4 streams of 1 MiB', async () => {
    const { dial, listen } = await import('../src/index.node.js');
    const { SnappyConn } = await import('../src/smux/snappy.js');
    const { MemoryNet } = await import('./helpers/memory-net.js');
    const net = new MemoryNet(true);
    const opts = { crypt: 'aes', key: 'smux', dataShards: 10, parityShards: 3, streamMode: true, mode: 'fast2', sndwnd: 1024, rcvwnd: 1024 } as const;
    const listener = listen(net.endpoint('server'), opts);
    const kcp = dial(net.endpoint('client', 'server'), opts);
    const client = smuxClient(new SnappyConn(kcp), { Version: 2, MaxFrameSize: 8192 });
    void (async () => {
      for await (const ks of listener) {
        const server = smuxServer(new SnappyConn(ks), { Version: 2 });
        void (async () => {
          for await (const s of server) void (async () => {
            for await (const c of s) await s.write(c);
            await s.closeWrite();
          })();
        })();
      }
    })();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        const data = randomBytes(1 << 20);
        const s = await client.openStream();
        const [, echoed] = await Promise.all([writeRandomly(s, data), readAll(s)]);
        assert.equal(sha(echoed), sha(data));
      }),
    );
    client.close();
    listener.close();
    assert.equal(kcp.isOpen, false, 'closing the smux session closes the KCP session');
  });
});
