/**
 * The UDP transport's sends: it copies each datagram into a buffer of its
 * own, reused once dgram has sent it (sendCopies), so a caller may reuse its
 * array at once. Loopback only.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { udpConnect, udpListen } from '../src/transports/udp.js';

const closers: Array<() => void> = [];
after(() => closers.forEach((c) => c()));

interface Receiver {
  port: number;
  got: () => number;
  bad: () => number;
  /** Datagrams its socket buffer surely holds unread: loopback UDP drops only what overflows it. */
  window: number;
}

/** Bytes of socket buffer one datagram of up to 1400 bytes may take (payload plus kernel bookkeeping), rounded up. */
const BUFFER_PER_DATAGRAM = 4096;

/** A plain dgram socket that checks each datagram against the pattern `fill` wrote. */
async function receiver(): Promise<Receiver> {
  const s = dgram.createSocket('udp4');
  let got = 0;
  let bad = 0;
  s.on('message', (m) => {
    got++;
    if (!intact(m)) bad++;
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  closers.push(() => s.close());
  try {
    s.setRecvBufferSize(1 << 20); // more room where the system allows it; the window below is what it granted
  } catch {
    // capped by the system: the default buffer, a smaller window
  }
  const window = Math.max(20, Math.floor(s.getRecvBufferSize() / BUFFER_PER_DATAGRAM));
  return { port: s.address().port, got: () => got, bad: () => bad, window };
}

/** Datagram k: its length, then k, then bytes derived from both. */
function fill(buf: Uint8Array, k: number): Uint8Array {
  const n = 8 + ((k * 37) % 1392);
  const view = new DataView(buf.buffer, buf.byteOffset);
  view.setUint32(0, n);
  view.setUint32(4, k);
  for (let i = 8; i < n; i++) buf[i] = (k + i * 7) & 0xff;
  return buf.subarray(0, n);
}

function intact(m: Uint8Array): boolean {
  if (m.length < 8) return false;
  const view = new DataView(m.buffer, m.byteOffset);
  const n = view.getUint32(0);
  const k = view.getUint32(4);
  if (n !== m.length) return false;
  for (let i = 8; i < n; i++) if (m[i] !== ((k + i * 7) & 0xff)) return false;
  return true;
}

const tick = () => new Promise((r) => setImmediate(r));

/** Resolves once `n` datagrams have arrived; a lost one fails here, with the count. */
async function arrived(r: Receiver, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (r.got() < n) {
    if (Date.now() > deadline) throw new Error(`${r.got()} of ${n} datagrams arrived within 10 s`);
    await tick();
  }
}

/**
 * Sends `count` datagrams, all from one array the caller rewrites at once, in
 * bursts of 20 (libuv reads up to 32 datagrams per poll), never more unread
 * than the receiver's buffer holds, so none is lost however busy the machine is.
 */
async function sendAll(send: (d: Uint8Array) => void, count: number, r: Receiver): Promise<void> {
  const scratch = new Uint8Array(1400);
  for (let k = 0; k < count; k++) {
    send(fill(scratch, k));
    if (k % 20 === 19) await arrived(r, k + 1 - (r.window - 20));
  }
  await arrived(r, count);
}

describe('UDP transport sends', () => {
  it('a listener socket: every datagram arrives as it was when send() was called, though the caller reused its array', async () => {
    const r = await receiver();
    const t = await udpListen('127.0.0.1:0');
    closers.push(() => t.close());
    assert.equal(t.sendCopies, true);
    await sendAll((d) => t.send(d, `127.0.0.1:${r.port}`), 3000, r);
    assert.equal(r.bad(), 0, 'no datagram was changed after send()');
    assert.equal(r.got(), 3000);
  });

  it('a connected socket: the same', async () => {
    const r = await receiver();
    const t = await udpConnect(`127.0.0.1:${r.port}`);
    closers.push(() => t.close());
    await sendAll((d) => t.send(d), 3000, r);
    assert.equal(r.bad(), 0);
    assert.equal(r.got(), 3000);
  });

  it('a destination by host name (looked up, so outside the reused copies) arrives intact too, among IP destinations', async () => {
    const r = await receiver();
    const t = await udpListen('127.0.0.1:0');
    closers.push(() => t.close());
    await sendAll((d) => t.send(d, `${d[7]! % 2 ? 'localhost' : '127.0.0.1'}:${r.port}`), 400, r);
    assert.equal(r.bad(), 0);
    assert.equal(r.got(), 400);
  });

  it('a listener socket hands a datagram for an IP address to the kernel within send(): it arrives though the transport closes right after', async () => {
    const r = await receiver();
    for (let k = 0; k < 5; k++) {
      const t = await udpListen('127.0.0.1:0');
      t.send(fill(new Uint8Array(1400), k), `127.0.0.1:${r.port}`);
      t.close();
    }
    await arrived(r, 5);
    assert.equal(r.bad(), 0);
  });
});
