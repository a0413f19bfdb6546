/**
 * The kcp-web relay: pages reach it over WebTransport, WebRTC data channels
 * or (when enabled) WebSocket, and it forwards each session's datagrams,
 * untouched, to a UDP upstream (a kcp-go or kcp-web server) — the one its
 * operator configured, or the one the session's signed ticket names if the
 * operator's allow-list contains it — through a UDP socket of the session's own. Keys stay end
 * to end: the relay never decrypts anything.
 *
 * This file wires the parts together: http.ts (routes, CORS, static files),
 * admission.ts (token, tickets, upstream, caps), upstreams.ts (allow-list), forward.ts (the pump, budgets,
 * netem), attach.ts and resume.ts (an ingress joining: a new session or a resumed one), webrtc.ts (SDP answers) and webtransport/ (HTTP/3).
 *
 * HTTP endpoints (under `/kcp-web/`):
 *   GET  config  → { transports, mtu, webrtc: { path }, webtransport?: { port, path, certificateHash, certificateHashes } }
 *   POST rtc     → body: the page's complete SDP offer; answer: our SDP answer
 *   GET  stats   → counters
 *   GET/POST netem (allowNetem only) → { loss, delay }
 *   POST resume  → body { claim } or { credential }: a session's resume credential (resume.ts), { credential, expiresIn }
 *   GET  ws      (websocket only) → KCP over WebSocket
 * Anything else is served from `staticDir` when one is given.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { importOptional } from '../adapter/node/optional.js';
import { isLoopbackHost, parseHostPort } from '../transports/udp.js';
import { WebSocketTransport, type WebSocketLike } from '../transports/websocket.js';
import { WEBRTC_MTU } from '../transports/webrtc.js';
import { Admission } from './admission.js';
import { Attachments, resumeParamsOf, type Entry } from './attach.js';
import { Forwarder, type ForwardHandle, type ForwardStats, type IngressKind } from './forward.js';
import { createHttpServer, HttpError, readBody, requestUrl, sendJson, sendText, staticFiles, type Route } from './http.js';
import { DEFAULT_LIMITS, type SessionLimits } from './limits.js';
import { AllowList, parseAllowRule, type AllowRule, type Upstream } from './upstreams.js';
import { TrustedProxies } from './proxy.js';
import { ResumeBook, RESUME_COUNTERS, type ResumeCounters } from './resume.js';
import { CertificateRotation } from './rotation.js';
import { createRtcAnswerer, WEBRTC_STACKS, type WebRtcStackChoice } from './webrtc.js';
import { startWebTransportIngress, WEBTRANSPORT_MTU, WT_PATH, type OnSession, type WebTransportServerChoice } from './webtransport/index.js';

export { WEBTRANSPORT_SERVERS, type WebTransportServerChoice } from './webtransport/index.js';
export { WEBRTC_STACKS, type WebRtcStackChoice } from './webrtc.js';
export type { SessionLimits } from './limits.js';
export { parseAllowRule, type AllowRule } from './upstreams.js';
export { TrustedProxies } from './proxy.js';

export interface RelayOptions {
  /**
   * The UDP server sessions are forwarded to ("host:port") unless their
   * ticket names another inside `allow`. Optional only with `allow`: then
   * every ticket must name its upstream.
   */
  upstream?: string;
  /**
   * Upstreams a ticket (`mintTicket(key, { upstream })`) may name, as
   * CIDR:PORTS rules ("10.0.0.0/8:29900-29999", "[fd00::/8]:4000,4001") or
   * parsed ones. Needs `ticketPublicKey`. A session whose ticket names an
   * upstream outside them is refused (403) before any socket opens.
   */
  allow?: Array<string | AllowRule>;
  /** HTTP listen address ("host:port", port 0 picks one). */
  listen?: string;
  /** UDP port range for WebRTC ICE. */
  rtcPortRange?: [number, number];
  /**
   * Which WebRTC stack answers offers: 'node-datachannel' (libdatachannel, an
   * optional native binding), 'werift' (JavaScript), or 'auto' (the first that
   * loads, in that order). Default 'auto'.
   */
  webrtc?: WebRtcStackChoice;
  /** Extra ICE host addresses for werift (defaults to 127.0.0.1 when listening on loopback). */
  rtcHostAddresses?: string[];
  /** Serve this directory for every other path (e.g. the demo). */
  staticDir?: string;
  /** Close sessions idle for this long (ms). Default 60000. */
  idleTimeout?: number;
  /** Test aid: drop this fraction of datagrams in each direction. */
  loss?: number;
  /** Test/demo aid: extra one-way delay (ms) added in each direction. */
  delay?: number;
  /** Let pages change loss/delay at run time (POST /kcp-web/netem {loss, delay}): for the demo only. */
  allowNetem?: boolean;
  /**
   * Also accept KCP over WebSocket (TCP) at /kcp-web/ws: the demo's fallback
   * to compare against. Loss on it is emulated as TCP would see it: the lost
   * message and everything behind it wait for a retransmission timeout.
   */
  websocket?: boolean;
  /** If set, every session must present it (Authorization: Bearer …, or ?token=…) before any UDP socket opens. */
  token?: string;
  /**
   * If set (a base64 Ed25519 public key), sessions may present a ticket signed
   * with its secret key ('kcp-web/ticket', `kcp-web ticket`) where a token goes.
   */
  ticketPublicKey?: string;
  /** Per-session budgets (each direction): over-budget datagrams are dropped and counted. */
  limits?: Partial<SessionLimits>;
  /** A signaling request must arrive whole within this many ms (slow clients get 408). Default 10000. */
  signalingTimeout?: number;
  /** Most sessions at once, in total and per client address. Defaults 1000 and 20. */
  maxSessions?: number;
  maxSessionsPerAddress?: number;
  /**
   * Load balancers (addresses or CIDRs) whose X-Forwarded-For names the
   * client: a request from one of them counts against, and binds resume
   * credentials to, the rightmost address in it that is not one of them.
   * From any other peer the header is ignored. Default none.
   */
  trustProxy?: string[];
  /** Largest signaling body accepted, bytes. */
  maxBodyBytes?: number;
  /** Offer WebTransport (HTTP/3 on UDP, by default on the HTTP port's number). Default true. */
  webtransport?: boolean;
  webtransportPort?: number;
  /**
   * Where pages reach this relay's WebTransport server ("HOST:PORT"), when
   * not at the host they fetched the config from: behind a balancer, pages
   * must dial the relay whose certificate hashes they were given. Default:
   * the config's host and the WebTransport port.
   */
  publicWebtransport?: string;
  /**
   * Which HTTP/3 server carries WebTransport: 'node' (@fails-components/webtransport,
   * in this process), 'go' (the kcp-web-wt helper), or 'auto' (the first that starts). Default 'auto'.
   */
  webtransportServer?: WebTransportServerChoice;
  /** Serve WebTransport with this certificate (PEM) instead of a fresh self-signed one. */
  webtransportCertificate?: { certPem: string; keyPem: string };
  /**
   * How long a resumable session (one whose page connected with `resilient`)
   * keeps its upstream socket after its transport ends, for the page to come
   * back over another one (ms). Default 30000.
   */
  resumeGrace?: number;
  /** How long a resume credential stays valid (ms); pages refresh theirs at half of it. Default 120000. */
  resumeTtl?: number;
  /** Test aid: the clock certificate rotation and resume credentials read (ms), so a test can move it ahead. */
  _now?: () => number;
}

export interface RelayStats extends ForwardStats, ResumeCounters {
  signalingErrors: number;
  /** Requests refused: no or bad token or ticket, a refused upstream, or over a session cap. */
  refused: number;
  /** Of those, tickets naming an upstream that is malformed or not in the allow-list (or none, with no default). */
  refusedUpstream: number;
}

export interface Relay {
  url: string;
  stats: RelayStats;
  /** Which WebRTC stack answers offers (and, for 'auto', why the other was passed over). */
  webrtc: string;
  /** Which WebTransport server is active, or why there is none. */
  webtransport: string;
  /** Test aid: runs the hourly certificate check now (with `_now`); true if the certificate was rotated. */
  _checkCertificates(): Promise<boolean>;
  /**
   * Test aid: drops every datagram to and from the sessions this kind of ingress carries, as a middlebox that stops passing them would.
   * @internal
   */
  _blackhole(kind: IngressKind): void;
  close(): Promise<void>;
}


function checkOptions(options: RelayOptions): SessionLimits {
  const limits: SessionLimits = { ...DEFAULT_LIMITS, ...options.limits };
  for (const [k, v] of Object.entries(limits)) if (!(typeof v === 'number' && v > 0)) throw new TypeError(`limits.${k} must be a number > 0; got ${String(v)}`);
  if (options.webrtc !== undefined && !(WEBRTC_STACKS as readonly string[]).includes(options.webrtc)) throw new TypeError(`webrtc must be one of ${WEBRTC_STACKS.join(', ')}; got ${JSON.stringify(options.webrtc)}`);
  if (options.loss !== undefined && !(options.loss >= 0 && options.loss < 1)) throw new TypeError(`loss must be a fraction from 0 to below 1; got ${String(options.loss)}`);
  for (const k of ['resumeGrace', 'resumeTtl'] as const) if (options[k] !== undefined && !((options[k] ?? 0) > 0)) throw new TypeError(`${k} must be a number of ms > 0; got ${String(options[k])}`);
  return limits;
}

/** Starts a relay; resolves once it listens (and its WebTransport server, if any, has started or been given up). */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  const limits = checkOptions(options);
  const allow = options.allow ? new AllowList(options.allow.map((r) => (typeof r === 'string' ? parseAllowRule(r) : r))) : undefined;
  if (allow && options.ticketPublicKey === undefined) throw new TypeError('allow needs ticketPublicKey: only signed tickets may name an upstream');
  if (options.upstream === undefined && !allow) throw new TypeError('upstream is required (or allow, with tickets that name their upstream)');
  let upstream: Upstream | undefined;
  if (options.upstream !== undefined) {
    upstream = parseHostPort(options.upstream, 'upstream');
    if (upstream.port === 0) throw new TypeError('upstream must name a port other than 0');
  }
  const listen = parseHostPort(options.listen ?? '127.0.0.1:8080', 'listen');
  const publicWt = options.publicWebtransport === undefined ? undefined : parseHostPort(options.publicWebtransport, 'publicWebtransport');
  if (publicWt?.port === 0) throw new TypeError('publicWebtransport must name a port other than 0');
  const proxies = new TrustedProxies(options.trustProxy ?? []);
  const idleTimeout = options.idleTimeout ?? 60000;
  const forwarder = new Forwarder(limits, { loss: options.loss ?? 0, delay: options.delay ?? 0 });
  const hostAddresses = options.rtcHostAddresses ?? (isLoopbackHost(listen.host) ? ['127.0.0.1'] : []);
  const rtc = await createRtcAnswerer(options.webrtc ?? 'auto', { ...(options.rtcPortRange ? { portRange: options.rtcPortRange } : {}), hostAddresses });
  const stats: RelayStats = Object.assign(forwarder.stats, { signalingErrors: 0, refused: 0, refusedUpstream: 0, ...RESUME_COUNTERS });
  const admission = new Admission(
    {
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.ticketPublicKey !== undefined ? { ticketPublicKey: options.ticketPublicKey } : {}),
      ...(upstream ? { upstream } : {}),
      ...(allow ? { allow } : {}),
      maxSessions: options.maxSessions ?? 1000,
      maxSessionsPerAddress: options.maxSessionsPerAddress ?? 20,
    },
    () => forwarder.size,
    stats,
  );
  const book = new ResumeBook<ForwardHandle>({ ttlMs: options.resumeTtl ?? 120_000, now: options._now ?? Date.now }, stats);
  const attachments = new Attachments(admission, forwarder, book, options.resumeGrace ?? 30_000);
  /** Shared with the Go WebTransport helper so that it asks us (GET /kcp-web/auth) before opening a session. */
  const authSecret = randomBytes(16).toString('hex');
  /** How `req` may join (a new session or a resume); or null, its refusal answered (and counted). */
  const entered = (req: IncomingMessage, res?: ServerResponse): Entry | { refusal: [number, string] } | null => {
    const e = attachments.enter(admission.credentialOf(req), proxies.clientOf(req), resumeParamsOf(requestUrl(req).searchParams));
    if (!res || !('refusal' in e)) return e;
    sendText(res, e.refusal[0], e.refusal[1]);
    req.resume();
    return null;
  };
  /** Entries the Go helper's sessions were let in with, by bridge port, until their first datagram. */
  const bridgeEntries = new Map<number, Entry>();
  const expectBridge = (port: number, entry: Entry) => {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) return;
    bridgeEntries.set(port, entry);
    setTimeout(() => {
      if (bridgeEntries.get(port) !== entry) return;
      bridgeEntries.delete(port);
      attachments.abandon(entry);
    }, 30_000).unref();
  };

  const routes = new Map<string, Route>();
  routes.set('GET /kcp-web/config', (_req, res) => sendJson(res, config()));
  routes.set('GET /kcp-web/stats', (_req, res) => sendJson(res, stats));
  routes.set('POST /kcp-web/rtc', async (req, res) => {
    const entry = entered(req, res) as Entry | null;
    if (!entry) return;
    try {
      const offer = await readBody(req, options.maxBodyBytes ?? 64 * 1024);
      const release = 'resumeOf' in entry ? undefined : admission.hold(entry.address);
      const opened = await rtc.answer(offer).catch((e: Error) => {
        release?.(); // a failed offer keeps nothing: its address slot goes now
        attachments.abandon(entry);
        throw e;
      });
      attachments.carry(entry, opened.transport, 'webrtc', release);
      res.writeHead(200, { 'content-type': 'application/sdp' }).end(opened.answer);
    } catch (e) {
      stats.signalingErrors++;
      throw e;
    }
  });
  routes.set('GET /kcp-web/auth', (req, res) => {
    // The Go WebTransport helper's question: may this session open? Only it knows the secret.
    if (req.headers['x-kcp-web-auth'] !== authSecret) return sendText(res, 404, 'not found');
    const from = String(req.headers['x-forwarded-for'] ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : null);
    const v = attachments.enter(admission.credentialOf(req), from, { resume: header('x-kcp-web-resume'), claim: header('x-kcp-web-claim') });
    const port = Number(req.headers['x-kcp-web-bridge-port']);
    if (!('refusal' in v)) {
      if (!('resumeOf' in v)) admission.holdForBridge(port, from, v.upstream);
      if (v.id !== undefined) expectBridge(port, v);
    }
    sendText(res, 'refusal' in v ? v.refusal[0] : 204, 'refusal' in v ? v.refusal[1] : undefined);
  });
  routes.set('POST /kcp-web/resume', async (req, res) => {
    // A claim's credential, once, or a newer one for a live credential: from the address it was issued to.
    let asked: { claim?: unknown; credential?: unknown };
    try {
      asked = JSON.parse(await readBody(req, 4096)) as typeof asked;
    } catch (e) {
      if (e instanceof HttpError) throw e; // over the size limit: 413
      return sendText(res, 400, 'expected {"claim": "…"} or {"credential": "…"}');
    }
    const address = proxies.clientOf(req);
    if (typeof asked?.claim === 'string') {
      const issued = book.pickup(asked.claim, address);
      return issued ? sendJson(res, issued) : sendText(res, 404, 'no credential under this claim');
    }
    if (typeof asked?.credential !== 'string') return sendText(res, 400, 'expected {"claim": "…"} or {"credential": "…"}');
    const r = book.refresh(asked.credential, address);
    if ('refusal' in r) return sendText(res, r.refusal[0], r.refusal[1]);
    sendJson(res, r);
  });
  if (options.allowNetem) {
    const netem = forwarder.netem;
    routes.set('GET /kcp-web/netem', (_req, res) => sendJson(res, netem));
    routes.set('POST /kcp-web/netem', async (req, res) => {
      try {
        const v = JSON.parse(await readBody(req, 1024)) as { loss?: unknown; delay?: unknown };
        if (typeof v.loss === 'number' && v.loss >= 0 && v.loss < 1) netem.loss = v.loss;
        if (typeof v.delay === 'number' && v.delay >= 0 && v.delay <= 2000) netem.delay = v.delay;
      } catch {
        return sendText(res, 400, 'expected {"loss": 0..0.99, "delay": 0..2000}');
      }
      sendJson(res, netem);
    });
  }
  const server = createHttpServer(routes, staticFiles(options.staticDir ? resolvePath(options.staticDir) : null), options.signalingTimeout ?? 10000);
  if (options.websocket) {
    const { WebSocketServer } = await importOptional<typeof import('ws')>('ws', 'the relay\'s WebSocket ingress');
    const wss = new WebSocketServer({ noServer: true, maxPayload: 2048 });
    server.on('upgrade', (req, sock, head) => {
      if (requestUrl(req).pathname !== '/kcp-web/ws') return void sock.destroy();
      const v = entered(req)!;
      if ('refusal' in v) {
        sock.end(`HTTP/1.1 ${v.refusal[0]} ${v.refusal[1]}\r\nconnection: close\r\n\r\n`);
        return;
      }
      const release = 'resumeOf' in v ? undefined : admission.hold(v.address);
      wss.handleUpgrade(req, sock, head, (ws) => attachments.carry(v, new WebSocketTransport(ws as unknown as WebSocketLike), 'websocket', release, true));
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const reaper = setInterval(() => {
    forwarder.reap(idleTimeout);
    book.sweep();
  }, Math.min(5000, idleTimeout));
  reaper.unref();

  const addr = server.address() as AddressInfo;
  // Signaling is up before WebTransport (the Go helper may be building): until it is, config offers the rest.
  let wtSettled = false;
  const wt = await (async () => {
    if (options.webtransport === false) return { ingress: null, reason: 'disabled by option' };
    const authHost = listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host.includes(':') ? `[${listen.host}]` : listen.host;
    const hook = { admit: (c: string | null, a: string) => admission.admit(c, a), url: `http://${authHost}:${addr.port}/kcp-web/auth`, secret: authSecret };
    const onSession: OnSession = (t, from) => {
      if ('bridgePort' in from) {
        // Only sessions the relay admitted (GET /kcp-web/auth) have a hold; it says where they go.
        const entry = bridgeEntries.get(from.bridgePort);
        bridgeEntries.delete(from.bridgePort);
        if (entry && 'resumeOf' in entry) return attachments.carry(entry, t, 'webtransport');
        const held = admission.takeBridgeHold(from.bridgePort);
        if (held) attachments.carry(entry ?? { upstream: held.upstream, address: '' }, t, 'webtransport', held.release);
        else t.close();
        return;
      }
      // In process: admitted by the request callback just before; its credential says where it goes.
      const v = admission.route(from.credential);
      if ('upstream' in v) forwarder.forward(t, v.upstream, { kind: 'webtransport' });
      else t.close();
    };
    const start = (port: number) => startWebTransportIngress(listen.host, port, onSession, hook, options.webtransportServer, options.webtransportCertificate);
    const first = await start(options.webtransportPort ?? addr.port);
    // The HTTP port's number may already be taken on UDP (an ephemeral port of some
    // other socket): unless a port was asked for, take any free one instead.
    return first.ingress || options.webtransportPort !== undefined ? first : start(0);
  })();
  const wtPort = wt.ingress ? Number(new URL(wt.ingress.url).port) : 0;
  // A certificate the server made is rotated before it expires; an operator's own is theirs to renew.
  const swap = wt.ingress?.rotation;
  const rotation = swap && wt.ingress?.certificateHash ? new CertificateRotation(swap, wt.ingress.certificateHash, options._now ?? Date.now, (e) => console.error(`kcp-web relay: WebTransport certificate rotation: ${e.message}`)) : undefined;
  await rotation?.start();
  wtSettled = true;
  const rotationTimer = rotation ? setInterval(() => void rotation.check(), 3_600_000) : undefined;
  rotationTimer?.unref();
  /** What pages pin: the served certificate, and the next one, which will be served after the next rotation. */
  function certificateHashes(): { certificateHash?: string; certificateHashes?: string[] } {
    if (rotation) return { certificateHash: rotation.hashes[0]!, certificateHashes: rotation.hashes };
    const hash = wt.ingress?.certificateHash;
    return hash ? { certificateHash: hash, certificateHashes: [hash] } : {};
  }
  function config() {
    const ingress = wtSettled ? wt.ingress : null;
    return {
      transports: [...(ingress ? ['webtransport'] : []), 'webrtc', ...(options.websocket ? ['websocket'] : [])],
      mtu: Math.min(WEBRTC_MTU, WEBTRANSPORT_MTU),
      webrtc: { path: '/kcp-web/rtc' },
      ...(options.websocket ? { websocket: { path: '/kcp-web/ws' } } : {}),
      resume: { path: '/kcp-web/resume' },
      ...(ingress ? { webtransport: { ...(publicWt ? { host: publicWt.host, port: publicWt.port } : { port: wtPort }), path: WT_PATH, ...certificateHashes() } } : {}),
    };
  }
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    stats,
    webrtc: rtc.description,
    webtransport: wt.ingress ? `${wt.ingress.server} at ${wt.ingress.url}${'skipped' in wt && wt.skipped ? ` (${wt.skipped})` : ''}` : `off (${wt.reason})`,
    _checkCertificates: async () => (rotation ? rotation.check() : false),
    _blackhole: (kind) => void forwarder.blackholed.add(kind),
    async close() {
      clearInterval(rotationTimer);
      wt.ingress?.close();
      clearInterval(reaper);
      forwarder.closeAll();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
