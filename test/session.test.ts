/** Session and listener behaviour, kcp-web to kcp-web over an in-memory network. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { dial, listen, OptionError, CRYPT_NAMES, type Session, type CryptName } from '../src/index.node.js';
import { MemoryNet } from './helpers/memory-net.js';
import { FakeRuntime } from './helpers/fake-runtime.js';
import { seededRandom } from './helpers/hostile-link.js';
import { waitFor } from './helpers/wait.js';
import { createNodeBlockCrypt } from '../src/adapter/node/crypt.js';
import * as crypt from '../src/core/crypt/index.js';
import { deriveKey, type BlockCrypt } from '../src/core/crypt/index.js';
import { CRYPT_HEADER_SIZE, openPacket } from '../src/core/crypt/packet.js';
import { Outbox } from '../src/core/outbox.js';
import { Inbox } from '../src/core/inbox.js';
import { DefaultSnmp, Snmp } from '../src/core/snmp.js';
import { resolveOptions, PROFILE_OPTIONS, type ResolvedOptions } from '../src/core/options.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// Whatever a failing test leaves open is closed at the end, so the run never hangs.
const opened: Array<{ close(): void }> = [];
after(() => opened.forEach((o) => o.close()));

function setup(opts: Parameters<typeof dial>[1] = {}, loss = 0, sendCopies = false) {
  const net = new MemoryNet(sendCopies);
  const rand = seededRandom(99);
  if (loss > 0) net.filter = (d) => (rand() < loss ? null : d);
  const listener = listen(net.endpoint('server'), opts);
  const client = dial(net.endpoint('client', 'server'), opts);
  opened.push(listener, client);
  return { net, listener, client };
}

/** KCP segments in one datagram (no crypto, no FEC): 24-byte headers plus their payload lengths. */
function countSegments(d: Uint8Array): number {
  let n = 0;
  for (let off = 0; off + 24 <= d.length; n++) off += 24 + new DataView(d.buffer, d.byteOffset + off).getUint32(20, true);
  return n;
}

async function readBytes(s: Session, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const m = await s.read();
    if (!m) break;
    out.set(m.subarray(0, n - got), got);
    got += m.length;
  }
  return out.subarray(0, got);
}

describe('session over memory network', () => {
  // Transports that copy at send() (sendCopies, as kcp-web's own) get the
  // sessions' reused buffers: Node AES through the outbox's reused copies,
  // salsa20 and no cipher sealed in place.
  const cases: Array<[CryptName, boolean]> = [
    ...(['null', 'aes', 'salsa20', 'xor', 'none', 'twofish', 'aes-128-gcm'] as CryptName[]).map((c): [CryptName, boolean] => [c, false]),
    ...(['null', 'aes', 'salsa20', 'aes-128-gcm'] as CryptName[]).map((c): [CryptName, boolean] => [c, true]),
  ];
  for (const [crypt, sendCopies] of cases) {
    for (const fec of [false, true]) {
      it(`stream echo crypt=${crypt} fec=${fec} loss=15%${sendCopies ? ', transport copies (no copy in the session)' : ''}`, { timeout: 60_000 }, async () => {
        const opts = {
          crypt,
          key: 'k',
          mode: 'fast3' as const,
          streamMode: true,
          sndwnd: 256,
          rcvwnd: 256,
          ...(fec ? { dataShards: 10, parityShards: 3 } : {}),
        };
        const { listener, client } = setup(crypt === 'null' ? { ...opts, key: undefined } : opts, 0.15, sendCopies);
        const payload = randomBytes(256 * 1024);
        const serving = (async () => {
          const s = (await listener.accept())!;
          for await (const chunk of s) await s.write(chunk);
        })();
        const writing = (async () => {
          for (let off = 0; off < payload.length; off += 3000) await client.write(payload.subarray(off, off + 3000));
        })();
        const echoed = await readBytes(client, payload.length);
        await writing;
        assert.equal(sha(echoed), sha(payload));
        if (fec) assert.ok(client.stats.FECRecovered + client.stats.FECParityShards > 0);
        client.close();
        listener.close();
        await serving;
      });
    }
  }

  it('traffic counters agree across the two ends and with the process-wide ones', async () => {
    const fields = ['InPkts', 'OutPkts', 'InBytes', 'OutBytes', 'InSegs', 'OutSegs', 'BytesSent', 'BytesReceived'] as const;
    const before = DefaultSnmp.copy();
    const { listener, client } = setup({ mode: 'fast3', crypt: 'salsa20', key: 'k' });
    for (let i = 0; i < 50; i++) client.send(new Uint8Array(700).fill(i));
    const s = (await listener.accept())!;
    for (let i = 0; i < 50; i++) assert.equal((await s.read())![0], i);
    while (client.waitSnd > 0) await new Promise((r) => setTimeout(r, 5));
    const a = client.stats;
    const b = s.stats;
    assert.equal(a.BytesSent, 50 * 700);
    assert.equal(b.BytesReceived, 50 * 700);
    assert.ok(a.OutPkts > 0 && a.OutSegs >= 50 && a.OutBytes > 50 * 700);
    // No loss on this network: what one end sent, the other received.
    assert.equal(b.InPkts, a.OutPkts);
    // As kcp-go: OutBytes counts what went on the wire, InBytes what was left after the 20-byte crypto header.
    assert.equal(b.InBytes, a.OutBytes - 20 * a.OutPkts);
    assert.equal(b.InSegs, a.OutSegs);
    for (const f of fields) assert.equal(DefaultSnmp[f] - before[f], a[f] + b[f], `DefaultSnmp.${f} counts both ends`);
    client.close();
    listener.close();
  });

  it('stream mode: one read takes all that has arrived in order (up to 64 KiB), as a TCP read does', async () => {
    const { listener, client } = setup({ mode: 'fast3', streamMode: true, sndwnd: 256, rcvwnd: 256 });
    const payload = randomBytes(100_000);
    await client.write(payload);
    const s = (await listener.accept())!;
    while (client.waitSnd > 0) await new Promise((r) => setTimeout(r, 5));
    // Everything is acknowledged, so it all waits in s's receive queue: ~73 segments, in two reads.
    const first = (await s.read())!;
    assert.ok(first.length > 60_000 && first.length <= 65_536, `first read: ${first.length} bytes`);
    const second = (await s.read())!;
    assert.equal(first.length + second.length, payload.length);
    assert.equal(sha(Buffer.concat([first, second])), sha(payload));
    client.close();
    listener.close();
  });

  it('message mode keeps message boundaries, including multi-fragment messages', async () => {
    const { listener, client } = setup({ mode: 'fast3' });
    const sizes = [1, 100, 1376, 1377, 5000, 20_000, 0x7fff];
    for (const n of sizes) client.send(new Uint8Array(n).fill(n & 0xff));
    const s = (await listener.accept())!;
    for (const n of sizes) {
      const m = (await s.read())!;
      assert.equal(m.length, n);
      assert.equal(m[n - 1], n & 0xff);
    }
    assert.throws(() => client.send(new Uint8Array(0)), RangeError);
    assert.throws(() => client.send(new Uint8Array(256 * client.mss)), /255 fragments/);
    client.close();
    listener.close();
  });

  it('onmessage receives messages as they arrive', async () => {
    const { listener, client } = setup({ mode: 'fast3' });
    client.send(new Uint8Array([1]));
    const s = (await listener.accept())!;
    const got = await new Promise<Uint8Array>((resolve) => (s.onmessage = resolve));
    assert.deepEqual([...got], [1]);
    client.close();
    listener.close();
  });

  it('web streams carry data both ways', async () => {
    const { listener, client } = setup({ mode: 'fast3' });
    const writer = client.writable.getWriter();
    await writer.write(new Uint8Array([7, 8, 9]));
    const s = (await listener.accept())!;
    const reader = s.readable.getReader();
    const r = await reader.read();
    assert.deepEqual([...r.value!], [7, 8, 9]);
    client.close();
    listener.close();
  });

  it("a listener with a batch cipher (Node AES) opens a burst from many peers in one call and seals all its sessions' replies in one", async () => {
    const net = new MemoryNet();
    const key = deriveKey('k');
    const inner = createNodeBlockCrypt('aes', key)!;
    const sealed: number[] = [];
    let openCalls = 0;
    const block: BlockCrypt = {
      encrypt: (d, s) => inner.encrypt(d, s),
      decrypt: (d, s) => inner.decrypt(d, s),
      encryptPackets: (ps) => void (sealed.push(ps.length), inner.encryptPackets!(ps)),
      decryptPackets: (ps) => void (openCalls++, inner.decryptPackets!(ps)),
    };
    const listener = listen(net.endpoint('server'), { block });
    listener.onsession = (s) => (s.onmessage = (m) => void s.send(m));
    // The peers seal one by one with the pure TypeScript AES: every batch-sealed reply must open there.
    const peers = ['p1', 'p2', 'p3'].map((name) => dial(net.endpoint(name, 'server'), { block: crypt.newAESBlockCrypt(key) }));
    opened.push(listener, ...peers);
    const echoes = peers.map((p) => new Promise<Uint8Array>((resolve) => (p.onmessage = resolve)));
    peers.forEach((p, i) => p.send(new Uint8Array(100).fill(i + 1)));
    const got = await Promise.all(echoes);
    got.forEach((m, i) => assert.deepEqual(m, new Uint8Array(100).fill(i + 1)));
    assert.equal(openCalls, 1, 'the three first datagrams arrived in one burst and were opened in one call');
    assert.ok(Math.max(...sealed) >= 3, `the replies to the three peers were sealed together: batches of ${sealed.join(', ')}`);
    assert.equal(peers.reduce((n, p) => n + p.stats.InCsumErrors, 0), 0);
    peers.forEach((p) => p.close());
    listener.close();
  });
});

describe("aes-128-gcm: kcp-go's AEAD framing", () => {
  const key16 = deriveKey('k').subarray(0, 16);
  /** Every datagram the client sends, as captured on the wire. */
  function capture(opts: Parameters<typeof dial>[1]) {
    const { net, listener, client } = setup(opts);
    const wire: Uint8Array[] = [];
    net.filter = (d, from) => {
      if (from === 'client') wire.push(d.slice());
      return d;
    };
    return { listener, client, wire };
  }

  for (const fec of [false, true]) {
    it(`nonce(12) | ciphertext | tag(16) per datagram, MTU less 28${fec ? ' and the FEC header' : ''} (kcp-go's SetMtu), fresh nonces${fec ? ', parity sealed too' : ''}`, async () => {
      const { listener, client, wire } = capture({ crypt: 'aes-128-gcm', key: 'k', mode: 'fast3', mtu: 1350, sndwnd: 256, rcvwnd: 256, ...(fec ? { dataShards: 10, parityShards: 3 } : {}) });
      // kcptun's 1350: kcp-go's kcp.mtu is 1350 - 12 - 16 [- 8], its mss 24 less.
      assert.equal(client.mss, fec ? 1290 : 1298);
      const payload = randomBytes(40 * 1290);
      client.send(payload);
      const s = (await listener.accept())!;
      assert.equal(sha(await readBytes(s, payload.length)), sha(payload));
      const reference = crypt.newAESGCMCrypt(key16);
      const nonces = new Set<string>();
      let parity = 0;
      for (const d of wire) {
        assert.ok(d.length <= 1350, `${d.length}-byte datagram`);
        nonces.add(Buffer.from(d.subarray(0, 12)).toString('hex'));
        const p = d.slice();
        assert.ok(reference.aead!.open(p), 'opens with the pure TypeScript AES-GCM under the first 16 bytes of the derived key');
        const plain = p.subarray(12, p.length - 16);
        const flag = plain[4]! | (plain[5]! << 8);
        if (fec) {
          assert.ok(flag === 0xf1 || flag === 0xf2, 'the FEC header is inside the sealed plaintext');
          if (flag === 0xf2) parity++;
        } else {
          assert.equal(new DataView(plain.buffer, plain.byteOffset).getUint32(0, true), client.conv, 'KCP segments right after the nonce');
        }
      }
      assert.equal(nonces.size, wire.length, 'a fresh nonce per datagram');
      if (fec) assert.ok(parity >= 3, `parity datagrams sealed too (${parity})`);
      assert.ok(wire.some((d) => d.length === 1350), 'full datagrams fill the MTU exactly');
      client.close();
      listener.close();
    });
  }

  it('the pure TypeScript AES-GCM (browsers) and node:crypto (the Node default) talk to each other', async () => {
    const net = new MemoryNet();
    const listener = listen(net.endpoint('server'), { crypt: 'aes-128-gcm', key: 'k', dataShards: 3, parityShards: 2 });
    const client = dial(net.endpoint('client', 'server'), { block: crypt.newAESGCMCrypt(key16), dataShards: 3, parityShards: 2 });
    opened.push(listener, client);
    listener.onsession = (s) => (s.onmessage = (m) => void s.send(m));
    const msg = randomBytes(5000);
    const echoed = new Promise<Uint8Array>((resolve) => (client.onmessage = resolve));
    client.send(msg);
    assert.equal(sha(await echoed), sha(msg));
    assert.equal(client.stats.InCsumErrors, 0);
    client.close();
    listener.close();
  });

  it('InBytes is OutBytes less nonce and tag, as kcp-go counts them', async () => {
    const { listener, client } = setup({ mode: 'fast3', crypt: 'aes-128-gcm', key: 'k' });
    for (let i = 0; i < 20; i++) client.send(new Uint8Array(700).fill(i));
    const s = (await listener.accept())!;
    for (let i = 0; i < 20; i++) assert.equal((await s.read())![0], i);
    while (client.waitSnd > 0) await new Promise((r) => setTimeout(r, 5));
    assert.equal(s.stats.InPkts, client.stats.OutPkts);
    assert.equal(s.stats.InBytes, client.stats.OutBytes - 28 * client.stats.OutPkts);
    client.close();
    listener.close();
  });

  it('a tampered, truncated, replayed or wrong-key datagram is dropped; a bad tag counts InCsumErrors, a short one InErrs', async () => {
    const { net, listener, client } = setup({ crypt: 'aes-128-gcm', key: 'k', mode: 'fast3' });
    const seen: Uint8Array[] = [];
    net.filter = (d, from) => (from === 'client' && seen.push(d.slice()), d);
    client.send(new Uint8Array([1, 2, 3]));
    const s = (await listener.accept())!;
    assert.deepEqual([...(await s.read())!], [1, 2, 3]);
    const good = seen[0]!;
    const before = listener.stats.copy();
    const sBefore = s.stats.copy();
    const tampered = [12, good.length - 17, good.length - 1].map((at) => {
      const d = good.slice();
      d[at]! ^= 0x40;
      return d;
    });
    const wrongKey = good.slice();
    crypt.newAESGCMCrypt(deriveKey('other').subarray(0, 16)).aead!.seal(wrongKey);
    for (const d of [...tampered, wrongKey, good.subarray(0, good.length - 1)]) net.inject(d, 'client', 'server');
    for (const n of [0, 12, 27]) net.inject(new Uint8Array(n), 'client', 'server');
    net.inject(good, 'client', 'server'); // a replay: authentic, so KCP drops it as a repeat
    await new Promise((r) => setTimeout(r, 50));
    const after = listener.stats.copy();
    assert.equal(after.InCsumErrors - before.InCsumErrors, 5, 'three flipped bits, a wrong key and a cut tag');
    assert.equal(after.InErrs - before.InErrs, 3, 'shorter than nonce + tag');
    assert.equal(s.stats.RepeatSegs - sBefore.RepeatSegs, 1, 'the replay reached KCP, which dropped it');
    client.send(new Uint8Array([4, 5]));
    assert.deepEqual([...(await s.read())!], [4, 5]);
    client.close();
    listener.close();
  });
});

describe('bad input is counted and dropped, never thrown, never kills a session', () => {
  for (const crypt of CRYPT_NAMES) {
    it(`crypt=${crypt}`, async () => {
      const key = crypt === 'null' ? undefined : 'right key';
      const { net, listener, client } = setup({ crypt, key, mode: 'fast3', dataShards: 3, parityShards: 2 });
      const seen: Uint8Array[] = [];
      net.filter = (d, from) => {
        if (from === 'client') seen.push(d.slice());
        return d;
      };
      client.send(new Uint8Array([1, 2, 3]));
      const s = (await listener.accept())!;
      assert.deepEqual([...(await s.read())!], [1, 2, 3]);

      // A wrong-key peer's packet first, alone: it must be what raises the checksum-error count.
      // ('none' has no key, so its forged packet would be a legitimate new conv; 'null' has no checksum.)
      const keyed = crypt !== 'null' && crypt !== 'none';
      const forged: Uint8Array[] = [];
      const fnet = new MemoryNet();
      fnet.filter = (d) => (forged.push(d.slice()), null);
      const wrongSession = dial(fnet.endpoint('w', 'server'), { crypt: crypt === 'null' ? 'aes' : crypt, key: 'wrong key', dataShards: 3, parityShards: 2, mode: 'fast3' });
      opened.push(wrongSession);
      wrongSession.send(new Uint8Array([6, 6, 6]));
      await waitFor(() => forged.length > 0, 'the wrong-key session to send');
      wrongSession.close();
      // Datagrams arrive in the order they were sent: once a later message is read, the ones before it were handled.
      const roundTrip = async (m: number[]) => {
        client.send(new Uint8Array(m));
        assert.deepEqual([...(await s.read())!], m);
      };
      if (keyed) {
        const csumBefore = listener.stats.InCsumErrors;
        const sessionsBefore = listener.sessions.size;
        net.inject(forged[0]!, 'client', 'server');
        await roundTrip([7]);
        assert.equal(listener.stats.InCsumErrors - csumBefore, 1, 'the wrong-key packet, alone, is counted as one checksum error');
        assert.equal(listener.sessions.size, sessionsBefore, 'and opens no session');
      }

      // Then truncated ones, garbage, an oversize one, and a replay.
      const before = { ...listener.stats.copy() };
      const sStatsBefore = s.stats.copy();
      const bad = [
        new Uint8Array(0),
        new Uint8Array(1),
        new Uint8Array(19),
        new Uint8Array(23),
        randomBytes(24),
        randomBytes(200),
        randomBytes(1600),
        seen[0]!.subarray(0, seen[0]!.length - 1),
        seen[0]!, // replay
      ];
      for (const b of bad) net.inject(b, 'client', 'server');
      // Still alive and still delivering.
      await roundTrip([4, 5]);
      assert.ok(s.isOpen && client.isOpen);
      const after = listener.stats.copy();
      const sAfter = s.stats.copy();
      const dropped =
        after.InErrs - before.InErrs + after.InCsumErrors - before.InCsumErrors + after.KCPInErrors - before.KCPInErrors +
        sAfter.InErrs - sStatsBefore.InErrs + sAfter.KCPInErrors - sStatsBefore.KCPInErrors + sAfter.RepeatSegs - sStatsBefore.RepeatSegs +
        sAfter.FECErrs - sStatsBefore.FECErrs;
      assert.ok(dropped >= 5, `bad datagrams were counted (${dropped})`);
      client.close();
      listener.close();
    });
  }
});

describe('lifecycle with a fake clock', () => {
  it('dead link closes the session with a clear error', async () => {
    const rt = new FakeRuntime();
    const net = new MemoryNet();
    net.filter = () => null; // the peer never answers
    const s = dial(net.endpoint('c', 'nowhere'), { runtime: rt, mode: 'fast3' });
    s.send(new Uint8Array([1]));
    const reading = s.read();
    rt.advance(10 * 60_000);
    await assert.rejects(reading, /dead link/);
    assert.equal(s.isOpen, false);
    assert.match(String(await s.closed), /dead link/);
  });

  it('idle timeout closes the session', async () => {
    const rt = new FakeRuntime();
    const s = dial(new MemoryNet().endpoint('c', 'nowhere'), { runtime: rt, idleTimeout: 5000 });
    rt.advance(4000);
    assert.ok(s.isOpen);
    rt.advance(2000);
    assert.equal(s.isOpen, false);
    assert.match(s.error!.message, /idle timeout/);
  });

  it('time the session could not run (a frozen page) is not the peer\'s silence, unless idleClock is wall', () => {
    for (const idleClock of ['running', 'wall'] as const) {
      const rt = new FakeRuntime();
      const s = dial(new MemoryNet().endpoint('c', 'nowhere'), { runtime: rt, idleTimeout: 5000, idleClock });
      rt.advance(1000);
      rt.jump(60_000); // frozen for a minute: no timer, no input
      rt.advance(10);
      assert.equal(s.stalls, 1);
      if (idleClock === 'wall') {
        assert.equal(s.isOpen, false);
        assert.match(s.error!.message, /idle timeout/);
        continue;
      }
      assert.ok(s.isOpen, 'the stalled minute was not counted');
      // Silence after the stall still counts: the peer had its chance to answer the flush.
      rt.advance(6000);
      assert.equal(s.isOpen, false);
      assert.match(s.error!.message, /idle timeout/);
    }
  });

  it('rejects an unknown idleClock by name', () => {
    assert.throws(() => dial(new MemoryNet().endpoint('c', 'nowhere'), { runtime: new FakeRuntime(), idleClock: 'cpu' as 'wall' }), /option 'idleClock' must be one of running, wall; got "cpu"/);
  });

  it('never sends a datagram over 1472 bytes, the most kcp-go v5.7 reads, even with mtu 1500 (aes + FEC, full segments)', () => {
    const rt = new FakeRuntime();
    const sizes: number[] = [];
    const transport = { mtu: 1500, send: (d: Uint8Array) => void sizes.push(d.length), receive: () => {}, close: () => {} };
    const s = dial(transport, { runtime: rt, conv: 9, mtu: 1500, crypt: 'aes', key: 'k', dataShards: 3, parityShards: 2, sndwnd: 64, mode: 'fast3' });
    rt.advance(0);
    s.send(new Uint8Array(20_000));
    rt.advance(100);
    assert.ok(sizes.length > 10, `sent ${sizes.length} datagrams`);
    assert.equal(Math.max(...sizes), 1472);
    s.close();
  });

  it('a quiescent session sleeps, and wakes on the interval grid it would have ticked on', () => {
    const rt = new FakeRuntime();
    let timers = 0;
    const setTimer = rt.setTimer;
    rt.setTimer = (fn, ms) => (timers++, setTimer(fn, ms));
    const sent: Array<{ at: number; cmd: number }> = [];
    let input: (d: Uint8Array, from: string) => void = () => {};
    const transport = {
      mtu: 1500,
      send: (d: Uint8Array) => void sent.push({ at: rt.now(), cmd: d[4]! }),
      receive: (f: (d: Uint8Array, from: string) => void) => void (input = f),
      close: () => {},
    };
    const conv = 7;
    const s = dial(transport, { runtime: rt, conv, mode: 'normal' }); // interval 40 ms
    const segment = (cmd: number, sn: number, una: number, payload = 0) => {
      const d = new Uint8Array(24 + payload);
      const v = new DataView(d.buffer);
      v.setUint32(0, conv, true);
      d[4] = cmd;
      v.setUint16(6, 32, true);
      v.setUint32(12, sn, true);
      v.setUint32(16, una, true);
      v.setUint32(20, payload, true);
      return d;
    };
    rt.advance(0);
    s.send(new Uint8Array(10));
    assert.deepEqual(sent, [{ at: 0, cmd: 81 }]);
    rt.advance(15);
    input(segment(82, 0, 1), 'peer'); // its ACK: nothing left to send or time
    rt.advance(1000);
    const armed = timers;
    rt.advance(1000);
    assert.equal(timers, armed, 'no flush is scheduled while quiescent');
    assert.equal(sent.length, 1);
    // A PUSH from the peer at 2015 ms: its ACK leaves at the next 40 ms grid tick, 2040.
    input(segment(81, 0, 1, 5), 'peer');
    rt.advance(100);
    assert.deepEqual(sent.slice(1), [{ at: 2040, cmd: 82 }]);
    s.close();
  });

  /** Two sessions wired by hand: what one sends is held until the test passes it on; B's runtime can defer work after input. */
  function pair(deferB: boolean, opts: Parameters<typeof dial>[1] = {}) {
    const rtA = new FakeRuntime();
    const later: Array<() => void> = [];
    const rtB = Object.assign(new FakeRuntime(), deferB ? { afterInput: (fn: () => void) => void later.push(fn) } : {});
    const wire = (name: string) => {
      const out: Uint8Array[] = [];
      let input: (d: Uint8Array, from: string) => void = () => {};
      const t = { mtu: 1500, send: (d: Uint8Array) => void out.push(d), receive: (f: typeof input) => void (input = f), close: () => {} };
      return { t, out, deliver: (ds: Uint8Array[]) => ds.splice(0).forEach((d) => input(d, name)) };
    };
    const a = wire('b');
    const b = wire('a');
    const o = { conv: 9, mode: 'fast' as const, sndwnd: 1024, rcvwnd: 1024, ...opts };
    const A = dial(a.t, { runtime: rtA, ...o });
    const B = dial(b.t, { runtime: rtB, ...o });
    rtA.advance(0);
    rtB.advance(0);
    /** Runs what B deferred, including what that defers in turn (bounded). */
    const drain = () => {
      for (let i = 0; i < 1000 && later.length > 0; i++) later.shift()!();
    };
    return { A, B, aOut: a.out, bOut: b.out, toA: a.deliver, toB: b.deliver, drain, later };
  }

  it('a burst of input gets one flush: its ACKs and the replies written meanwhile go out together', () => {
    const run = (deferB: boolean) => {
      const { A, B, aOut, bOut, toB, drain } = pair(deferB);
      B.onmessage = (m) => void B.send(m); // echo each message at once
      for (let i = 0; i < 20; i++) A.send(new Uint8Array(100).fill(i));
      assert.equal(aOut.length, 20, 'twenty datagrams from A');
      toB(aOut);
      const atInput = bOut.length;
      drain();
      const packets = bOut.length;
      const segments = bOut.reduce((n, d) => n + countSegments(d), 0);
      A.close();
      B.close();
      return { atInput, packets, segments };
    };
    const direct = run(false);
    const burst = run(true);
    assert.equal(direct.packets, 20, 'without afterInput every reply flushes its own packet');
    assert.equal(burst.atInput, 0, 'nothing leaves while the burst is read');
    assert.ok(burst.packets <= 2, `one flush for the burst: ${burst.packets} packets`);
    assert.ok(burst.segments < direct.segments, `ACKs below una are left out: ${burst.segments} vs ${direct.segments} segments`);
  });

  it('with a batch cipher (Node AES), an input burst is opened in one cipher call and the flush after it sealed in one', () => {
    const inner = createNodeBlockCrypt('aes-128', new Uint8Array(16).fill(3))!;
    const calls = { encryptPackets: 0, decryptPackets: 0, encrypt: 0, decrypt: 0 };
    const block: BlockCrypt = {
      encrypt: (d, s) => void (calls.encrypt++, inner.encrypt(d, s)),
      decrypt: (d, s) => void (calls.decrypt++, inner.decrypt(d, s)),
      encryptPackets: (ps) => void (calls.encryptPackets++, inner.encryptPackets!(ps)),
      decryptPackets: (ps) => void (calls.decryptPackets++, inner.decryptPackets!(ps)),
    };
    const { A, B, aOut, bOut, toA, toB, drain } = pair(true, { block, dataShards: 10, parityShards: 3 });
    const echoed: Uint8Array[] = [];
    B.onmessage = (m) => void B.send(m);
    A.onmessage = (m) => void echoed.push(m);
    const sent = Array.from({ length: 20 }, (_, i) => new Uint8Array(300).fill(i));
    for (const m of sent) A.send(m);
    const fromA = aOut.length;
    assert.equal(calls.encrypt, fromA, 'A (no afterInput) seals one by one');
    toB(aOut);
    assert.equal(bOut.length, 0);
    drain();
    assert.equal(calls.decryptPackets, 1, `B opened ${fromA} datagrams in one call`);
    assert.equal(calls.encryptPackets, 1, `B sealed its ${bOut.length} datagrams (ACKs, echoes, FEC parity) in one call`);
    assert.ok(bOut.length >= 2);
    toA(bOut);
    assert.deepEqual(echoed, sent, 'A reads the echoes: every batch-sealed datagram opened with the plain CFB of kcp-go');
    assert.equal(A.stats.InCsumErrors + B.stats.InCsumErrors, 0);
    A.close();
    B.close();
  });

  it('Outbox and Inbox: what is pushed while a batch goes out or is delivered is handled once, in the same call', () => {
    const key = new Uint8Array(16).fill(5);
    const block = createNodeBlockCrypt('aes-128', key)!;
    const reference = crypt.newAESBlockCrypt(key);
    const frame = (n: number) => new Uint8Array(CRYPT_HEADER_SIZE + 30).fill(n);
    // A transport that answers synchronously: sending datagram 0 pushes two more while the batch is going out.
    const outbox = new Outbox(block, (nonce) => nonce.fill(9), false);
    const sent: Uint8Array[] = [];
    const send = (d: Uint8Array) => {
      sent.push(d.slice());
      if (sent.length === 1) for (let i = 10; i < 12; i++) outbox.push(frame(i), send);
    };
    for (let i = 0; i < 3; i++) outbox.push(frame(i), send);
    outbox.send();
    assert.equal(sent.length, 5);
    sent.forEach((d, k) => {
      const opened = d.slice();
      assert.ok(openPacket(reference, opened), `datagram ${k} sealed exactly once`);
      assert.equal(opened[CRYPT_HEADER_SIZE], [0, 1, 2, 10, 11][k]);
    });
    // An Inbox whose deliver feeds input back (a loop-back transport): each datagram is opened once, in order.
    const later: Array<() => void> = [];
    const rt = Object.assign(new FakeRuntime(), { afterInput: (fn: () => void) => void later.push(fn) });
    const got: number[] = [];
    const stats = new Snmp();
    const inbox = Inbox.create<null>({ block } as ResolvedOptions, rt, stats, (plain) => {
      got.push(plain[0]!);
      if (plain[0] === 0) inbox.push(sent[3]!.slice(), null);
    })!;
    for (const d of sent.slice(0, 3)) inbox.push(d.slice(), null);
    assert.equal(later.length, 1);
    later.shift()!();
    assert.deepEqual(got, [0, 1, 2, 10]);
    assert.equal(stats.InCsumErrors, 0);
  });

  it('a transport that copies at send() (sendCopies) gets reused buffers: no array per datagram, every one intact', () => {
    for (const [name, opts] of [
      ['no cipher', {}],
      ['salsa20 + FEC, sealed in place', { crypt: 'salsa20', key: 'k', dataShards: 10, parityShards: 3 }],
      ['Node AES + FEC, through the outbox', { crypt: 'aes', key: 'k', dataShards: 10, parityShards: 3 }],
    ] as Array<[string, Parameters<typeof dial>[1]]>) {
      for (const sendCopies of [false, true]) {
        const rtA = Object.assign(new FakeRuntime(), { afterInput: (fn: () => void) => fn() });
        const rtB = new FakeRuntime();
        const buffers = new Set<ArrayBufferLike>();
        let sent = 0;
        const aOut: Uint8Array[] = [];
        const bOut: Uint8Array[] = [];
        let toA: (d: Uint8Array, from: string) => void = () => {};
        let toB: (d: Uint8Array, from: string) => void = () => {};
        // A's transport copies what it is given (as sendCopies promises) and notes whose buffer it was.
        const a = { mtu: 1500, sendCopies, send: (d: Uint8Array) => void (sent++, buffers.add(d.buffer), aOut.push(d.slice())), receive: (f: typeof toA) => void (toA = f), close: () => {} };
        const b = { mtu: 1500, send: (d: Uint8Array) => void bOut.push(d), receive: (f: typeof toB) => void (toB = f), close: () => {} };
        const o = { conv: 3, mode: 'fast' as const, nc: 1, sndwnd: 1024, rcvwnd: 1024, ...opts };
        const A = dial(a, { runtime: rtA, ...o });
        const B = dial(b, { runtime: rtB, ...o });
        const got: number[] = [];
        B.onmessage = (m) => void got.push(m[0]!, m[m.length - 1]!, m.length);
        for (let i = 0; i < 200; i++) A.send(new Uint8Array(200 + 5 * i).fill(i));
        for (let round = 0; round < 20 && got.length < 600; round++) {
          rtA.advance(20);
          for (const d of aOut.splice(0)) toB(d, 'a');
          rtB.advance(20);
          for (const d of bOut.splice(0)) toA(d, 'b');
        }
        const want = Array.from({ length: 200 }, (_, i) => [i, i, 200 + 5 * i]).flat();
        assert.deepEqual(got, want, `${name}, sendCopies ${sendCopies}: B reads every message`);
        if (sendCopies) assert.ok(buffers.size <= 80, `${name}: ${sent} datagrams from ${buffers.size} buffers`);
        else assert.equal(buffers.size, sent, `${name}: a transport that may keep them gets a fresh array each`);
        A.close();
        B.close();
      }
    }
  });

  it('an outbox that reuses its copies (sendCopies) seals each datagram once, also when the transport pushes more meanwhile', () => {
    const key = new Uint8Array(16).fill(5);
    const block = createNodeBlockCrypt('aes-128', key)!;
    const reference = crypt.newAESBlockCrypt(key);
    const frame = (n: number) => new Uint8Array(CRYPT_HEADER_SIZE + 30 + n).fill(n);
    const outbox = new Outbox(block, (nonce) => nonce.fill(9), false, true);
    const sent: Uint8Array[] = [];
    const buffers = new Set<ArrayBufferLike>();
    const send = (d: Uint8Array) => {
      buffers.add(d.buffer);
      sent.push(d.slice());
      if (sent.length === 1) for (let i = 100; i < 170; i++) outbox.push(frame(i), send);
    };
    // Three rounds: the copies of one round are reused by the next.
    const want: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) outbox.push(frame(i + 10 * round), send);
      outbox.send();
      want.push(...[0, 1, 2].map((i) => i + 10 * round));
      if (round === 0) for (let i = 100; i < 170; i++) want.push(i);
    }
    assert.equal(sent.length, want.length);
    sent.forEach((d, k) => {
      const opened = d.slice();
      assert.ok(openPacket(reference, opened), `datagram ${k} sealed exactly once`);
      assert.equal(opened[CRYPT_HEADER_SIZE], want[k]);
      assert.equal(d.length, CRYPT_HEADER_SIZE + 30 + want[k]!);
    });
    assert.ok(buffers.size <= 73, `${sent.length} datagrams from ${buffers.size} copies`);
  });

  it('a large write leaves in slices of at most 64 new segments, with input read between them, in order', () => {
    const { A, B, aOut, bOut, toA, toB, drain, later } = pair(true, { streamMode: true });
    // Let B learn A's receive window (1024) first.
    A.send(new Uint8Array(1));
    toB(aOut);
    drain();
    bOut.length = 0;
    const payload = randomBytes(300 * 1024);
    void B.write(payload);
    // Datagrams that carry data (an ACK for A's byte may leave on its own).
    const data = () => bOut.filter((d) => d.length > 100).length;
    const slices = [data()];
    while (later.length > 0 && slices.length < 100) {
      later.shift()!();
      slices.push(data() - slices.reduce((x, y) => x + y, 0));
    }
    assert.ok(slices[0]! <= 64 && slices[0]! > 0, `first flush ${slices[0]}`);
    assert.ok(slices.every((n) => n <= 64), `slices ${slices.join(',')}`);
    assert.ok(slices.length >= 4, `${slices.length} slices`);
    toA(bOut);
    const got: Uint8Array[] = [];
    let m: Uint8Array | null;
    while ((m = (A as unknown as { recvOne(): Uint8Array | null }).recvOne())) got.push(m);
    assert.equal(sha(Buffer.concat(got)), sha(payload));
    A.close();
    B.close();
  });

  it('a transport with a full send buffer gets no new segments until it drains, and none are dropped', () => {
    const rt = new FakeRuntime();
    const sent: Uint8Array[] = [];
    let room = 5;
    let drained: () => void = () => {};
    const transport = {
      mtu: 1500,
      send: (d: Uint8Array) => {
        assert.ok(room > 0, 'send() is never called past the room it reported');
        room--;
        sent.push(d);
      },
      receive: () => {},
      close: () => {},
      sendRoom: () => room,
      whenDrained: (fn: () => void) => void (drained = fn),
    };
    const s = dial(transport, { runtime: rt, conv: 3, mode: 'fast', sndwnd: 128, streamMode: true });
    rt.advance(0);
    void s.write(new Uint8Array(40 * 1000));
    assert.equal(sent.length, 5, 'five segments: the room there was');
    rt.advance(30); // ticks with no room send nothing new
    assert.equal(sent.length, 5);
    room = 10;
    drained();
    assert.equal(sent.length, 15, 'the drain resumes sending');
    s.close();
  });

  it('write() waits for window room, then resumes in order', { timeout: 30_000 }, async () => {
    const { listener, client } = setup({ mode: 'fast3', sndwnd: 4, rcvwnd: 4 });
    const msgs = Array.from({ length: 40 }, (_, i) => new Uint8Array(1000).fill(i));
    const writing = Promise.all(msgs.map((m) => client.write(m)));
    const s = (await listener.accept())!;
    for (let i = 0; i < msgs.length; i++) assert.equal((await s.read())![0], i);
    await writing;
    client.close();
    listener.close();
  });

  it('close() rejects pending writes and ends readers', async () => {
    const { client, listener } = setup({ sndwnd: 1, rcvwnd: 1 });
    const reading = client.read();
    client.close();
    assert.equal(await reading, null);
    await assert.rejects(client.write(new Uint8Array(1)), /closed/);
    assert.equal(client.send(new Uint8Array(1)), false);
    listener.close();
  });
});

describe('options', () => {
  const t = new MemoryNet().endpoint('a', 'b');
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ crypt: 'rot13', key: 'k' }, /option 'crypt' must be one of aes, aes-128.*null/],
    [{ crypt: 'aes' }, /option 'key'/],
    [{ mtu: 9000 }, /option 'mtu' must be an integer from 50 to 1500; got 9000/],
    [{ dataShards: 10 }, /dataShards\/parityShards/],
    [{ mode: 'turbo' }, /option 'mode' must be one of normal, fast, fast2, fast3, manual/],
    [{ sndwnd: -1 }, /option 'sndwnd'/],
    [{ streamMode: 'yes' }, /option 'streamMode' must be true or false/],
    [{ colour: 'red' }, /option 'colour'/],
    [{ conv: -5 }, /option 'conv'/],
    [{ key: new Uint8Array(7) }, /32-byte/],
    [{ profile: 'esports' }, /option 'profile' must be one of game/],
  ];
  for (const [o, re] of bad) {
    it(`rejects ${JSON.stringify(o)}`, () => {
      assert.throws(() => dial(t, o as never), (e: Error) => e instanceof OptionError && re.test(e.message));
    });
  }

  const resolve = (o: Record<string, unknown>) => resolveOptions(o, () => assert.fail('no cipher expected'));
  it("profile 'game' expands to plain kcp-go settings", () => {
    const r = resolve({ profile: 'game' });
    assert.deepEqual(
      { nodelay: r.nodelay, interval: r.interval, resend: r.resend, nc: r.nc, dataShards: r.dataShards, parityShards: r.parityShards, sndwnd: r.sndwnd, rcvwnd: r.rcvwnd, ackNoDelay: r.ackNoDelay },
      PROFILE_OPTIONS.game,
    );
  });
  it('options given explicitly win over the profile; undefined ones do not', () => {
    const r = resolve({ profile: 'game', dataShards: 1, parityShards: 1, ackNoDelay: false, sndwnd: undefined });
    assert.equal(r.parityShards, 1);
    assert.equal(r.ackNoDelay, false);
    assert.equal(r.sndwnd, PROFILE_OPTIONS.game.sndwnd);
  });
  it("a mode replaces the profile's nodelay, interval, resend and nc, and only those", () => {
    const r = resolve({ profile: 'game', mode: 'normal' });
    assert.deepEqual([r.nodelay, r.interval, r.resend, r.nc], [0, 40, 2, 1]);
    assert.equal(r.dataShards, PROFILE_OPTIONS.game.dataShards);
  });
  it("a session dialled with profile 'game' talks to a listener with the same profile", async () => {
    const { listener, client } = setup({ profile: 'game', key: 'k' });
    const got = new Promise<Uint8Array>((resolve) => (listener.onsession = (s) => (s.onmessage = resolve)));
    client.send(new Uint8Array([1, 2, 3]));
    assert.deepEqual([...(await got)], [1, 2, 3]);
  });
});

describe('kcp-go OOB packets (FEC type 0xf3, kcp-go ≥ 5.6.60)', () => {
  /** seqid 0xFFFFFFFF | 0xf3 | size | conv | payload: what kcp-go's SendOOB puts on the wire (FEC on, no cipher). */
  function oob(conv: number, payload: Uint8Array): Uint8Array {
    const b = new Uint8Array(8 + 4 + payload.length);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, 0xffffffff, true);
    dv.setUint16(4, 0xf3, true);
    dv.setUint16(6, 2 + 4 + payload.length, true);
    dv.setUint32(8, conv, true);
    b.set(payload, 12);
    return b;
  }

  it('are counted and dropped: they neither replace a session (its "sn" reads 0) nor open one', async () => {
    const { net, listener, client } = setup({ crypt: 'null', dataShards: 3, parityShards: 2, mode: 'fast3' });
    client.send(new Uint8Array([1]));
    const s = (await listener.accept())!;
    assert.deepEqual([...(await s.read())!], [1]);
    net.inject(oob(client.conv, new Uint8Array(16)), 'client', 'server');
    net.inject(oob(1234, new Uint8Array(16)), 'stranger', 'server');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(s.stats.OOBPackets, 1);
    assert.equal(listener.stats.OOBPackets, 1, 'from an unknown address');
    assert.equal(s.stats.KCPInErrors, 0);
    client.send(new Uint8Array([2]));
    assert.deepEqual([...(await s.read())!], [2], 'the session lives on');
    const next = await Promise.race([listener.accept(), new Promise((r) => setTimeout(() => r('none'), 30))]);
    assert.equal(next, 'none', 'no session for the stranger');
  });
});

describe('conversation ids over the whole uint32 range', () => {
  for (const conv of [1, 0x7fffffff, 0x80000000, 0xfffffffe]) {
    it(`conv 0x${conv.toString(16)}: on the wire as kcp-go writes it, read back as the same uint32, and routed to its session`, async () => {
      const net = new MemoryNet(false);
      const wire: Uint8Array[] = [];
      net.filter = (d) => (wire.push(d.slice()), d);
      const listener = listen(net.endpoint('server'), { crypt: 'null' });
      const client = dial(net.endpoint('client', 'server'), { crypt: 'null', conv });
      opened.push(listener, client);
      assert.equal(client.conv, conv);
      client.send(new Uint8Array([7]));
      const s = (await listener.accept())!;
      assert.equal(s.conv, conv);
      assert.deepEqual([...(await s.read())!], [7]);
      assert.equal(new DataView(wire[0]!.buffer, wire[0]!.byteOffset).getUint32(0, true), conv);
      s.send(new Uint8Array([8]));
      assert.deepEqual([...(await client.read())!], [8], 'the reply is accepted by the conv check');
      assert.equal(s.stats.KCPInErrors + client.stats.KCPInErrors, 0);
    });
  }
});
