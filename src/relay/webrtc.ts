/**
 * The relay's WebRTC side: one POST carries a page's complete SDP offer
 * (ICE gathered, no trickle); the answer comes from a werift peer connection
 * with the pre-negotiated unreliable channel, which becomes the session's
 * transport once the offer is answered.
 */
import { DATA_CHANNEL_INIT, DataChannelTransport, iceGathered, type DataChannelLike } from '../transports/webrtc.js';
import { weriftMessage, weriftPeerConnections, type WeriftOptions } from '../adapter/node/werift.js';
import { HttpError } from './http.js';

/** How long the answer's ICE gathering may take before the request fails with 503. */
const GATHERING_MS = 5000;

/**
 * Answers `offer`; resolves with the answer SDP and the channel's transport
 * (closing it closes the peer connection). Rejects with 400 for an offer
 * werift cannot answer, 503 when gathering times out.
 */
export async function answerOffer(offer: string, options: WeriftOptions): Promise<{ answer: string; transport: DataChannelTransport }> {
  if (!offer.startsWith('v=0')) throw new HttpError(400, 'body must be an SDP offer');
  const pc = (await weriftPeerConnections())(options);
  const channel = pc.createDataChannel('kcp', DATA_CHANNEL_INIT) as unknown as DataChannelLike;
  const closePc = () => void Promise.resolve(pc.close()).catch(() => {});
  let answer: string | undefined;
  try {
    try {
      // Everything up to the answer is the offer's doing: werift accepts some broken offers and only fails on answering them.
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
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
  const transport = new DataChannelTransport(channel, { toMessage: weriftMessage });
  const close = transport.close.bind(transport);
  transport.close = () => {
    close();
    closePc();
  };
  return { answer, transport };
}
