/**
 * The relay under soak (bench/soak.ts), in a process of its own so that its
 * memory is measured alone: prints "relay URL", then one JSON line of
 * memory and counters every SOAK_SAMPLE_MS.
 */
import { startRelay } from '../src/relay/index.js';

const [upstream] = process.argv.slice(2);
const relay = await startRelay({
  upstream: upstream!,
  listen: '127.0.0.1:0',
  websocket: true,
  webtransport: false,
  maxSessions: 100_000,
  maxSessionsPerAddress: 100_000,
});
console.log(`relay ${relay.url}`);
setInterval(() => {
  const m = process.memoryUsage();
  console.log(JSON.stringify({ t: Date.now(), rssMB: m.rss / 2 ** 20, heapMB: m.heapUsed / 2 ** 20, ...relay.stats }));
}, Number(process.env.SOAK_SAMPLE_MS ?? 10_000));
process.on('SIGTERM', () => void relay.close().then(() => process.exit(0)));
