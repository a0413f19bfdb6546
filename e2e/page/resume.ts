/**
 * The e2e page's resilient echo: a session over connect(url, { resilient })
 * echoes random bytes through the relay to kcp-go while e2e/resume.spec.ts
 * cuts the transport under it. It reports progress as it goes
 * (window.resumeProgress, for the spec to time its cut), each
 * transportchange, how long the byte stream stalled around it, and the
 * session's KCP counters.
 */
import { connect, dial, type Snmp, type TransportChangeEvent, type TransportKind } from '../../src/lite.js';
import { aes } from '../../src/core/crypt/ciphers.js';
import { echo, randomBytes, sessionOptions } from './common.js';

interface ResumeCase {
  relay: string;
  transports: TransportKind[];
  key: string;
  bytes: number;
  /** Silence (ms) after which the page gives a transport up. */
  silence: number;
}

interface Change {
  from: string;
  to: string;
  reason: string;
  /** ms since the echo started. */
  at: number;
  /** Bytes echoed back when it happened. */
  received: number;
}

const progress = { received: 0, kind: '' };

const KCP_COUNTERS = ['OutSegs', 'InSegs', 'RetransSegs', 'FastRetransSegs', 'EarlyRetransSegs', 'LostSegs', 'RepeatSegs', 'OutBytes'] as const;
const counters = (s: Snmp) => Object.fromEntries(KCP_COUNTERS.map((k) => [k, Number((s as unknown as Record<string, number>)[k] ?? 0)]));

async function runResilientEcho(c: ResumeCase) {
  const start = performance.now();
  const { transport, kind } = await connect(c.relay, { resilient: { transports: c.transports, silence: c.silence } });
  progress.kind = kind;
  const changes: Change[] = [];
  /** Arrival times of the echoed reads, to find the longest stall (the one around the cut). */
  let lastRead = 0;
  let longestStall = { ms: 0, endedAt: 0 };
  transport.addEventListener('transportchange', (e) => {
    const t = e as TransportChangeEvent;
    progress.kind = t.to;
    changes.push({ from: t.from, to: t.to, reason: t.reason, at: performance.now() - start, received: progress.received });
  });
  const session = dial(transport, { crypt: aes, key: c.key, ...sessionOptions(true) });
  const payload = randomBytes(c.bytes);
  try {
    lastRead = performance.now();
    const r = await echo(session, payload, 16384, (n) => {
      const now = performance.now();
      if (now - lastRead > longestStall.ms) longestStall = { ms: now - lastRead, endedAt: now - start };
      lastRead = now;
      progress.received = n;
    });
    return { ...r, kind: transport.kind, startedAt: start, ms: performance.now() - start, changes, longestStall, kcp: counters(session.stats) };
  } finally {
    session.close();
  }
}

Object.assign(window, { runResilientEcho, resumeProgress: progress });
