/**
 * The demo's server-authoritative arena: every KCP session is a player; it
 * sends inputs, the server simulates at TICK_HZ and sends each player the
 * whole state every tick.
 */
import type { Listener } from '../src/core/listener.js';
import type { Session } from '../src/core/session.js';
import { ARENA, TICK_HZ, decode, encode, type InputMessage, type PlayerState, type StateMessage } from './protocol.js';

interface Player extends PlayerState {
  session: Session;
  dx: number;
  dy: number;
  cooldown: number;
}

interface Bullet {
  x: number;
  y: number;
  vx: number;
  vy: number;
  owner: number;
  hue: number;
  ttl: number;
}

const SPEED = 220 / TICK_HZ;
const BULLET_SPEED = 520 / TICK_HZ;
const RADIUS = 14;

export function runArena(listener: Listener): { stop(): void; players(): number } {
  const players = new Map<number, Player>();
  let bullets: Bullet[] = [];
  let nextId = 1;
  let tick = 0;

  listener.onsession = (session) => {
    const id = nextId++;
    const p: Player = {
      id,
      session,
      name: `player ${id}`,
      x: 60 + Math.random() * (ARENA.width - 120),
      y: 60 + Math.random() * (ARENA.height - 120),
      hue: (id * 67) % 360,
      score: 0,
      hit: 0,
      dx: 0,
      dy: 0,
      cooldown: 0,
    };
    players.set(id, p);
    session.onmessage = (m) => {
      const msg = decode<InputMessage>(m);
      if (!msg || msg.t !== 'input') return;
      p.dx = Math.max(-1, Math.min(1, Number(msg.dx) || 0));
      p.dy = Math.max(-1, Math.min(1, Number(msg.dy) || 0));
      if (typeof msg.name === 'string') p.name = msg.name.slice(0, 16);
      if (typeof msg.shoot === 'number' && p.cooldown === 0) {
        p.cooldown = Math.round(TICK_HZ / 4);
        bullets.push({ x: p.x, y: p.y, vx: Math.cos(msg.shoot) * BULLET_SPEED, vy: Math.sin(msg.shoot) * BULLET_SPEED, owner: id, hue: p.hue, ttl: TICK_HZ * 2 });
      }
    };
    void session.closed.then(() => players.delete(id));
  };

  const timer = setInterval(() => {
    tick++;
    for (const p of players.values()) {
      const len = Math.hypot(p.dx, p.dy) || 1;
      p.x = Math.max(RADIUS, Math.min(ARENA.width - RADIUS, p.x + (p.dx / len) * SPEED * Math.min(1, Math.hypot(p.dx, p.dy))));
      p.y = Math.max(RADIUS, Math.min(ARENA.height - RADIUS, p.y + (p.dy / len) * SPEED * Math.min(1, Math.hypot(p.dx, p.dy))));
      if (p.cooldown > 0) p.cooldown--;
      if (p.hit > 0) p.hit--;
    }
    bullets = bullets.filter((b) => {
      b.x += b.vx;
      b.y += b.vy;
      if (--b.ttl <= 0 || b.x < 0 || b.y < 0 || b.x > ARENA.width || b.y > ARENA.height) return false;
      for (const p of players.values()) {
        if (p.id !== b.owner && Math.hypot(p.x - b.x, p.y - b.y) < RADIUS) {
          p.hit = TICK_HZ / 2;
          const shooter = players.get(b.owner);
          if (shooter) shooter.score++;
          return false;
        }
      }
      return true;
    });
    const state: Omit<StateMessage, 'you'> = {
      t: 'state',
      tick,
      players: [...players.values()].map(({ id, name, x, y, hue, score, hit }) => ({ id, name, x: Math.round(x), y: Math.round(y), hue, score, hit })),
      bullets: bullets.map((b) => ({ x: Math.round(b.x), y: Math.round(b.y), hue: b.hue })),
    };
    for (const p of players.values()) p.session.send(encode({ ...state, you: p.id }));
  }, 1000 / TICK_HZ);

  return {
    stop: () => clearInterval(timer),
    players: () => players.size,
  };
}
