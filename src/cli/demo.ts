/** `kcp-web demo` (what `npm start` runs): the arena game server, the relay, and the page. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listenUdp } from '../index.node.js';
import { startRelay } from '../relay/relay.js';
import { runArena } from '../demo/game-server.js';
import { DEMO_SESSION } from '../demo/protocol.js';
import { FlagError } from './kcp-flags.js';
import { parseFlags } from './parse.js';

export const DEMO_HELP = `Usage: kcp-web demo [--listen HOST:PORT] [--upstream HOST:PORT]

Starts the kcp-web arena: a game server on kcp-web's listener (UDP), the
relay in front of it, and the demo page. Open the printed URL in two tabs.
  --listen HOST:PORT    where the page and relay are served (default 127.0.0.1:8080)
  --game HOST:PORT      the game server's UDP address (default 127.0.0.1:0)
  --upstream HOST:PORT  point the relay at this kcp-go server instead of the built-in game`;

const PAGE = fileURLToPath(new URL('../../dist-demo', import.meta.url));

export async function runDemo(args: string[]): Promise<void> {
  const v = parseFlags('demo', args, { listen: { type: 'string', default: '127.0.0.1:8080' }, game: { type: 'string', default: '127.0.0.1:0' }, upstream: { type: 'string' } }, DEMO_HELP);
  if (!v) return;
  if (!existsSync(`${PAGE}/index.html`)) throw new FlagError(`kcp-web demo: the page is not built (${PAGE}); run npm run build`);
  let upstream = typeof v.upstream === 'string' ? v.upstream : '';
  let stopGame = () => {};
  if (!upstream) {
    const listener = await listenUdp(String(v.game), DEMO_SESSION);
    const arena = runArena(listener);
    upstream = listener.address;
    stopGame = () => {
      arena.stop();
      listener.close();
    };
    console.log(`arena game server (kcp-web listener, aes, FEC 10/3) on udp ${upstream}`);
  }
  const relay = await startRelay({ upstream, listen: String(v.listen), staticDir: PAGE, allowNetem: true, websocket: true });
  console.log(`relay → ${upstream}; WebRTC: werift; WebTransport: ${relay.webtransport}; WebSocket (TCP, for comparison): on`);
  console.log(`\n  Open ${relay.url} (in two tabs to play together)\n`);
  const stop = () => {
    stopGame();
    void relay.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
