/**
 * The arena client: imports kcp-web exactly as a user would, connects to the
 * relay (WebTransport or WebRTC), sends inputs, draws the server's state, and
 * charts the session's live KCP figures.
 */
import { connect, dial, type Session, type TransportKind } from 'kcp-web/lite';
import { ARENA, DEMO_SESSION, decode, encode, type StateMessage } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('arena');
const ctx = canvas.getContext('2d')!;
const relayUrl = new URL('/', location.href).toString();

let session: Session | null = null;
let kind: TransportKind | null = null;
let state: StateMessage | null = null;
let updates = 0;
const keys = new Set<string>();
let mouse = { x: 0, y: 0 };
let shoot: number | undefined;

/** A rolling window of samples drawn as a small line chart. */
class Series {
  readonly values: number[] = [];
  constructor(readonly id: string, readonly color: string) {}
  push(v: number) {
    this.values.push(v);
    if (this.values.length > 60) this.values.shift();
    const c = $<HTMLCanvasElement>(this.id).getContext('2d')!;
    const { width: w, height: h } = c.canvas;
    c.clearRect(0, 0, w, h);
    const max = Math.max(1, ...this.values);
    c.strokeStyle = this.color;
    c.lineWidth = 1.5;
    c.beginPath();
    this.values.forEach((y, i) => c[i ? 'lineTo' : 'moveTo']((i / 59) * w, h - 3 - (y / max) * (h - 6)));
    c.stroke();
  }
}
const charts = { rtt: new Series('c-rtt', '#58a6ff'), retrans: new Series('c-retrans', '#f78166'), fec: new Series('c-fec', '#3fb950'), bytes: new Series('c-bytes', '#d2a8ff') };

async function start(want: TransportKind) {
  session?.close();
  $('status').textContent = `connecting over ${want}…`;
  try {
    // The WebSocket fallback is only ever used when picked, to compare against.
    const c = await connect(relayUrl, { transports: want === 'websocket' ? ['websocket'] : [want, want === 'webtransport' ? 'webrtc' : 'webtransport'] });
    kind = c.kind;
    const s = dial(c.transport, DEMO_SESSION);
    session = s;
    s.onmessage = (m) => {
      const msg = decode<StateMessage>(m);
      if (msg?.t === 'state') {
        state = msg;
        updates++;
      }
    };
    s.send(encode({ t: 'input', dx: 0, dy: 0, name: `tab ${Math.floor(Math.random() * 900 + 100)}` }));
    $('s-kind').textContent = { webtransport: 'WebTransport', webrtc: 'WebRTC', websocket: 'WebSocket (TCP)' }[kind];
    $<HTMLSelectElement>('transport').value = kind;
    $('status').textContent = `connected over ${kind}${c.fallbacks.length ? ` (fell back: ${c.fallbacks.join('; ')})` : ''}`;
    void s.closed.then((e) => {
      if (session === s) $('status').textContent = `disconnected${e ? `: ${e.message}` : ''}`;
    });
  } catch (e) {
    $('status').textContent = (e as Error).message;
  }
}

// Inputs go out at 30 Hz: unreliable-feeling game traffic carried reliably by KCP.
setInterval(() => {
  if (!session?.isOpen) return;
  const dx = (keys.has('d') || keys.has('arrowright') ? 1 : 0) - (keys.has('a') || keys.has('arrowleft') ? 1 : 0);
  const dy = (keys.has('s') || keys.has('arrowdown') ? 1 : 0) - (keys.has('w') || keys.has('arrowup') ? 1 : 0);
  session.send(encode({ t: 'input', dx, dy, ...(shoot !== undefined ? { shoot } : {}) }));
  shoot = undefined;
}, 1000 / 30);

addEventListener('keydown', (e) => keys.add(e.key.toLowerCase()));
addEventListener('keyup', (e) => keys.delete(e.key.toLowerCase()));
canvas.addEventListener('mousemove', (e) => (mouse = { x: e.offsetX, y: e.offsetY }));
canvas.addEventListener('mousedown', (e) => {
  const me = state?.players.find((p) => p.id === state!.you);
  if (me) shoot = Math.atan2(e.offsetY - me.y, e.offsetX - me.x);
});

function draw() {
  ctx.clearRect(0, 0, ARENA.width, ARENA.height);
  ctx.strokeStyle = '#1f2a37';
  for (let x = 40; x < ARENA.width; x += 40) ctx.strokeRect(x, 0, 0, ARENA.height);
  for (let y = 40; y < ARENA.height; y += 40) ctx.strokeRect(0, y, ARENA.width, 0);
  if (state) {
    for (const b of state.bullets) {
      ctx.fillStyle = `hsl(${b.hue} 90% 70%)`;
      ctx.beginPath();
      ctx.arc(b.x, b.y, 4, 0, Math.PI * 2);
      ctx.fill();
    }
    for (const p of state.players) {
      ctx.fillStyle = p.hit ? '#ffffff' : `hsl(${p.hue} 75% 55%)`;
      ctx.beginPath();
      ctx.arc(p.x, p.y, 14, 0, Math.PI * 2);
      ctx.fill();
      if (p.id === state.you) {
        ctx.strokeStyle = '#e6edf3';
        ctx.lineWidth = 2;
        ctx.stroke();
        ctx.beginPath();
        ctx.moveTo(p.x, p.y);
        ctx.lineTo(p.x + (mouse.x - p.x) * 0.15, p.y + (mouse.y - p.y) * 0.15);
        ctx.stroke();
      }
      ctx.fillStyle = '#e6edf3';
      ctx.font = '12px system-ui';
      ctx.textAlign = 'center';
      ctx.fillText(`${p.name} · ${p.score}`, p.x, p.y - 20);
    }
  }
  requestAnimationFrame(draw);
}
requestAnimationFrame(draw);

// Once a second: the session's live KCP figures.
let last = { retrans: 0, fec: 0, bin: 0, bout: 0, segs: 0 };
setInterval(() => {
  if (!session) return;
  const st = session.stats;
  const now = { retrans: st.RetransSegs, fec: st.FECRecovered, bin: st.InBytes, bout: st.OutBytes, segs: st.OutSegs };
  const rate = { retrans: now.retrans - last.retrans, fec: now.fec - last.fec, kin: (now.bin - last.bin) / 1024, kout: (now.bout - last.bout) / 1024 };
  const sent = now.segs - last.segs;
  last = now;
  // What KCP had to resend, as a share of what it sent: the loss it is repairing.
  $('s-loss').textContent = sent > 0 ? `${((100 * rate.retrans) / sent).toFixed(1)}%` : '–';
  $('s-rtt').textContent = `${session.srtt} ms`;
  $('s-retrans').textContent = String(rate.retrans);
  $('s-fec').textContent = String(rate.fec);
  $('s-bytes').textContent = `${rate.kin.toFixed(1)} / ${rate.kout.toFixed(1)}`;
  $('s-ups').textContent = String(updates);
  updates = 0;
  charts.rtt.push(session.srtt);
  charts.retrans.push(rate.retrans);
  charts.fec.push(rate.fec);
  charts.bytes.push(rate.kin + rate.kout);
}, 1000);

async function netem() {
  const loss = Number($<HTMLInputElement>('loss').value) / 100;
  const delay = Number($<HTMLInputElement>('delay').value);
  $('loss-v').textContent = `${Math.round(loss * 100)}%`;
  $('delay-v').textContent = `${delay} ms`;
  await fetch(new URL('kcp-web/netem', relayUrl), { method: 'POST', body: JSON.stringify({ loss, delay }) }).catch(() => {});
}
$('loss').addEventListener('input', netem);
$('delay').addEventListener('input', netem);
$<HTMLSelectElement>('transport').addEventListener('change', (e) => void start((e.target as HTMLSelectElement).value as TransportKind));

Object.assign(window, { demo: { state: () => state, session: () => session, kind: () => kind, keys } });
void start('webtransport');
