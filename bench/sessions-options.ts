import type { SessionOptions } from '../src/core/options.js';

/** A game-like session: aes, no FEC, kcptun's "normal" mode (40 ms interval), message mode. */
export const SESSION_OPTIONS: SessionOptions = { crypt: 'aes', key: 'bench', mode: 'normal', sndwnd: 32, rcvwnd: 32 };
