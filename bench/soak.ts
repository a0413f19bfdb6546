/**
 * `npm run soak`: SOAK_SESSIONS (1000) KCP sessions held for SOAK_MINUTES
 * (10) through the relay to a real kcp-go echo server, each sending a
 * 64-byte numbered message every second and checking every echo. The relay
 * runs in its own process (bench/soak-relay.ts) and reports its memory
 * every SOAK_SAMPLE_MS (10 s); at the end: the memory curve, sessions lost,
 * echoes missing or wrong. Written to bench/results/soak.json.
 *
 * Ingress: the relay's WebSocket path (/kcp-web/ws). It feeds the same
 * per-session forward() — one upstream UDP socket per session, budgets,
 * reaping — as WebRTC and WebTransport; a thousand werift peer connections
 * in one load-generating process would measure werift, not the relay, on
 * two cores. Loopback only; bounded: it stops by itself.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { connect, dial, type Session } from '../src/index.node.js';
import { ROOT, startGoEcho, startServer } from '../test/helpers/kcppeer.js';

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 1000);
const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SAMPLE_MS = Number(process.env.SOAK_SAMPLE_MS ?? 10_000);
const OPTIONS = { key: 'soak', mode: 'normal', mtu: 1200 } as const;
const log = (m: string) => process.stderr.write(`[soak] ${m}\n`);

const go = await startGoEcho(['--crypt', 'aes', '--key', 'soak', '--datashard', '0', '--parityshard', '0', '--mode', 'normal', '--mtu', '1200']);
const relayProc = await startServer(process.execPath, ['--import', 'tsx', `${ROOT}bench/soak-relay.ts`, go.address], /^relay (\S+)/);
process.env.SOAK_SAMPLE_MS = String(SAMPLE_MS);
const samples: Array<{ t: number; rssMB: number; heapMB: number; sessionsActive: number; upstreamSockets: number }> = [];
createInterface({ input: relayProc.child.stdout! }).on('line', (l) => {
  if (l.startsWith('{')) samples.push(JSON.parse(l));
});

interface Client {
  session: Session;
  sent: number;
  echoed: number;
  wrong: number;
  lost: string | null;
}
const clients: Client[] = [];
const start = Date.now();
log(`opening ${SESSIONS} sessions through the relay's WebSocket ingress to kcp-go echo at ${go.address}`);
for (let i = 0; i < SESSIONS; i++) {
  const { transport } = await connect(relayProc.address, { transports: ['websocket'], WebSocket: WebSocket as never });
  const c: Client = { session: dial(transport, OPTIONS), sent: 0, echoed: 0, wrong: 0, lost: null };
  c.session.onmessage = (m) => {
    const n = new DataView(m.buffer, m.byteOffset, m.byteLength).getUint32(0);
    if (m.length === 64 && n === c.echoed) c.echoed++;
    else c.wrong++;
  };
  void c.session.closed.then((e) => {
    if (!stopping) c.lost = String(e ?? 'closed');
  });
  clients.push(c);
  if (i % 200 === 199) log(`${i + 1}/${SESSIONS} open`);
}
let stopping = false;
// Each session sends once a second, spread evenly over the second.
const msg = new Uint8Array(64);
let k = 0;
const tick = setInterval(() => {
  const per = Math.ceil(SESSIONS / 100);
  for (let j = 0; j < per; j++) {
    const c = clients[(k + j) % SESSIONS]!;
    new DataView(msg.buffer).setUint32(0, c.sent);
    if (c.session.send(msg)) c.sent++;
  }
  k = (k + per) % SESSIONS;
}, 10);
const end = start + MINUTES * 60_000;
while (Date.now() < end) {
  await new Promise((r) => setTimeout(r, Math.min(30_000, end - Date.now())));
  const s = samples.at(-1);
  log(`${((Date.now() - start) / 60_000).toFixed(1)} min: relay RSS ${s?.rssMB.toFixed(0)} MB, ${s?.sessionsActive} sessions, echoes ${clients.reduce((a, c) => a + c.echoed, 0)}`);
}
clearInterval(tick);
await new Promise((r) => setTimeout(r, 5000)); // the last echoes come home
stopping = true;
const lost = clients.filter((c) => c.lost !== null);
const sent = clients.reduce((a, c) => a + c.sent, 0);
const echoed = clients.reduce((a, c) => a + c.echoed, 0);
const wrong = clients.reduce((a, c) => a + c.wrong, 0);
for (const c of clients) c.session.close();
relayProc.child.kill('SIGTERM');
go.stop();

const table = [
  '| minute | relay RSS (MB) | relay heap (MB) | sessions | upstream sockets |',
  '|---|---|---|---|---|',
  ...samples.map((s) => `| ${((s.t - start) / 60_000).toFixed(1)} | ${s.rssMB.toFixed(1)} | ${s.heapMB.toFixed(1)} | ${s.sessionsActive} | ${s.upstreamSockets} |`),
].join('\n');
const steady = samples.filter((s) => s.sessionsActive >= SESSIONS);
const summary = `${SESSIONS} sessions × ${MINUTES} min: sessions lost ${lost.length}, echoes ${echoed} of ${sent} sent (${sent - echoed} missing, ${wrong} wrong); relay RSS ${steady[0]?.rssMB.toFixed(1)} MB at full load → ${steady.at(-1)?.rssMB.toFixed(1)} MB at the end`;
console.log(`${table}\n\n${summary}`);
if (lost.length) console.log(`first lost: ${lost[0]!.lost}`);
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'soak.json'), JSON.stringify({ sessions: SESSIONS, minutes: MINUTES, lost: lost.length, sent, echoed, wrong, samples }, null, 2));
process.exit(lost.length || sent - echoed > SESSIONS || wrong ? 1 : 0);
