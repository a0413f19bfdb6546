/**
 * werift (WebRTC in Node) configured for kcp-web, with its known defects
 * worked around (see shared/notes/webrtc-werift.md):
 *  1. its SCTP never abandons a chunk whose maxRetransmits is 0 (a falsy
 *     check), so an "unreliable" channel retransmits forever and stalls
 *     under loss — `patchSctpAbandon` fixes the check at run time;
 *  2. DCEP announces unordered+maxRetransmits channels as ordered, and
 *  3. can drop the first message of a browser-created DCEP channel — both
 *     avoided by pre-negotiated channels (DATA_CHANNEL_INIT, no DCEP);
 *  4. send() keeps a reference to the buffer — we send a fresh Buffer copy.
 */
import type { RTCPeerConnection } from 'werift';
import type { PeerConnectionLike } from '../../transports/webrtc.js';
import { importOptional } from './optional.js';

export interface WeriftOptions {
  /** UDP port range for ICE (a relay behind NAT or in a container opens only these). */
  portRange?: [number, number];
  /** Extra host candidates, e.g. ['127.0.0.1'] on loopback-only hosts. */
  hostAddresses?: string[];
  /** Act as an ICE-lite agent: answer connectivity checks, never send any (a server that must not probe addresses it is told). */
  iceLite?: boolean;
}

interface SctpChunk {
  abandoned?: boolean;
  maxRetransmits?: number;
  sentCount: number;
}
type Abandon = (this: unknown, chunk: SctpChunk) => boolean;

const patched = new WeakSet<object>();

/** Makes werift's SCTP honour maxRetransmits: 0 (abandon after the first send). */
export function patchSctpAbandon(sctp: object): boolean {
  const proto = Object.getPrototypeOf(sctp) as { maybeAbandon?: Abandon };
  if (patched.has(proto)) return true;
  const original = proto.maybeAbandon;
  if (typeof original !== 'function') return false;
  proto.maybeAbandon = function (this: unknown, chunk: SctpChunk) {
    // werift tests `!!chunk.maxRetransmits`, which is false for 0.
    if (!chunk.abandoned && chunk.maxRetransmits === 0 && chunk.sentCount > 0) {
      chunk.maxRetransmits = -1; // below any sentCount: werift's own check now abandons it
    }
    return original.call(this, chunk);
  };
  patched.add(proto);
  return true;
}

/** What the relay uses of a peer connection to answer an offer, beyond what a page's side needs. */
export type AnsweringPeerConnection = PeerConnectionLike & {
  setRemoteDescription(d: { type: 'offer'; sdp: string }): Promise<void>;
  createAnswer(): Promise<{ type: string; sdp?: string }>;
};

/**
 * A werift peer connection whose data channels get the SCTP fix: werift
 * creates its SCTP association with the first channel, so the fix is applied
 * right after createDataChannel. werift is an optional peer dependency,
 * loaded by the first call.
 */
export async function weriftPeerConnections(): Promise<(options?: WeriftOptions) => AnsweringPeerConnection> {
  const { RTCPeerConnection: PeerConnection } = await importOptional<typeof import('werift')>('werift', 'WebRTC in Node');
  return (options = {}) => create(PeerConnection, options);
}

function create(PeerConnection: typeof RTCPeerConnection, options: WeriftOptions): AnsweringPeerConnection {
  const pc = new PeerConnection({
    iceServers: [], // werift's default public STUN server is unreachable here and slows gathering
    ...(options.portRange ? { icePortRange: options.portRange } : {}),
    ...(options.hostAddresses?.length ? { iceAdditionalHostAddresses: options.hostAddresses } : {}),
    ...(options.iceLite ? { iceLite: true } : {}),
  });
  const create = pc.createDataChannel.bind(pc);
  pc.createDataChannel = (label, init) => {
    const channel = create(label, init);
    const sctp = (pc.sctpTransport as unknown as { sctp?: object } | undefined)?.sctp;
    if (!sctp || !patchSctpAbandon(sctp)) throw new Error('werift changed: cannot apply the maxRetransmits fix');
    return channel;
  };
  return pc as unknown as AnsweringPeerConnection;
}

/** werift wants Buffers and keeps what it is given: hand it a fresh copy. */
export const weriftMessage = (d: Uint8Array): unknown => Buffer.from(d);

