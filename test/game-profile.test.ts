/**
 * The game profile against the real kcp-go: kcp-go's echo server with the
 * kcptun flags the README gives for it, a kcp-web client with
 * `profile: 'game'`, 10% loss each way. Every small message comes back
 * intact, and kcp-go's parity (FEC 1/2) restores some of what was lost
 * before any retransmission could.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialUdp } from '../src/index.node.js';
import { startHostileLink } from './helpers/hostile-link.js';
import { hasKcpPeer, startGoEcho, type ServerProcess } from './helpers/kcppeer.js';

/** README, "A game profile": the matching kcptun / kcp-go server settings. */
export const GAME_SERVER_FLAGS = ['--crypt', 'aes', '--key', 'game profile', '--mode', 'fast3', '--datashard', '1', '--parityshard', '2', '--sndwnd', '128', '--rcvwnd', '128', '--acknodelay'];

describe("profile 'game' ↔ kcp-go echo with the README's server flags", { skip: hasKcpPeer ? false : 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`' }, () => {
  let echo: ServerProcess;
  before(async () => {
    echo = await startGoEcho(GAME_SERVER_FLAGS);
  });
  after(() => echo?.stop());

  it('300 messages of 64 bytes at 10% loss each way: all echoed intact, some restored by parity', { timeout: 60_000 }, async () => {
    const relay = await startHostileLink(echo.address, { up: { drop: 0.1 }, down: { drop: 0.1 } }, 21);
    const session = await dialUdp(relay.address, { profile: 'game', key: 'game profile' });
    try {
      const got = new Map<number, Uint8Array>();
      const all = new Promise<void>((resolve) => {
        session.onmessage = (m) => {
          got.set(new DataView(m.buffer, m.byteOffset).getUint32(0), m);
          if (got.size === 300) resolve();
        };
      });
      for (let i = 0; i < 300; i++) {
        const m = new Uint8Array(64).fill(i & 0xff);
        new DataView(m.buffer).setUint32(0, i);
        session.send(m);
        await new Promise((r) => setTimeout(r, 5));
      }
      await all;
      for (let i = 0; i < 300; i++) {
        const m = got.get(i)!;
        assert.equal(m.length, 64);
        assert.ok(m.subarray(4).every((b) => b === (i & 0xff)), `message ${i} intact`);
      }
      assert.ok(relay.stats.dropped > 0, 'the link dropped datagrams');
      assert.ok(session.stats.FECRecovered > 0, `parity restored segments (FECRecovered ${session.stats.FECRecovered})`);
    } finally {
      session.close();
      relay.close();
    }
  });
});
