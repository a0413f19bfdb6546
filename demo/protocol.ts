/**
 * The demo game's wire messages (JSON in KCP messages) and the KCP settings
 * both ends use. Shared by the Node game server and the browser client.
 */
import type { SessionOptions } from '../src/core/options.js';
import { aes } from '../src/core/crypt/ciphers.js';

export const ARENA = { width: 800, height: 520 } as const;
export const TICK_HZ = 20;

/**
 * Both ends must agree; the key is public: this is a demo of transport, not
 * of secrecy. The game profile (FEC 1/2, fast3 timers, acknodelay): at 20
 * state updates a second a 10-shard FEC group takes half a second to fill,
 * so its parity never arrives in time to matter.
 */
export const DEMO_SESSION: SessionOptions = {
  crypt: aes,
  key: 'kcp-web demo',
  profile: 'game',
  mtu: 1200,
  idleTimeout: 15000,
};

export interface InputMessage {
  t: 'input';
  /** Movement direction, each -1..1. */
  dx: number;
  dy: number;
  /** Shoot toward this angle (radians), if set. */
  shoot?: number;
  name?: string;
}

export interface PlayerState {
  id: number;
  name: string;
  x: number;
  y: number;
  hue: number;
  score: number;
  hit: number; // ticks left of the "just hit" flash
}

export interface StateMessage {
  t: 'state';
  tick: number;
  you: number;
  players: PlayerState[];
  bullets: Array<{ x: number; y: number; hue: number }>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const encode = (m: InputMessage | StateMessage): Uint8Array => encoder.encode(JSON.stringify(m));
export function decode<T>(b: Uint8Array): T | null {
  try {
    return JSON.parse(decoder.decode(b)) as T;
  } catch {
    return null;
  }
}
