/**
 * `npm start`: the arena game server on kcp-web's UDP listener, the relay in
 * front of it, and the page the relay serves. Open the printed URL in two tabs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listenUdp } from '../src/index.node.js';
import { startRelay } from '../src/relay/index.js';
import { runArena } from './arena.js';
import { DEMO_SESSION } from './protocol.js';

const HELP = `Usage: npm start -- [--listen HOST:PORT] [--game HOST:PORT] [--upstream HOST:PORT]

  --listen HOST:PORT    where the page and relay are served (default 127.0.0.1:8080)
  --game HOST:PORT      the game server's UDP address (default 127.0.0.1:0)
  --upstream HOST:PORT  point the relay at this kcp-go server instead of the built-in game`;

const PAGE = fileURLToPath(new URL('../dist-demo', import.meta.url));

const { values } = parseArgs({
  options: { listen: { type: 'string', default: '127.0.0.1:8080' }, game: { type: 'string', default: '127.0.0.1:0' }, upstream: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
if (!existsSync(`${PAGE}/index.html`)) {
  console.error(`demo: the page is not built (${PAGE}); run npm run build`);
  process.exit(1);
}
let upstream = values.upstream ?? '';
let stopGame = () => {};
if (!upstream) {
  const listener = await listenUdp(values.game, DEMO_SESSION);
  const arena = runArena(listener);
  upstream = listener.address;
  stopGame = () => {
    arena.stop();
    listener.close();
  };
  console.log(`arena game server (kcp-web listener, aes, profile 'game': fast3, FEC 1/2, acknodelay) on udp ${upstream}`);
}
const relay = await startRelay({ upstream, listen: values.listen, staticDir: PAGE, allowNetem: true, websocket: true });
console.log(`relay → ${upstream}; WebRTC: ${relay.webrtc}; WebTransport: ${relay.webtransport}; WebSocket (TCP, for comparison): on`);
console.log(`\n  Open ${relay.url} (in two tabs to play together)\n`);
const stop = () => {
  stopGame();
  void relay.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
