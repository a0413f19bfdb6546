/**
 * Integrity under a hostile link: every cipher × FEC {off, 10/3} × peer
 * {real kcp-go echo, kcp-web echo}, through 30% loss + 5% duplication +
 * reordering + jitter + truncation + bit flips in each direction. The echo
 * must come back byte for byte (sha256), and each side must have rejected
 * (counted, never delivered) every bit-flipped datagram it could detect.
 * HOSTILE_MB sets the size each way (npm test: 128 KiB; `npm run hostile`: 100 MB).
 * HOSTILE_SEED sets the link's impairment seed (default fixed, so a run picks
 * the same datagrams to drop, flip and cut each time); each case adds its own
 * index to it, and a failure prints the HOSTILE_SEED that replays it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dialUdp, CRYPT_NAMES, type CryptName } from '../src/index.node.js';
import { echoed } from './helpers/echo.js';
import { startHostileLink, type Impairments } from './helpers/hostile-link.js';
import { hasKcpPeer, startGoEcho, startKcpWebEcho, stopWithCounters } from './helpers/kcppeer.js';

const BYTES = process.env.HOSTILE_MB ? Math.round(Number(process.env.HOSTILE_MB) * (1 << 20)) : 128 << 10;
const TIMEOUT = 60_000 + (BYTES / (1 << 20)) * 4000;
const BASE_SEED = process.env.HOSTILE_SEED ? Number(process.env.HOSTILE_SEED) >>> 0 : 0x6b6370;
const skip = hasKcpPeer ? false : 'interop/bin/kcppeer missing: run `node scripts/setup.mjs`';

/** kcp-go has no integrity check without a cipher ('null': no header, no CRC): flips and cuts there would be delivered, by design. */
const impairments = (crypt: CryptName): Impairments => ({
  drop: 0.3,
  duplicate: 0.05,
  reorder: 0.05,
  jitter: 8,
  ...(crypt === 'null' ? {} : { truncate: 0.01, bitflip: 0.02 }),
});

const rejected = (s: Record<string, number>) => (s.InCsumErrors ?? 0) + (s.InErrs ?? 0);

describe(`hostile link: 30% loss, 5% duplicates, reordering, jitter, truncation, bit flips; ${BYTES >> 10} KiB each way`, { skip, concurrency: 4 }, () => {
  let index = 0;
  for (const crypt of CRYPT_NAMES) {
    for (const fec of [false, true]) {
      for (const peer of ['kcp-go', 'kcp-web'] as const) {
        const seed = (BASE_SEED + index++) >>> 0;
        const replay = `seed ${seed}: HOSTILE_SEED=${BASE_SEED} replays it`;
        const name = `${peer} echo, crypt=${crypt}${crypt === 'null' ? ' (no flips or cuts: null has no checksum)' : ''}, fec=${fec ? '10/3' : 'off'}`;
        it(name, { timeout: TIMEOUT + 15_000 }, async () => {
          const flags = ['--crypt', crypt, '--key', 'hostile', '--datashard', fec ? '10' : '0', '--parityshard', fec ? '3' : '0', '--mode', 'fast', '--sndwnd', '256', '--rcvwnd', '256'];
          const server = await (peer === 'kcp-go' ? startGoEcho(flags) : startKcpWebEcho(flags));
          const link = await startHostileLink(server.address, { up: impairments(crypt), down: impairments(crypt) }, seed);
          const session = await dialUdp(link.address, {
            crypt,
            ...(crypt === 'null' ? {} : { key: 'hostile' }),
            ...(fec ? { dataShards: 10, parityShards: 3 } : {}),
            mode: 'fast',
            streamMode: true,
            sndwnd: 256,
            rcvwnd: 256,
          });
          const started = performance.now();
          const timer = setTimeout(() => session.close(), TIMEOUT);
          let result: { ok: boolean; received: number };
          let mine: Record<string, number>;
          try {
            result = await echoed(session, BYTES, 16384);
            // Let datagrams the link still holds (jitter, reordering) arrive and be judged before counting.
            await new Promise((r) => setTimeout(r, 150));
            mine = session.stats.copy();
          } finally {
            clearTimeout(timer);
            session.close();
            link.close();
          }
          const theirs = await stopWithCounters(server);
          const s = link.stats;
          // An AEAD's tag covers the nonce too: every flip in a datagram of nonce + tag or more is detectable.
          const detectable = (st: typeof s) => (crypt === 'aes-128-gcm' ? st.flippedAead : st.flippedDetectable);
          console.log(
            `${name}: ${(BYTES / 2 ** 20).toFixed(2)} MiB each way in ${((performance.now() - started) / 1000).toFixed(1)} s; link: dropped ${s.dropped}, duplicated ${s.duplicated}, reordered ${s.reordered}, truncated ${s.truncated}, flipped ${s.flipped}; rejected: ours ${rejected(mine)} (of ${detectable(link.down)} detectable flips), ${peer}'s ${rejected(theirs)} (of ${detectable(link.up)}); ${replay}`,
          );
          assert.equal(result.received, BYTES, `all bytes echoed (${replay})`);
          assert.ok(result.ok, `sha256 equal (${replay})`);
          assert.ok(s.dropped > 0 && s.duplicated > 0 && s.reordered > 0, `the link was hostile (${replay})`);
          if (crypt !== 'null') {
            assert.ok(s.flipped > 0, `bits were flipped (${replay})`);
            assert.ok(rejected(mine) >= detectable(link.down), `kcp-web rejected every detectable flip: ${rejected(mine)} ≥ ${detectable(link.down)} (${replay})`);
            assert.ok(rejected(theirs) >= detectable(link.up), `${peer} rejected every detectable flip: ${rejected(theirs)} ≥ ${detectable(link.up)} (${replay})`);
          }
        });
      }
    }
  }
});
