/**
 * No reflection: whoever can POST an offer writes its candidates, so a relay
 * that sent ICE checks to them could be aimed at any address. Here an offer
 * names addresses where only the test listens (another loopback address,
 * another port, IPv6 loopback); for each WebRTC stack, nothing may arrive
 * there, while a real client still connects (it reaches the relay from the
 * address its checks come from).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startRelay, type Relay } from '../src/relay/index.js';
import { loadNodeDataChannel } from '../src/adapter/node/datachannel.js';
import { weriftMessage, weriftPeerConnections } from '../src/adapter/node/werift.js';
import { connectWebRTC } from '../src/transports/webrtc.js';
import { udpListen } from '../src/transports/udp.js';

const ndc = await loadNodeDataChannel();
const createWeriftPeerConnection = await weriftPeerConnections();
/** How long the traps listen after the offer is answered: stacks send their first checks within tens of ms, and repeat them for seconds. */
const WATCH_MS = Number(process.env.REFLECTION_WATCH_MS ?? 4000);

interface Trap {
  address: string;
  port: number;
  received: number;
  close(): void;
}

async function trap(host: string): Promise<Trap | null> {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const t: Trap = { address: host, port: 0, received: 0, close: () => s.close() };
  s.on('message', () => t.received++);
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, host, resolve);
    });
  } catch {
    s.close();
    return null; // e.g. no IPv6 on this host
  }
  t.port = s.address().port;
  return t;
}

/** A real offer (werift's, ICE gathered) whose candidates are replaced by ones naming the traps. */
async function offerNaming(traps: Trap[]): Promise<string> {
  const pc = createWeriftPeerConnection({ hostAddresses: ['127.0.0.1'] });
  pc.createDataChannel('kcp', { ordered: false, maxRetransmits: 0, negotiated: true, id: 0 });
  await pc.setLocalDescription(await pc.createOffer());
  for (let i = 0; i < 250 && pc.iceGatheringState !== 'complete'; i++) await new Promise((r) => setTimeout(r, 20));
  const sdp = pc.localDescription!.sdp!;
  await pc.close();
  const candidates = traps.map((t, i) => `a=candidate:${i + 1} 1 udp ${2113937151 - i} ${t.address} ${t.port} typ ${i % 2 ? 'srflx raddr 0.0.0.0 rport 0' : 'host'}`);
  const lines = sdp.split('\r\n').filter((l) => !l.startsWith('a=candidate:') && l !== 'a=end-of-candidates');
  const at = lines.findIndex((l) => l.startsWith('a=ice-pwd:')) + 1;
  lines.splice(at, 0, ...candidates, 'a=end-of-candidates');
  return lines.join('\r\n').replace(/^c=IN IP4 .*$/m, `c=IN IP4 ${traps[0]!.address}`).replace(/^(m=application )\d+/m, `$1${traps[0]!.port}`);
}

for (const stack of ['node-datachannel', 'werift'] as const) {
  describe(`relay answering with ${stack} sends nothing to addresses an offer names`, { skip: stack === 'node-datachannel' && 'reason' in ndc ? ndc.reason : false }, () => {
    let relay: Relay;
    let upstream: Awaited<ReturnType<typeof udpListen>>;
    const traps: Trap[] = [];
    before(async () => {
      upstream = await udpListen('127.0.0.1:0');
      upstream.receive((d, from) => upstream.send(d, from)); // a plain echo
      relay = await startRelay({ upstream: upstream.localAddress, listen: '127.0.0.1:0', webtransport: false, webrtc: stack });
      for (const host of ['127.0.0.2', '127.0.0.1', '::1']) {
        const t = await trap(host);
        if (t) traps.push(t);
      }
    });
    after(async () => {
      for (const t of traps) t.close();
      await relay?.close();
      upstream?.close();
    });

    it(`an answered offer naming ${'other loopback addresses'} gets no datagram there for ${WATCH_MS / 1000} s`, { timeout: 30_000 }, async () => {
      const offer = await offerNaming(traps);
      const res = await fetch(`${relay.url}kcp-web/rtc`, { method: 'POST', body: offer, headers: { 'content-type': 'application/sdp' } });
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(await res.text(), /a=candidate:/, 'the answer still names the relay');
      await new Promise((r) => setTimeout(r, WATCH_MS));
      assert.deepEqual(
        traps.map((t) => `${t.address}:${t.port} ${t.received}`),
        traps.map((t) => `${t.address}:${t.port} 0`),
      );
    });

    it('a real client still connects and echoes (the relay answers its checks)', { timeout: 30_000 }, async () => {
      const transport = await connectWebRTC(`${relay.url}kcp-web/rtc`, { createPeerConnection: () => createWeriftPeerConnection({ hostAddresses: ['127.0.0.1'] }), toMessage: weriftMessage });
      try {
        const got = new Promise<Uint8Array>((resolve) => transport.receive(resolve));
        const ping = new Uint8Array([1, 2, 3, 4, 5]);
        transport.send(ping);
        const t = setInterval(() => transport.send(ping), 200); // unreliable channel: repeat until one comes back
        try {
          assert.deepEqual([...(await got)], [...ping]);
        } finally {
          clearInterval(t);
        }
      } finally {
        transport.close();
      }
      assert.ok(traps.every((t) => t.received === 0));
    });
  });
}
