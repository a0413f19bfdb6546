/**
 * One load-generator process for bench/sessions.ts: opens `count` client
 * sessions to the server, each on its own UDP socket (one address per
 * session, as browsers behind the relay appear), and sends a 32-byte message
 * from each every 50 ms, spread across the period. Prints `open` once all are
 * up, then its own CPU (% of one core) once a second. Bounded: exits after
 * `maxSeconds` even if nobody stops it.
 *
 * Usage: node --import tsx bench/sessions-client.ts SERVER COUNT MAX_SECONDS
 */
import { dialUdp, type Session } from '../src/index.node.js';
import { deriveKey } from '../src/core/crypt/kdf.js';
import { SESSION_OPTIONS } from './sessions-options.js';

const [server, countArg, maxArg] = process.argv.slice(2);
const count = Number(countArg);
const maxSeconds = Number(maxArg);
if (!server || !(count > 0) || !(maxSeconds > 0)) throw new TypeError('usage: sessions-client.ts SERVER COUNT MAX_SECONDS');
setTimeout(() => process.exit(0), maxSeconds * 1000).unref();

// The passphrase's pbkdf2 (4096 rounds) once, not once per session: the same key bytes.
const options = { ...SESSION_OPTIONS, key: deriveKey(SESSION_OPTIONS.key as string), udp: { bufferSize: 64 * 1024 } };
const sessions: Session[] = [];
// Opened in batches: one socket bind + connect each, without thousands in flight at once.
for (let i = 0; i < count; i += 100) {
  const batch = Math.min(100, count - i);
  sessions.push(...(await Promise.all(Array.from({ length: batch }, () => dialUdp(server, options)))));
}
console.log('open');

const msg = new Uint8Array(32);
// One loop for all senders: every 5 ms a tenth of the sessions send, so each sends once per 50 ms.
let k = 0;
const slice = Math.ceil(count / 10);
setInterval(() => {
  for (let j = 0; j < slice; j++) sessions[(k + j) % count]!.send(msg);
  k = (k + slice) % count;
}, 5);

let cpu = process.cpuUsage();
let t = performance.now();
setInterval(() => {
  const c = process.cpuUsage(cpu);
  const now = performance.now();
  console.log(JSON.stringify({ cpu: ((c.user + c.system) / 1000 / (now - t)) * 100 }));
  cpu = process.cpuUsage();
  t = now;
}, 1000);
