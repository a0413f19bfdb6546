/**
 * The tunnel page: imports kcp-web's browser entry as an app would, dials a
 * kcptun server through the relay, and sends one HTTP/1.1 GET per smux
 * stream to the TCP service behind it (kcptun-server --target), all streams
 * over one session at once. Reports each response's status, body sha256 and
 * (for short bodies) text, and the smux and snappy counters. Driven by
 * e2e/kcptun.spec.ts through window.httpThroughKcptun.
 */
import { connect, dial, smuxClient, SnappyConn, type CryptName, type SmuxSession, type TransportKind } from '../../src/index.js';
import { sha256 } from './common.js';

interface TunnelCase {
  relay: string;
  transport?: TransportKind;
  /** The kcptun server's --crypt, --key, --datashard/--parityshard, --smuxver, and whether it compresses (no --nocomp). */
  crypt: CryptName;
  key: string;
  fec: boolean;
  smuxVersion: 1 | 2;
  compress: boolean;
  paths: string[];
}

interface HttpResult {
  path: string;
  status: number;
  bodyBytes: number;
  sha256: string;
  /** The body as text when it is short (an HTML page). */
  text?: string;
}

interface TunnelResult {
  kind?: string;
  responses: HttpResult[];
  smux?: Record<string, number>;
  /** Snappy chunks that failed their checks (compressing sessions only). */
  corruptChunks?: number;
  error?: string;
  /** Why the smux session closed, if it failed. */
  smuxError?: string;
}

const CRLF2 = [13, 10, 13, 10];

function headerEnd(bytes: Uint8Array): number {
  outer: for (let i = 0; i + 4 <= bytes.length; i++) {
    for (let k = 0; k < 4; k++) if (bytes[i + k] !== CRLF2[k]) continue outer;
    return i;
  }
  return -1;
}

/** One GET on a stream of its own; the server's `Connection: close` ends the stream. */
async function get(mux: SmuxSession, path: string): Promise<HttpResult> {
  const stream = await mux.openStream();
  await stream.write(new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
  // Read with the stream's own iterator: a failed session rejects it with the SmuxError that says why
  // (a Response over stream.readable would turn that into a bare TypeError).
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    parts.push(chunk);
    size += chunk.length;
  }
  const response = new Uint8Array(size);
  parts.reduce((at, p) => (response.set(p, at), at + p.length), 0);
  const end = headerEnd(response);
  if (end < 0) throw new Error(`${path}: no HTTP header in ${response.length} bytes`);
  const head = new TextDecoder().decode(response.subarray(0, end));
  const body = response.subarray(end + 4);
  return {
    path,
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
    bodyBytes: body.length,
    sha256: await sha256(body),
    ...(body.length <= 4096 ? { text: new TextDecoder().decode(body) } : {}),
  };
}

async function httpThroughKcptun(c: TunnelCase): Promise<TunnelResult> {
  let kind: string | undefined;
  let mux: SmuxSession | undefined;
  let snappy: SnappyConn | undefined;
  try {
    const connected = await connect(c.relay, c.transport ? { transports: [c.transport] } : {});
    kind = connected.kind;
    const session = dial(connected.transport, {
      crypt: c.crypt,
      key: c.key,
      mode: 'fast',
      ...(c.fec ? { dataShards: 10, parityShards: 3 } : {}),
      mtu: 1200,
      sndwnd: 1024,
      rcvwnd: 1024,
      streamMode: true,
    });
    snappy = c.compress ? new SnappyConn(session) : undefined;
    mux = smuxClient(snappy ?? session, { Version: c.smuxVersion });
    const responses = await Promise.all(c.paths.map((p) => get(mux!, p)));
    return { kind, responses, smux: { ...mux.stats }, ...(snappy ? { corruptChunks: snappy.corruptChunks } : {}) };
  } catch (e) {
    return {
      kind,
      responses: [],
      error: String(e),
      ...(mux ? { smux: { ...mux.stats } } : {}),
      ...(mux?.error ? { smuxError: `${mux.error.code}: ${mux.error.message}` } : {}),
      ...(snappy ? { corruptChunks: snappy.corruptChunks } : {}),
    };
  } finally {
    mux?.close();
  }
}

Object.assign(window, { httpThroughKcptun });
