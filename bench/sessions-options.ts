import { parseArgs } from 'node:util';
import { KCP_FLAGS, sessionOptionsFromFlags } from '../src/cli/kcp-flags.js';
import type { SessionOptions } from '../src/core/options.js';

/**
 * A game-like session: aes, no FEC, kcptun's "normal" mode (40 ms interval),
 * windows of 32. As kcptun flags for kcp-go's side (interop/kcppeer
 * sessions-server / sessions-load, which use message mode), and as kcp-web
 * options read from the same flags.
 */
export const SESSION_FLAGS = ['--crypt', 'aes', '--key', 'bench', '--mode', 'normal', '--sndwnd', '32', '--rcvwnd', '32', '--datashard', '0', '--parityshard', '0'];

export const SESSION_OPTIONS: SessionOptions = {
  ...sessionOptionsFromFlags(parseArgs({ args: SESSION_FLAGS, options: KCP_FLAGS }).values),
  streamMode: false,
};
