/**
 * The relay's WebRTC side: one POST carries a page's complete SDP offer
 * (ICE gathered, no trickle); the answer comes from a peer connection with
 * the pre-negotiated unreliable channel, which becomes the session's
 * transport once the offer is answered.
 *
 * Two stacks can answer ('auto' takes the first that loads, in this order):
 *  - 'node-datachannel' (libdatachannel, native): ICE, DTLS and SCTP run
 *    outside JavaScript, several times cheaper per forwarded datagram;
 *  - 'werift' (all JavaScript): the fallback (an optional peer dependency too,
 *    loaded by the first offer).
 *
 * No reflection: the offer comes from anyone who can POST, and the addresses
 * its candidates name are whatever the poster wrote. The relay drops them
 * before applying the offer, so it never sends an ICE check to an address it
 * was told about; it only answers the checks that arrive, and talks back to
 * the address they came from (a peer-reflexive candidate). werift also runs
 * as an ICE-lite agent (it sends no checks at all); libdatachannel has no
 * such mode, so the stripped offer is what keeps it to answering. The page
 * is the offerer, so it is the controlling side and its checks reach the
 * relay's host candidates from the answer.
 */
import { DATA_CHANNEL_INIT, DataChannelTransport, iceGathered, type DataChannelLike } from '../transports/webrtc.js';
import { weriftMessage, weriftPeerConnections } from '../adapter/node/werift.js';
import { loadNodeDataChannel, NdcChannelAdapter, ndcMessage, type NodeDataChannel } from '../adapter/node/datachannel.js';
import { HttpError } from './http.js';

/** How long the answer's ICE gathering may take before the request fails with 503. */
const GATHERING_MS = 5000;

export const WEBRTC_STACKS = ['auto', 'node-datachannel', 'werift'] as const;
export type WebRtcStackChoice = (typeof WEBRTC_STACKS)[number];

export interface AnswerOptions {
  /** UDP port range for ICE (a relay behind NAT or in a container opens only these). */
  portRange?: [number, number];
  /** Extra host candidates for werift, e.g. ['127.0.0.1'] on loopback-only hosts. */
  hostAddresses?: string[];
}

export interface Answered {
  answer: string;
  /** The session's pipe; closing it closes the peer connection. */
  transport: DataChannelTransport;
}

/** One WebRTC stack, ready to answer offers. */
export interface RtcAnswerer {
  readonly stack: 'node-datachannel' | 'werift';
  /** The stack and, for 'auto', why the preferred one was passed over: for the start-up report. */
  readonly description: string;
  /** Rejects with 400 for an offer the stack cannot answer, 503 when gathering times out. */
  answer(offer: string): Promise<Answered>;
}

/**
 * The offer without anything that names an address: candidate lines, the
 * end-of-candidates marker (with no candidates left, a stack that saw it
 * would give up before any check arrived) and the connection/media default
 * addresses (some stacks try them when no candidate is given).
 */
export function withoutRemoteAddresses(offer: string): string {
  const eol = offer.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  for (const line of offer.split(/\r?\n/)) {
    if (/^a=(candidate|end-of-candidates|remote-candidates)\b/.test(line)) continue;
    if (line.startsWith('c=IN IP6 ')) out.push('c=IN IP6 ::');
    else if (line.startsWith('c=IN ')) out.push('c=IN IP4 0.0.0.0');
    else out.push(line.replace(/^(m=\S+ )\d+( )/, '$19$2'));
  }
  return out.join(eol);
}

function checkOffer(offer: string): string {
  if (!offer.startsWith('v=0')) throw new HttpError(400, 'body must be an SDP offer');
  return withoutRemoteAddresses(offer);
}

/**
 * The channel's transport, which closes its peer connection once it ends
 * either way: closed by the session, or failed because the peer went away
 * (the session then never closes it, so a relay would keep every departed
 * peer's connection and its ICE sockets).
 */
function transportOf(channel: DataChannelLike, toMessage: (d: Uint8Array) => unknown, closePc: () => void): DataChannelTransport {
  return new DataChannelTransport(channel, { toMessage, onRelease: closePc });
}

function weriftAnswerer(options: AnswerOptions, description: string): RtcAnswerer {
  return {
    stack: 'werift',
    description,
    async answer(offer) {
      const sdp = checkOffer(offer);
      const pc = (await weriftPeerConnections())({ ...options, iceLite: true });
      const channel = pc.createDataChannel('kcp', DATA_CHANNEL_INIT) as unknown as DataChannelLike;
      const closePc = () => void Promise.resolve(pc.close()).catch(() => {});
      let answer: string | undefined;
      try {
        try {
          // Everything up to the answer is the offer's doing: werift accepts some broken offers and only fails on answering them.
          await pc.setRemoteDescription({ type: 'offer', sdp });
          await pc.setLocalDescription(await pc.createAnswer());
        } catch (e) {
          throw new HttpError(400, `not a usable SDP offer: ${(e as Error).message}`);
        }
        await iceGathered(pc, GATHERING_MS).catch((e: Error) => {
          throw new HttpError(503, e.message);
        });
        answer = pc.localDescription?.sdp;
        if (!answer) throw new Error('no local description');
      } catch (e) {
        closePc();
        throw e;
      }
      return { answer, transport: transportOf(channel, weriftMessage, closePc) };
    },
  };
}

function ndcAnswerer(ndc: NodeDataChannel, options: AnswerOptions): RtcAnswerer {
  let made = 0;
  return {
    stack: 'node-datachannel',
    description: `node-datachannel (libdatachannel ${ndc.getLibraryVersion()})`,
    async answer(offer) {
      const sdp = checkOffer(offer);
      const pc = new ndc.PeerConnection(`kcp-web-${++made}`, {
        iceServers: [],
        ...(options.portRange ? { portRangeBegin: options.portRange[0], portRangeEnd: options.portRange[1] } : {}),
      });
      let closed = false;
      const closePc = () => {
        if (closed) return;
        closed = true;
        try {
          pc.close();
        } catch {
          /* already closed */
        }
      };
      try {
        try {
          // Applying the offer answers it (libdatachannel negotiates on its own) and starts gathering.
          pc.setRemoteDescription(sdp, 'offer');
        } catch (e) {
          throw new HttpError(400, `not a usable SDP offer: ${(e as Error).message}`);
        }
        // Created after the answer: before it, libdatachannel would make an offer of its own.
        const channel = new NdcChannelAdapter(
          pc.createDataChannel('kcp', { negotiated: DATA_CHANNEL_INIT.negotiated, id: DATA_CHANNEL_INIT.id, unordered: !DATA_CHANNEL_INIT.ordered, maxRetransmits: DATA_CHANNEL_INIT.maxRetransmits }),
        );
        await iceGathered({ get iceGatheringState() { return pc.gatheringState(); } }, GATHERING_MS).catch((e: Error) => {
          throw new HttpError(503, e.message);
        });
        const answer = pc.localDescription()?.sdp;
        if (!answer) throw new Error('no local description');
        pc.onStateChange((s) => {
          // A peer that never connects, or goes away, ends its session now, not at the idle reap.
          if (s === 'failed' || s === 'closed') channel.ended();
        });
        return { answer, transport: transportOf(channel, ndcMessage, closePc) };
      } catch (e) {
        closePc();
        throw e;
      }
    },
  };
}

/**
 * The stack for `choice`: a named one or an error saying why it cannot run
 * here; 'auto' takes node-datachannel when its binding loads, else werift
 * (saying why).
 */
export async function createRtcAnswerer(choice: WebRtcStackChoice, options: AnswerOptions): Promise<RtcAnswerer> {
  if (choice === 'werift') return weriftAnswerer(options, 'werift');
  const ndc = await loadNodeDataChannel();
  if (!('reason' in ndc)) return ndcAnswerer(ndc, options);
  if (choice === 'node-datachannel') throw new Error(`WebRTC stack node-datachannel: ${ndc.reason}`);
  return weriftAnswerer(options, `werift (node-datachannel not used: ${ndc.reason})`);
}
