/**
 * Property-based fuzzing of every decoder a foreign datagram reaches: random
 * and mutated datagrams into the listener (all ciphers, FEC on), a live
 * session, the FEC decoder, KCP input and the crypto header. Nothing may
 * throw, no session may die from a foreign datagram, and memory stays
 * bounded (sessions ≤ cap). FUZZ_RUNS sets the count (npm run fuzz: 10 million).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dial, listen, CRYPT_NAMES, type CryptName } from '../src/index.node.js';
import { FecDecoder } from '../src/core/fec.js';
import { Kcp } from '../src/core/kcp.js';
import { createBlockCrypt, deriveKey } from '../src/core/crypt/index.js';
import { openPacket } from '../src/core/crypt/packet.js';
import { MemoryNet } from './helpers/memory-net.js';
import { FakeRuntime } from './helpers/fake-runtime.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10000);

/** Random bytes, or a real captured packet with some bytes changed, cut or extended. */
function datagrams(seeds: Uint8Array[]) {
  const random = fc.uint8Array({ minLength: 0, maxLength: 1600 });
  if (seeds.length === 0) return random;
  const mutated = fc
    .tuple(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.option(fc.nat({ max: 1600 })))
    .map(([i, edits, cut]) => {
      const d = seeds[i]!.slice();
      for (const [pos, v] of edits) if (d.length) d[pos % d.length] = v;
      return cut === null ? d : d.subarray(0, Math.min(cut, d.length));
    });
  return fc.oneof(random, mutated);
}

describe('fuzz', () => {
  for (const crypt of CRYPT_NAMES) {
    // Node's AES also runs batched where the runtime defers work after input: bursts opened and flushes sealed together (Inbox, Outbox).
    for (const batched of crypt.startsWith('aes') ? [false, true] : [false]) {
      it(`listener + live session, crypt=${crypt}${batched ? ' batched in bursts' : ''}, FEC 10/3: ${RUNS} datagrams`, async () => {
        const later: Array<() => void> = [];
        const rt = Object.assign(new FakeRuntime(), batched ? { afterInput: (fn: () => void) => void later.push(fn) } : {});
        /** Ends the burst: runs what was deferred, and what that defers (bounded). */
        const drain = () => {
          for (let i = 0; i < 10_000 && later.length > 0; i++) later.shift()!();
        };
        const net = new MemoryNet();
        const captured: Uint8Array[] = [];
        net.filter = (d) => (captured.push(d.slice()), d);
        const opts = { crypt: crypt as CryptName, ...(crypt === 'null' ? {} : { key: 'fuzz' }), dataShards: 10, parityShards: 3, runtime: rt };
        const listener = listen(net.endpoint('server'), { ...opts, maxSessions: 50 });
        const client = dial(net.endpoint('client', 'server'), opts);
        for (let i = 0; i < 30; i++) client.send(new Uint8Array(100 + i * 37).fill(i));
        rt.advance(50);
        await new Promise((r) => setImmediate(r));
        drain();
        const server = (await listener.accept())!;
        let attackers = 0;
        fc.assert(
          fc.property(datagrams(captured), fc.boolean(), fc.boolean(), (d, fromClient, endBurst) => {
            // From the client's own address (must not kill its session) or from a stranger.
            const from = fromClient ? 'client' : `attacker-${attackers++ % 200}`;
            listener._packetInput(d.slice(), from);
            client._packetInput(d.slice());
            if (endBurst) drain();
          }),
          { numRuns: RUNS },
        );
        assert.ok(listener.sessions.size <= 50, `session cap holds (${listener.sessions.size})`);
        // For ciphers with a real key, forged packets never pass the CRC, so the client's session survives.
        if (crypt !== 'null' && crypt !== 'none' && crypt !== 'xor') {
          assert.ok(server.isOpen, 'the real session survived');
          client.send(new Uint8Array([42]));
          drain();
          rt.advance(100);
          await new Promise((r) => setImmediate(r));
          drain();
          rt.advance(100);
          await new Promise((r) => setImmediate(r));
          drain();
        }
        assert.ok(client.isOpen, 'the client survived');
        client.close();
        listener.close();
      });
    }
  }

  it(`FEC decoder, KCP input and the crypto header never throw (${RUNS} inputs each)`, () => {
    const dec = new FecDecoder(10, 3);
    const kcp = new Kcp(0x01020304, () => {}, { clock: () => 0 });
    const block = createBlockCrypt('aes', deriveKey('k'))!;
    const aead = createBlockCrypt('aes-128-gcm', deriveKey('k'))!;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1600 }), fc.nat(), (d, now) => {
        dec.decode(d, now);
        kcp.input(d, true, now % 2 === 0);
        openPacket(block, d.slice());
        assert.equal(openPacket(aead, d.slice()), false, 'random bytes never carry a valid tag');
      }),
      { numRuns: RUNS },
    );
    assert.ok((dec as unknown as { rx: unknown[] }).rx.length <= 3 * 13, 'the FEC queue stays bounded');
  });
});
