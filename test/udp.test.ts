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

/** A plain dgram socket that checks each datagram against the pattern `fill` wrote. */
async function receiver(): Promise<{ port: number; got: () => number; bad: () => number }> {
  const s = dgram.createSocket('udp4');
  let got = 0;
  let bad = 0;
  s.on('message', (m) => {
    got++;
    if (!intact(m)) bad++;
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  closers.push(() => s.close());
  return { port: s.address().port, got: () => got, bad: () => bad };
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

/** Sends `count` datagrams, all from one array the caller rewrites at once, in bursts of 20 (libuv reads up to 32 datagrams per poll). */
async function sendAll(send: (d: Uint8Array) => void, count: number): Promise<void> {
  const scratch = new Uint8Array(1400);
  for (let k = 0; k < count; k++) {
    send(fill(scratch, k));
    if (k % 20 === 19) await tick();
  }
}

async function arrived(r: { got: () => number }, count: number): Promise<void> {
  for (let i = 0; i < 200 && r.got() < count; i++) await new Promise((res) => setTimeout(res, 10));
}

describe('UDP transport sends', () => {
  it('a listener socket: every datagram arrives as it was when send() was called, though the caller reused its array', async () => {
    const r = await receiver();
    const t = await udpListen('127.0.0.1:0');
    closers.push(() => t.close());
    assert.equal(t.sendCopies, true);
    await sendAll((d) => t.send(d, `127.0.0.1:${r.port}`), 3000);
    await arrived(r, 3000);
    assert.equal(r.bad(), 0, 'no datagram was changed after send()');
    assert.equal(r.got(), 3000);
  });

  it('a connected socket: the same', async () => {
    const r = await receiver();
    const t = await udpConnect(`127.0.0.1:${r.port}`);
    closers.push(() => t.close());
    await sendAll((d) => t.send(d), 3000);
    await arrived(r, 3000);
    assert.equal(r.bad(), 0);
    assert.equal(r.got(), 3000);
  });

  it('a destination by host name (looked up, so outside the reused copies) arrives intact too, among IP destinations', async () => {
    const r = await receiver();
    const t = await udpListen('127.0.0.1:0');
    closers.push(() => t.close());
    await sendAll((d) => t.send(d, `${d[7]! % 2 ? 'localhost' : '127.0.0.1'}:${r.port}`), 400);
    await arrived(r, 400);
    assert.equal(r.bad(), 0);
    // Host-name sends leave when their lookups end, in bursts the receiving socket may not hold whole.
    assert.ok(r.got() >= 300, `${r.got()} of 400 arrived`);
  });
});
