/**
 * kcp-web/worker: the session runs in a dedicated Worker, so KCP's timers
 * keep their pace in a hidden tab and the page's main thread stays free for
 * the game. The page gets the Session API it knows.
 *
 *   import { connectInWorker } from 'kcp-web/worker';
 *   const session = await connectInWorker('https://relay.example/', { crypt: 'aes', key: 'secret' });
 *   session.onmessage = (m) => render(m);
 *   session.send(input);
 */
export { connectInWorker, WorkerSession, type WorkerConnectOptions, type WorkerLike } from './worker/page-session.js';
export type { WorkerSessionOptions } from './worker/protocol.js';
export type { TransportKind } from './transports/connect.js';
export { SessionClosedError } from './core/session.js';
export { Snmp, SNMP_FIELDS, type SnmpField } from './core/snmp.js';
