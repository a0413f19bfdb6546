/**
 * The kcp-web relay: browsers reach it over WebRTC data channels, and it
 * forwards each session's datagrams, untouched, to the one UDP upstream its
 * operator configured (a kcp-go or kcp-web server), through a UDP socket of
 * the session's own — so the upstream sees one address per browser session.
 * Keys stay end to end: the relay never decrypts anything.
 *
 * HTTP endpoints (under `/kcp-web/`):
 *   GET  config  → { transports, mtu, webrtc: { path }, webtransport?: { port, path, certificateHash } }
 *   POST rtc     → body: the page's complete SDP offer; answer: our SDP answer
 *   GET  stats   → counters
 * Anything else is served from `staticDir` when one is given.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import dgram from 'node:dgram';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve as resolvePath } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DATA_CHANNEL_INIT, DataChannelTransport, WEBRTC_MTU, type DataChannelLike } from '../transports/webrtc.js';
import { createWeriftPeerConnection, weriftMessage } from '../adapter/node/werift.js';
import { parseHostPort } from '../transports/udp.js';
import type { DatagramTransport } from '../transports/transport.js';
import { WebSocketServer } from 'ws';
import { WebSocketTransport, type WebSocketLike } from '../transports/websocket.js';
import { startWebTransportIngress, WEBTRANSPORT_MTU, WT_PATH, type WebTransportServerChoice } from './webtransport-ingress.js';
import { ticketVerifier } from './ticket.js';
import { DEFAULT_LIMITS, directionBudget, type SessionLimits } from './limits.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Compares digests in constant time, so response timing says nothing about the token. */
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export interface RelayOptions {
  /** The UDP server every session is forwarded to ("host:port"). */
  upstream: string;
  /** HTTP listen address ("host:port", port 0 picks one). */
  listen?: string;
  /** UDP port range for WebRTC ICE. */
  rtcPortRange?: [number, number];
  /** Extra ICE host addresses (defaults to 127.0.0.1 when listening on loopback). */
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
   * with its secret key (see ticket.ts, `kcp-web ticket`) where a token goes.
   */
  ticketPublicKey?: string;
  /** Per-session budgets (each direction): over-budget datagrams are dropped and counted. */
  limits?: Partial<SessionLimits>;
  /** A signaling request must arrive whole within this many ms (slow clients get 408). Default 10000. */
  signalingTimeout?: number;
  /** Most sessions at once, in total and per client address. Defaults 1000 and 20. */
  maxSessions?: number;
  maxSessionsPerAddress?: number;
  /** Largest signaling body accepted, bytes. */
  maxBodyBytes?: number;
  /** Offer WebTransport (HTTP/3 on UDP, by default on the HTTP port's number). Default true. */
  webtransport?: boolean;
  webtransportPort?: number;
  /**
   * Which HTTP/3 server carries WebTransport: 'node' (@fails-components/webtransport,
   * in this process), 'go' (the kcp-web-wt helper), or 'auto' (the first that starts). Default 'auto'.
   */
  webtransportServer?: WebTransportServerChoice;
  /** Serve WebTransport with this certificate (PEM) instead of a fresh self-signed one. */
  webtransportCertificate?: { certPem: string; keyPem: string };
}

export interface RelayStats {
  sessionsOpened: number;
  sessionsActive: number;
  sessionsReaped: number;
  datagramsUp: number;
  datagramsDown: number;
  bytesUp: number;
  bytesDown: number;
  dropped: number;
  signalingErrors: number;
  /** Requests refused: no or bad token or ticket, or over a session cap. */
  refused: number;
  /** UDP sockets open towards the upstream (one per live session). */
  upstreamSockets: number;
  /** Datagrams dropped for going over a session's rate budget. */
  rateLimited: number;
  /** Sessions closed for going over their total byte cap. */
  byteCapped: number;
}

export interface Relay {
  url: string;
  stats: RelayStats;
  /** Which WebTransport server is active, or why there is none. */
  webtransport: string;
  close(): Promise<void>;
}

interface RelaySession {
  transport: DatagramTransport;
  socket: dgram.Socket;
  lastActive: number;
  close(): void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** The request's URL; an unparsable target (e.g. "//[") reads as a path nothing matches. */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://relay');
  } catch {
    return new URL('http://relay/.invalid');
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        // Answer 413, then drain (rather than reset) so the client sees the answer.
        reject(Object.assign(new Error(`body over ${limit} bytes`), { status: 413 }));
        req.removeAllListeners('data');
        req.resume();
      } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function waitGathering(pc: { iceGatheringState: string }, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const check = () => {
      if (pc.iceGatheringState === 'complete') resolve();
      else if (Date.now() - start > ms) reject(new Error('ICE gathering timed out'));
      else setTimeout(check, 10);
    };
    check();
  });
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const upstream = parseHostPort(options.upstream, 'upstream');
  if (upstream.port === 0) throw new TypeError('upstream must name a port other than 0');
  const { host: listenHost, port: listenPort } = parseHostPort(options.listen ?? '127.0.0.1:8080', 'listen');
  const loopback = listenHost === '127.0.0.1' || listenHost === 'localhost' || listenHost === '::1';
  const hostAddresses = options.rtcHostAddresses ?? (loopback ? ['127.0.0.1'] : []);
  const idleTimeout = options.idleTimeout ?? 60000;
  const netem = { loss: options.loss ?? 0, delay: options.delay ?? 0 };
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const staticRoot = options.staticDir ? resolvePath(options.staticDir) : null;
  const stats: RelayStats = {
    sessionsOpened: 0,
    sessionsActive: 0,
    sessionsReaped: 0,
    datagramsUp: 0,
    datagramsDown: 0,
    bytesUp: 0,
    bytesDown: 0,
    dropped: 0,
    signalingErrors: 0,
    refused: 0,
    upstreamSockets: 0,
    rateLimited: 0,
    byteCapped: 0,
  };
  const limits: SessionLimits = { ...DEFAULT_LIMITS, ...options.limits };
  for (const [k, v] of Object.entries(limits)) if (!(typeof v === 'number' && v > 0)) throw new TypeError(`limits.${k} must be a number > 0; got ${String(v)}`);
  const checkTicket = options.ticketPublicKey !== undefined ? ticketVerifier(options.ticketPublicKey) : null;
  /** Shared with the WebTransport helper so that it asks us (GET /kcp-web/auth) before opening a session. */
  const authSecret = randomBytes(16).toString('hex');
  const maxSessions = options.maxSessions ?? 1000;
  const maxPerAddress = options.maxSessionsPerAddress ?? 20;
  const perAddress = new Map<string, number>();

  /** The credential a request carries: Authorization: Bearer …, else ?token=…. */
  function credentialOf(req: IncomingMessage): string | null {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Bearer ')) return auth.slice(7);
    return requestUrl(req).searchParams.get('token');
  }
  /** Why a session with `credential` from `address` may not open (status, message), or null if it may. */
  function admit(credential: string | null, address: string): [number, string] | null {
    if (options.token !== undefined || checkTicket) {
      const tokenOk = options.token !== undefined && credential !== null && sameSecret(credential, options.token);
      if (!tokenOk) {
        if (credential === null || credential === '') return [401, `a valid ${checkTicket ? 'ticket' : 'token'} is required`];
        if (!checkTicket) return [401, 'a valid token is required'];
        const t = checkTicket(credential);
        if (!t.ok) return [403, t.reason];
      }
    }
    if (sessions.size >= maxSessions) return [503, `relay full (${maxSessions} sessions)`];
    if ((perAddress.get(address) ?? 0) >= maxPerAddress) return [429, `too many sessions from this address (${maxPerAddress})`];
    return null;
  }
  const admission = (req: IncomingMessage) => admit(credentialOf(req), req.socket.remoteAddress ?? '');
  /** Counts a session against its client address until it closes. */
  function hold(address: string): () => void {
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    return () => {
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n <= 0) perAddress.delete(address);
      else perAddress.set(address, n);
    };
  }
  /**
   * WebTransport sessions admitted by the quic-go helper, by the port of the
   * helper's bridge socket for them: counted against the client's address from
   * admission on (so that concurrent CONNECTs cannot overrun the cap), and
   * handed to the session once its first datagram arrives; released after
   * BRIDGE_GRACE_MS if none ever does.
   */
  const bridged = new Map<number, { release: () => void; timer: ReturnType<typeof setTimeout> }>();
  const BRIDGE_GRACE_MS = 30_000;
  function holdForBridge(port: number, address: string): void {
    if (!Number.isInteger(port) || port <= 0 || port > 65535 || bridged.has(port)) return;
    const release = hold(address);
    const timer = setTimeout(() => {
      bridged.delete(port);
      release();
    }, BRIDGE_GRACE_MS);
    timer.unref();
    bridged.set(port, { release, timer });
  }
  /** The address hold of the bridged session on `port`, taken over by its session. */
  function takeBridgeHold(port: number | undefined): (() => void) | undefined {
    const b = port === undefined ? undefined : bridged.get(port);
    if (!b) return undefined;
    clearTimeout(b.timer);
    bridged.delete(port!);
    return b.release;
  }
  const sessions = new Set<RelaySession>();
  const pass = () => netem.loss <= 0 || Math.random() >= netem.loss || (stats.dropped++, false);
  /** Runs `send` now, or after the configured delay. */
  const later = (send: () => void): void => void (netem.delay > 0 ? setTimeout(send, netem.delay) : send());

  /**
   * Pumps one browser session's datagrams between its transport and a UDP
   * socket of its own connected to the upstream. The same for every ingress.
   */
  /** TCP under loss: in-order delivery, a loss holds the stream for an RTO. */
  function headOfLine(): (send: () => void) => void {
    let blockedUntil = 0;
    return (send) => {
      const now = Date.now();
      let at = Math.max(now + netem.delay, blockedUntil);
      if (netem.loss > 0 && Math.random() < netem.loss) {
        stats.dropped++;
        at += Math.max(200, 2 * netem.delay + 200); // TCP's minimum RTO, or more on a slow link
      }
      blockedUntil = at;
      if (at <= now) send();
      else setTimeout(send, at - now);
    };
  }

  function forward(transport: DatagramTransport, release?: () => void, reliable = false): RelaySession {
    const upstreamPath = reliable ? headOfLine() : (send: () => void) => pass() && later(send);
    const downstreamPath = reliable ? headOfLine() : (send: () => void) => pass() && later(send);
    const socket = dgram.createSocket(upstream.host.includes(':') ? 'udp6' : 'udp4');
    stats.upstreamSockets++;
    socket.on('error', () => session.close());
    socket.on('close', () => stats.upstreamSockets--);
    socket.connect(upstream.port, upstream.host);
    const budgetUp = directionBudget(limits, Date.now());
    const budgetDown = directionBudget(limits, Date.now());
    let carried = 0;
    /** Whether `d` fits the session's budgets; over the total cap, the session ends. */
    const within = (budget: (n: number, now: number) => boolean, d: Uint8Array): boolean => {
      if (!budget(d.length, Date.now())) {
        stats.rateLimited++;
        return false;
      }
      carried += d.length;
      if (carried > limits.totalBytes) {
        stats.byteCapped++;
        session.close();
        return false;
      }
      return true;
    };
    const session: RelaySession = {
      transport,
      socket,
      lastActive: Date.now(),
      close() {
        if (!sessions.delete(session)) return;
        stats.sessionsActive--;
        transport.close();
        try {
          socket.close();
        } catch {
          /* closed */
        }
        release?.();
      },
    };
    transport.receive(
      (d) => {
        session.lastActive = Date.now();
        if (!within(budgetUp, d)) return;
        // The socket may still be connecting: a datagram before that is a drop, KCP resends.
        upstreamPath(() => {
          stats.datagramsUp++;
          stats.bytesUp += d.length;
          try {
            socket.send(d);
          } catch {
            stats.dropped++;
          }
        });
      },
      () => session.close(),
    );
    socket.on('message', (d) => {
      session.lastActive = Date.now();
      if (!within(budgetDown, d)) return;
      downstreamPath(() => {
        stats.datagramsDown++;
        stats.bytesDown += d.length;
        transport.send(d);
      });
    });
    sessions.add(session);
    stats.sessionsOpened++;
    stats.sessionsActive++;
    return session;
  }

  async function openSession(offer: string, release: () => void): Promise<string> {
    const pc = createWeriftPeerConnection({ ...(options.rtcPortRange ? { portRange: options.rtcPortRange } : {}), hostAddresses });
    const channel = pc.createDataChannel('kcp', DATA_CHANNEL_INIT) as unknown as DataChannelLike;
    let answer: string | undefined;
    try {
      try {
        // Anything that fails from here to the answer is the offer's doing (werift
        // accepts some broken offers and only fails on answering them).
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        await pc.setLocalDescription(await pc.createAnswer());
      } catch (e) {
        throw Object.assign(new Error(`not a usable SDP offer: ${(e as Error).message}`), { status: 400 });
      }
      await waitGathering(pc, 5000).catch((e: Error) => {
        throw Object.assign(e, { status: 503 });
      });
      answer = pc.localDescription?.sdp;
      if (!answer) throw new Error('no local description');
    } catch (e) {
      // A failed offer keeps nothing: its peer connection and its address slot go now.
      release();
      void Promise.resolve(pc.close()).catch(() => {});
      throw e;
    }

    const transport = new DataChannelTransport(channel, { toMessage: weriftMessage });
    forward(transport, () => {
      release();
      void Promise.resolve(pc.close()).catch(() => {});
    });
    return answer;
  }

  async function serveStatic(res: ServerResponse, urlPath: string): Promise<void> {
    if (!staticRoot) {
      res.writeHead(404).end('not found');
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      res.writeHead(400).end('malformed path');
      return;
    }
    let file = normalize(join(staticRoot, decoded));
    if (!file.startsWith(staticRoot)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  }

  const signalingTimeout = options.signalingTimeout ?? 10000;
  // Node checks request deadlines on an interval (30 s by default): often enough to honour ours.
  const server: Server = createServer({ connectionsCheckingInterval: Math.min(1000, signalingTimeout / 2), requestTimeout: signalingTimeout, headersTimeout: signalingTimeout }, (req, res) => {
    const path = requestUrl(req).pathname;
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type, authorization' }).end();
      return;
    }
    if (path === '/kcp-web/config' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config()));
    } else if (path === '/kcp-web/netem' && options.allowNetem && (req.method === 'GET' || req.method === 'POST')) {
      const reply = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(netem));
      if (req.method === 'GET') return void reply();
      readBody(req, 1024)
        .then((body) => {
          const v = JSON.parse(body) as { loss?: unknown; delay?: unknown };
          if (typeof v.loss === 'number' && v.loss >= 0 && v.loss < 1) netem.loss = v.loss;
          if (typeof v.delay === 'number' && v.delay >= 0 && v.delay <= 2000) netem.delay = v.delay;
          reply();
        })
        .catch(() => res.writeHead(400).end('expected {"loss": 0..0.99, "delay": 0..2000}'));
    } else if (path === '/kcp-web/auth' && req.method === 'GET' && req.headers['x-kcp-web-auth'] === authSecret) {
      // The WebTransport helper's question: may this session open? (Only it knows the secret.)
      const from = String(req.headers['x-forwarded-for'] ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      const refusal = admit(credentialOf(req), from);
      if (refusal) stats.refused++;
      else holdForBridge(Number(req.headers['x-kcp-web-bridge-port']), from);
      res.writeHead(refusal ? refusal[0] : 204, { 'content-type': 'text/plain' }).end(refusal ? refusal[1] : undefined);
    } else if (path === '/kcp-web/stats' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    } else if (path === '/kcp-web/rtc' && req.method === 'POST') {
      const refusal = admission(req);
      if (refusal) {
        stats.refused++;
        res.writeHead(refusal[0], { 'content-type': 'text/plain' }).end(refusal[1]);
        req.resume();
        return;
      }
      readBody(req, maxBody)
        .then(async (offer) => {
          if (!offer.startsWith('v=0')) throw Object.assign(new Error('body must be an SDP offer'), { status: 400 });
          const answer = await openSession(offer, hold(req.socket.remoteAddress ?? ''));
          res.writeHead(200, { 'content-type': 'application/sdp' }).end(answer);
        })
        .catch((e: Error & { status?: number }) => {
          stats.signalingErrors++;
          if (!res.headersSent) res.writeHead(e.status ?? 500, { 'content-type': 'text/plain' }).end(e.message);
        });
    } else if (req.method === 'GET') {
      serveStatic(res, path).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    } else {
      res.writeHead(405).end();
    }
  });
  // A request (headers and body) must arrive whole within signalingTimeout: slow-loris clients get 408.
  if (options.websocket) {
    const wss = new WebSocketServer({ noServer: true, maxPayload: 2048 });
    server.on('upgrade', (req, sock, head) => {
      if (requestUrl(req).pathname !== '/kcp-web/ws') return void sock.destroy();
      const refusal = admission(req);
      if (refusal) {
        stats.refused++;
        sock.end(`HTTP/1.1 ${refusal[0]} ${refusal[1]}\r\nconnection: close\r\n\r\n`);
        return;
      }
      const release = hold(req.socket.remoteAddress ?? '');
      wss.handleUpgrade(req, sock, head, (ws) => forward(new WebSocketTransport(ws as unknown as WebSocketLike), release, true));
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenHost, () => resolve());
  });

  const reaper = setInterval(() => {
    const now = Date.now();
    for (const s of sessions) {
      if (now - s.lastActive > idleTimeout) {
        stats.sessionsReaped++;
        s.close();
      }
    }
  }, Math.min(5000, idleTimeout));
  reaper.unref();

  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  async function openWebTransport() {
    if (options.webtransport === false) return { ingress: null, reason: 'disabled by option' };
    const authHost = listenHost === '0.0.0.0' || listenHost === '::' ? '127.0.0.1' : listenHost.includes(':') ? `[${listenHost}]` : listenHost;
    const admission = { check: admit, url: `http://${authHost}:${addr.port}/kcp-web/auth`, secret: authSecret };
    const start = (port: number) => startWebTransportIngress(listenHost, port, (t, bridgePort) => forward(t, takeBridgeHold(bridgePort)), admission, options.webtransportServer, options.webtransportCertificate);
    const first = await start(options.webtransportPort ?? addr.port);
    // The HTTP port's number may already be taken on UDP (an ephemeral port of some
    // other socket): unless a port was asked for, take any free one instead.
    return first.ingress || options.webtransportPort !== undefined ? first : start(0);
  }
  const wt = await openWebTransport();
  const wtPort = wt.ingress ? Number(new URL(wt.ingress.url).port) : 0;
  function config() {
    return {
      transports: [...(wt.ingress ? ['webtransport'] : []), 'webrtc', ...(options.websocket ? ['websocket'] : [])],
      mtu: Math.min(WEBRTC_MTU, WEBTRANSPORT_MTU),
      webrtc: { path: '/kcp-web/rtc' },
      ...(options.websocket ? { websocket: { path: '/kcp-web/ws' } } : {}),
      ...(wt.ingress ? { webtransport: { port: wtPort, path: WT_PATH, ...(wt.ingress.certificateHash ? { certificateHash: wt.ingress.certificateHash } : {}) } } : {}),
    };
  }
  return {
    url: `http://${host}:${addr.port}/`,
    stats,
    webtransport: wt.ingress ? `${wt.ingress.server} at ${wt.ingress.url}${'skipped' in wt && wt.skipped ? ` (${wt.skipped})` : ''}` : `off (${wt.reason})`,
    async close() {
      wt.ingress?.close();
      clearInterval(reaper);
      for (const s of [...sessions]) s.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
export { mintTicket, verifyTicket, ticketKeyPair, ticketVerifier, type TicketClaims, type TicketCheck } from './ticket.js';
