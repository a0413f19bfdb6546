/**
 * Live interop with the real kcp-go over loopback UDP, both ways:
 *  - kcp-web's client (dialUdp) ↔ kcp-go's echo server;
 *  - kcp-go's client ↔ kcp-web's CLI echo server (`kcp-web echo`).
 * The newest kcp-go (interop/kcppeer/go.mod): every cipher × FEC {off, 10/3}
 * × loss {0, 10% each way}. kcp-go v5.6.1: V561_CRYPTS × FEC {off, 10/3}, no
 * loss. 1 MiB of random data echoed with sha256 equal. Loss is injected by a
 * relay in this process. Then 200 kcp-go clients at once (the sessions
 * bench's load) into one kcp-web listener.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dialUdp, listenUdp, type Session } from '../src/index.node.js';
import type { Snmp } from '../src/core/snmp.js';
import { CRYPT_NAMES } from '../src/core/crypt/index.js';
import { sessionOptionsFromFlags, KCP_FLAGS } from '../src/cli/kcp-flags.js';
import { startHostileLink } from './helpers/hostile-link.js';
import { hasKcpPeer, hasKcpPeerV561, KCPPEER, KCPPEER_V561, runGoClient, startGoEcho, startKcpWebEcho, type ServerProcess } from './helpers/kcppeer.js';

const BYTES = 1 << 20;
const CASE_TIMEOUT = 90_000;
const skip = hasKcpPeer ? false : 'interop/bin/kcppeer missing: run `node scripts/setup.mjs` (needs Go ≥ 1.24)';

/** The peers and what runs against each: the newest kcp-go gets the full matrix. */
const PEERS = [
  { label: 'kcp-go (go.mod)', bin: KCPPEER, crypts: CRYPT_NAMES, losses: [0, 0.1], skip },
  {
    label: 'kcp-go v5.6.1',
    bin: KCPPEER_V561,
    crypts: ['aes', 'salsa20', 'none'] as const,
    losses: [0],
    skip: hasKcpPeerV561 ? false : 'interop/bin/kcppeer-v5.6.1 missing: run `node scripts/setup.mjs`',
  },
];

function flagsFor(crypt: string, fec: boolean): string[] {
  return ['--crypt', crypt, '--key', `interop ${crypt}`, '--datashard', fec ? '10' : '0', '--parityshard', fec ? '3' : '0'];
}

/** The kcptun flag defaults overlaid with `flags`, as parseArgs would produce them. */
function flagValues(flags: string[]): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(KCP_FLAGS)) v[k] = spec.default;
  for (let i = 0; i < flags.length; i += 2) v[flags[i]!.slice(2)] = flags[i + 1];
  return v;
}

/** Dials `remote` with kcp-web, echoes `BYTES` random bytes through it, returns both digests. */
async function echoThrough(remote: string, flags: string[]): Promise<{ sent: string; recv: string; received: number }> {
  const session = await dialUdp(remote, sessionOptionsFromFlags(flagValues(flags)));
  const payload = randomBytes(BYTES);
  const sent = createHash('sha256').update(payload).digest('hex');
  const hash = createHash('sha256');
  let received = 0;
  const timer = setTimeout(() => session.close(), CASE_TIMEOUT);
  try {
    const writing = (async () => {
      for (let off = 0; off < BYTES; off += 4096) await session.write(payload.subarray(off, off + 4096));
    })();
    while (received < BYTES) {
      const chunk = await session.read();
      if (chunk === null) break;
      hash.update(chunk);
      received += chunk.length;
    }
    await writing.catch(() => {});
  } finally {
    clearTimeout(timer);
    session.close();
  }
  return { sent, recv: hash.digest('hex'), received };
}

/** INTEROP_CRYPT=a,b runs those ciphers' rows only (each row starts its echo servers even when a name pattern skips its tests). */
const only = process.env.INTEROP_CRYPT?.split(',');

for (const peer of PEERS) {
  for (const crypt of peer.crypts.filter((c) => !only || only.includes(c))) {
    for (const fec of [false, true]) {
      describe(`interop ${peer.label} crypt=${crypt} fec=${fec ? '10/3' : 'off'}`, { skip: peer.skip }, () => {
        let goEcho: ServerProcess;
        let webEcho: ServerProcess;
        const flags = flagsFor(crypt, fec);
        before(async () => {
          [goEcho, webEcho] = await Promise.all([startGoEcho(flags, peer.bin), startKcpWebEcho(flags)]);
        });
        after(() => {
          goEcho?.stop();
          webEcho?.stop();
        });

        for (const loss of peer.losses) {
          it(`kcp-web client → kcp-go echo, loss ${loss * 100}%`, { timeout: CASE_TIMEOUT + 10_000 }, async () => {
            const relay = await startHostileLink(goEcho.address, { up: { drop: loss }, down: { drop: loss } }, 7);
            try {
              const r = await echoThrough(relay.address, flags);
              assert.equal(r.received, BYTES);
              assert.equal(r.recv, r.sent);
              if (loss > 0) assert.ok(relay.stats.dropped > 0, 'the relay dropped datagrams');
            } finally {
              relay.close();
            }
          });

          it(`kcp-go client → kcp-web echo, loss ${loss * 100}%`, { timeout: CASE_TIMEOUT + 10_000 }, async () => {
            const relay = await startHostileLink(webEcho.address, { up: { drop: loss }, down: { drop: loss } }, 11);
            try {
              const r = await runGoClient(relay.address, BYTES, flags, CASE_TIMEOUT, peer.bin);
              assert.equal(r.error, undefined, r.error);
              assert.equal(r.received, BYTES);
              assert.equal(r.sha256Recv, r.sha256Sent);
              if (loss > 0) assert.ok(relay.stats.dropped > 0, 'the relay dropped datagrams');
            } finally {
              relay.close();
            }
          });
        }
      });
    }
  }
}

describe('interop: many kcp-go clients at once into one kcp-web listener', { skip }, () => {
  it('200 kcp-go sessions (aes, each on its own socket) all get a session and deliver their 32-byte messages, none refused', { timeout: 60_000 }, async () => {
    const flags = ['--crypt', 'aes', '--key', 'many clients', '--mode', 'normal', '--datashard', '0', '--parityshard', '0'];
    const listener = await listenUdp('127.0.0.1:0', { ...sessionOptionsFromFlags(flagValues(flags)), streamMode: false });
    const perSession = new Map<string, number>();
    const sizes = new Set<number>();
    const sessions: Session[] = [];
    listener.onsession = (s) => {
      sessions.push(s);
      perSession.set(s.remote, 0);
      s.onmessage = (m) => {
        sizes.add(m.length);
        perSession.set(s.remote, perSession.get(s.remote)! + 1);
      };
    };
    try {
      // kcppeer sessions-load: 200 sessions, one 32-byte message each per 50 ms, exits by itself after 3 s.
      await promisify(execFile)(KCPPEER, ['sessions-load', '--remote', listener.address, '--count', '200', '--seconds', '3', ...flags]);
      assert.equal(perSession.size, 200, 'every kcp-go client got a session of its own');
      const silent = [...perSession].filter(([, n]) => n === 0);
      assert.deepEqual(silent, [], 'every session delivered messages');
      assert.deepEqual([...sizes], [32], 'each message arrives as the 32 bytes written');
      const errors = (st: Snmp) => st.InErrs + st.InCsumErrors + st.KCPInErrors;
      assert.equal(errors(listener.stats) + sessions.reduce((a, x) => a + errors(x.stats), 0), 0, 'no datagram was refused');
    } finally {
      listener.close();
    }
  });
});
