/** `kcp-web relay`: browser ingress (WebTransport, WebRTC) forwarding to UDP upstreams. */
import { lookup } from 'node:dns/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { certificateFromPem } from '../relay/certificate.js';
import { ticketVerifier } from '../ticket.js';
import { parseAllowRule, startRelay, TrustedProxies, type AllowRule } from '../relay/index.js';
import { WEBRTC_STACKS, WEBTRANSPORT_SERVERS, type WebRtcStackChoice, type WebTransportServerChoice } from '../relay/index.js';
import { checkHostPort, FlagError } from './kcp-flags.js';
import { relayFromCache } from './relay-deps.js';
import { parseFlags } from './parse.js';

export const RELAY_HELP = `Usage: kcp-web relay --upstream HOST:PORT [options]
       kcp-web relay --ticket-key PUBLIC --allow CIDR:PORTS [--allow …] [--upstream HOST:PORT] [options]

Lets browsers reach a kcp-go (or kcp-web) UDP server: pages connect over
WebTransport datagrams (HTTP/3) or WebRTC data channels, and each session is
forwarded through its own UDP socket to the upstream. Encryption stays end
to end: the relay never holds keys.
  --upstream HOST:PORT   the UDP server to forward to (required unless --allow:
                         then it serves tickets that name no upstream)
  --allow CIDR:PORTS     upstreams a ticket may name (kcp-web ticket mint
                         --upstream IP:PORT), e.g. 10.0.0.0/8:29900-29999,
                         127.0.0.1:29900,29901 or [fd00::/8]:4000; repeatable;
                         needs --ticket-key. Others are refused (403).
  --listen HOST:PORT     HTTP address for signaling (default 127.0.0.1:8080)
  --static DIR           also serve this directory (e.g. a built page)
  --token TOKEN          require this token from pages (connect(url, { token }))
  --ticket-key PUBLIC    accept Ed25519 tickets signed by this key (base64;
                         kcp-web ticket keygen / mint)
  --webrtc STACK         auto (default: node-datachannel when its binding
                         loads, else werift), node-datachannel or werift
  --webtransport SERVER  auto (default), node (@fails-components/webtransport),
                         go (the kcp-web-wt helper) or off
  --public-webtransport HOST:PORT
                         where pages reach this relay's WebTransport (UDP)
                         when that is not the host serving the config: behind
                         a load balancer, this relay's own public name and port
  --cert FILE --key FILE WebTransport certificate and key, PEM (default: a
                         fresh self-signed one, pinned by pages by its hash)
  --rtc-ports MIN-MAX    UDP port range for WebRTC (default: any)
  --websocket            also accept KCP over WebSocket at /kcp-web/ws (TCP:
                         passes any HTTP load balancer; needs the ws package)
  --idle-timeout MS      close sessions idle this long, ≥ 1000 (default 60000)
  --max-sessions N       sessions at once (default 1000)
  --max-per-address N    sessions at once per client address (default 20)
  --trust-proxy CIDR     a load balancer in front (e.g. 10.0.0.2 or 10.0.0.0/24;
                         repeatable): from it, the client address is the
                         rightmost X-Forwarded-For entry outside these CIDRs
                         (for --max-per-address and resume); from any other
                         peer the header is ignored (default: trust none)
  --rate N               per-session budget each way, datagrams/s (default 5000)
  --bandwidth BYTES      per-session budget each way, bytes/s, ≥ 1500 (default 8388608)
  --session-bytes N      close a session after N bytes in all (default: no cap)
  --signaling-timeout MS a signaling request must arrive whole in time, ≥ 1000 (default 10000)
  --resume-grace MS      a resilient page's session keeps its upstream socket this
                         long after its transport ends, ≥ 1000 (default 30000)
  --resume-ttl MS        resume credentials expire after this long; pages refresh
                         theirs at half of it, ≥ 10000 (default 120000)
  --loss FRACTION        testing only: drop this fraction of datagrams each way, 0 to < 1 (default 0)`;

const FLAGS = {
  upstream: { type: 'string' },
  allow: { type: 'string', multiple: true },
  'trust-proxy': { type: 'string', multiple: true },
  listen: { type: 'string', default: '127.0.0.1:8080' },
  'rtc-ports': { type: 'string' },
  websocket: { type: 'boolean', default: false },
  static: { type: 'string' },
  'idle-timeout': { type: 'string', default: '60000' },
  loss: { type: 'string', default: '0' },
  token: { type: 'string' },
  'max-sessions': { type: 'string', default: '1000' },
  'max-per-address': { type: 'string', default: '20' },
  webtransport: { type: 'string', default: 'auto' },
  webrtc: { type: 'string', default: 'auto' },
  cert: { type: 'string' },
  'public-webtransport': { type: 'string' },
  key: { type: 'string' },
  'ticket-key': { type: 'string' },
  rate: { type: 'string', default: '5000' },
  bandwidth: { type: 'string', default: String(8 << 20) },
  'session-bytes': { type: 'string' },
  'signaling-timeout': { type: 'string', default: '10000' },
  'resume-grace': { type: 'string', default: '30000' },
  'resume-ttl': { type: 'string', default: '120000' },
} as const;

/** A positive integer flag, or an error naming it and the accepted range. */
function positive(v: Record<string, unknown>, name: string, min = 1): number {
  const n = Number(v[name]);
  if (!Number.isInteger(n) || n < min) throw new FlagError(`--${name} must be an integer ≥ ${min}; got ${JSON.stringify(v[name])}`);
  return n;
}

const WEBTRANSPORT_FLAG = [...WEBTRANSPORT_SERVERS, 'off'] as const;

export async function runRelay(args: string[]): Promise<number | void> {
  const v = parseFlags(args, FLAGS, RELAY_HELP);
  if (!v) return;
  const allow: AllowRule[] = [];
  // A `multiple` flag: parseArgs gives its values as an array.
  const allowed: unknown = (v as Record<string, unknown>).allow;
  for (const rule of Array.isArray(allowed) ? (allowed as string[]) : []) {
    try {
      allow.push(parseAllowRule(rule));
    } catch (e) {
      throw new FlagError(`--allow: ${(e as Error).message}`);
    }
  }
  const trusted: unknown = (v as Record<string, unknown>)['trust-proxy'];
  const trustProxy = Array.isArray(trusted) ? (trusted as string[]) : [];
  try {
    new TrustedProxies(trustProxy);
  } catch (e) {
    throw new FlagError(`--trust-proxy: ${(e as Error).message}`);
  }
  if (allow.length > 0 && typeof v['ticket-key'] !== 'string') throw new FlagError('--allow needs --ticket-key PUBLIC: only signed tickets may name an upstream');
  const hasUpstream = typeof v.upstream === 'string' && v.upstream !== '';
  if (!hasUpstream && allow.length === 0) {
    throw new FlagError('--upstream HOST:PORT is required (the kcp-go or kcp-web UDP server to forward to), or --allow CIDR:PORTS with --ticket-key for tickets that name their upstream');
  }
  if (hasUpstream) {
    const upstream = checkHostPort(v, 'upstream');
    if (upstream.port === 0) throw new FlagError(`--upstream must name a port from 1 to 65535; got ${JSON.stringify(v.upstream)}`);
    try {
      await lookup(upstream.host);
    } catch {
      throw new FlagError(`--upstream host ${JSON.stringify(upstream.host)} does not resolve`);
    }
  }
  checkHostPort(v, 'listen');
  if (typeof v['public-webtransport'] === 'string' && checkHostPort(v, 'public-webtransport').port === 0) throw new FlagError(`--public-webtransport must name a port from 1 to 65535; got ${JSON.stringify(v['public-webtransport'])}`);
  if (typeof v.static === 'string' && !existsSync(v.static)) throw new FlagError(`--static must name a directory; ${JSON.stringify(v.static)} does not exist`);
  if (typeof v.static === 'string' && !statSync(v.static).isDirectory()) throw new FlagError(`--static must name a directory; ${JSON.stringify(v.static)} is a file`);
  let rtcPortRange: [number, number] | undefined;
  if (typeof v['rtc-ports'] === 'string') {
    const m = /^(\d+)-(\d+)$/.exec(v['rtc-ports']);
    const [lo, hi] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
    if (!m || lo < 1 || hi > 65535 || lo > hi) throw new FlagError(`--rtc-ports must be MIN-MAX within 1-65535 (e.g. 40000-40100); got ${JSON.stringify(v['rtc-ports'])}`);
    rtcPortRange = [lo, hi];
  }
  const idle = Number(v['idle-timeout']);
  if (!Number.isInteger(idle) || idle < 1000) throw new FlagError(`--idle-timeout must be an integer ≥ 1000 (ms); got ${JSON.stringify(v['idle-timeout'])}`);
  const loss = Number(v.loss);
  if (!/^\d*\.?\d+$/.test(String(v.loss)) || !(loss >= 0 && loss < 1)) throw new FlagError(`--loss must be a fraction from 0 to below 1; got ${JSON.stringify(v.loss)}`);
  const caps = ['max-sessions', 'max-per-address'].map((k) => {
    const n = Number(v[k]);
    if (!Number.isInteger(n) || n < 1) throw new FlagError(`--${k} must be an integer ≥ 1; got ${JSON.stringify(v[k])}`);
    return n;
  });
  const rtc = String(v.webrtc);
  if (!(WEBRTC_STACKS as readonly string[]).includes(rtc)) throw new FlagError(`--webrtc must be one of ${WEBRTC_STACKS.join(', ')}; got ${JSON.stringify(rtc)}`);
  const wt = String(v.webtransport);
  if (!(WEBTRANSPORT_FLAG as readonly string[]).includes(wt)) throw new FlagError(`--webtransport must be one of ${WEBTRANSPORT_FLAG.join(', ')}; got ${JSON.stringify(wt)}`);
  if ((typeof v.cert === 'string') !== (typeof v.key === 'string')) throw new FlagError('--cert and --key go together (PEM files)');
  let webtransportCertificate: { certPem: string; keyPem: string } | undefined;
  if (typeof v.cert === 'string' && typeof v.key === 'string') {
    try {
      webtransportCertificate = { certPem: readFileSync(v.cert, 'utf8'), keyPem: readFileSync(v.key, 'utf8') };
      certificateFromPem(webtransportCertificate.certPem, webtransportCertificate.keyPem);
    } catch (e) {
      throw new FlagError(`--cert/--key: ${(e as Error).message}`);
    }
  }
  if (typeof v['ticket-key'] === 'string') {
    try {
      ticketVerifier(v['ticket-key']);
    } catch (e) {
      throw new FlagError(`--ticket-key: ${(e as Error).message}`);
    }
  }
  const limits = { datagramsPerSecond: positive(v, 'rate'), bytesPerSecond: positive(v, 'bandwidth', 1500), ...(v['session-bytes'] !== undefined ? { totalBytes: positive(v, 'session-bytes') } : {}) };
  const resumeGrace = positive(v, 'resume-grace', 1000);
  const resumeTtl = positive(v, 'resume-ttl', 10000);
  const fromCache = await relayFromCache(args);
  if (fromCache !== null) return fromCache;
  const relay = await startRelay({
    limits,
    signalingTimeout: positive(v, 'signaling-timeout', 1000),
    resumeGrace,
    resumeTtl,
    ...(typeof v['ticket-key'] === 'string' ? { ticketPublicKey: v['ticket-key'] } : {}),
    ...(webtransportCertificate ? { webtransportCertificate } : {}),
    ...(typeof v['public-webtransport'] === 'string' ? { publicWebtransport: v['public-webtransport'] } : {}),
    ...(wt === 'off' ? { webtransport: false } : { webtransportServer: wt as WebTransportServerChoice }),
    webrtc: rtc as WebRtcStackChoice,
    maxSessions: caps[0]!,
    maxSessionsPerAddress: caps[1]!,
    ...(trustProxy.length > 0 ? { trustProxy } : {}),
    ...(typeof v.token === 'string' ? { token: v.token } : {}),
    ...(hasUpstream ? { upstream: String(v.upstream) } : {}),
    ...(allow.length > 0 ? { allow } : {}),
    listen: String(v.listen),
    idleTimeout: idle,
    loss,
    ...(rtcPortRange ? { rtcPortRange } : {}),
    ...(v.websocket === true ? { websocket: true } : {}),
    ...(typeof v.static === 'string' ? { staticDir: v.static } : {}),
  });
  const routes = [...(hasUpstream ? [`upstream ${String(v.upstream)}`] : []), ...(allow.length > 0 ? [`tickets' upstreams in ${allow.map((r) => r.text).join(' ')}`] : [])];
  console.log(`kcp-web relay on ${relay.url} → ${routes.join(', or ')}${loss ? ` (test loss ${loss})` : ''}`);
  console.log(`  WebRTC: ${relay.webrtc}, signaling at ${relay.url}kcp-web/rtc`);
  console.log(`  WebTransport: ${relay.webtransport}${typeof v['public-webtransport'] === 'string' ? `; pages dial it at ${v['public-webtransport']}` : ''}`);
  if (v.websocket === true) console.log(`  WebSocket: ${relay.url}kcp-web/ws`);
  const stop = () => void relay.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
