/**
 * Plain functions behind kcp-web/testing, for any test runner: a kcp-web
 * relay in front of a KCP server (yours, or an in-process kcp-web echo),
 * with its counters, netem and admission at hand, and a log of what it did
 * to keep beside a failed test.
 */
import type { AddressInfo } from 'node:net';
import { listenUdp, type ListenOptions, type Session } from '../index.node.js';
import { Snmp, SNMP_FIELDS, type SnmpField } from '../core/snmp.js';
import { startRelay, type Relay, type RelayOptions, type RelayStats } from '../relay/index.js';
import { mintTicket, ticketKeyPair } from '../ticket.js';

export type SnmpCounters = Record<SnmpField, number>;

/** An in-process kcp-web echo server over UDP: every session writes back what it reads (stream mode, like kcptun's). */
export interface KcpEcho {
  /** "host:port" of its UDP socket. */
  address: string;
  /** Its sessions' SNMP counters summed (kcp-go's names), closed sessions included. */
  stats(): SnmpCounters;
  close(): void;
}

/** Starts a kcp-web echo server on a free UDP port of `host`; `options` must match the clients' (crypt, key, FEC). */
export async function startEcho(options: ListenOptions = {}, host = '127.0.0.1'): Promise<KcpEcho> {
  const listener = await listenUdp(`${host}:0`, { streamMode: true, ...options });
  const sessions: Session[] = [];
  void (async () => {
    for await (const session of listener) {
      sessions.push(session);
      void (async () => {
        try {
          for await (const chunk of session) await session.write(chunk);
        } catch {
          // A dead or closed session has nothing left to echo.
        } finally {
          session.close();
        }
      })();
    }
  })();
  return {
    address: listener.address,
    stats: () => sumSnmp(sessions.map((s) => s.stats)),
    close: () => listener.close(),
  };
}

function sumSnmp(all: Snmp[]): SnmpCounters {
  const total = new Snmp();
  for (const s of all) for (const f of SNMP_FIELDS) total[f] += s[f];
  return { ...total };
}

/** Who the relay lets in: anyone, holders of a shared token, or holders of a signed ticket. */
export type Admission = 'open' | 'token' | 'ticket';

export interface TestRelayOptions {
  /**
   * The KCP server every session is forwarded to ("host:port"): your kcp-go
   * server. Leave it out to get an in-process kcp-web echo, configured by `echo`.
   */
  upstream?: string;
  /** The echo's session options when there is no `upstream` (crypt, key, FEC…: the page's must match). */
  echo?: ListenOptions;
  /** Admission the relay enforces; `connectOptions()` hands the page what it needs. Default 'open'. */
  admission?: Admission;
  /** Emulated loss (fraction, each way) and one-way delay (ms) from the start; change later with `netem()`. */
  loss?: number;
  delay?: number;
  /** Anything else the relay takes (limits, caps, staticDir, webtransportServer…). */
  relay?: Omit<RelayOptions, 'upstream' | 'listen' | 'loss' | 'delay' | 'token' | 'ticketPublicKey' | 'allowNetem'>;
}

export interface Netem {
  loss: number;
  delay: number;
}

export interface TestRelay {
  /** The relay's base URL, as pages pass it to `connect()`. */
  url: string;
  /** Where sessions go ("host:port"). */
  upstream: string;
  /** The in-process echo, when there is no upstream of yours. */
  echo: KcpEcho | null;
  /** What a page passes as `connect(url, options)`: a fresh ticket or the token when admission is on, else {}. */
  connectOptions(): { token?: string };
  /** A fresh signed ticket (admission 'ticket'; throws otherwise). */
  ticket(ttlSeconds?: number): string;
  /** A snapshot of the relay's counters (sessions, datagrams and bytes each way, drops, refusals). */
  stats(): RelayStats;
  /** Reads, and with arguments changes, the emulated loss and delay for every session from now on. */
  netem(change?: Partial<Netem>): Promise<Netem>;
  /** Timestamped lines: start-up, netem changes, and counter changes while it ran. */
  readonly log: readonly string[];
  close(): Promise<void>;
}

/** Starts a relay on a free loopback port in front of `options.upstream` (or a fresh kcp-web echo). */
export async function startTestRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
  const echo = options.upstream ? null : await startEcho(options.echo);
  const upstream = options.upstream ?? echo!.address;
  const admission = options.admission ?? 'open';
  const keys = admission === 'ticket' ? ticketKeyPair() : null;
  const token = admission === 'token' ? `test-${Math.random().toString(36).slice(2)}` : undefined;
  let relay: Relay;
  try {
    relay = await startRelay({
      ...options.relay,
      upstream,
      listen: '127.0.0.1:0',
      loss: options.loss ?? 0,
      delay: options.delay ?? 0,
      // The netem route lets this process change loss and delay on a running relay.
      allowNetem: true,
      ...(token ? { token } : {}),
      ...(keys ? { ticketPublicKey: keys.publicKey } : {}),
    });
  } catch (e) {
    echo?.close();
    throw e;
  }
  const log: string[] = [];
  const started = Date.now();
  const note = (line: string) => log.push(`${((Date.now() - started) / 1000).toFixed(3).padStart(8)}s ${line}`);
  note(`relay ${relay.url} → upstream ${upstream}${echo ? ' (in-process kcp-web echo)' : ''}; admission ${admission}; loss ${options.loss ?? 0}, delay ${options.delay ?? 0} ms; webtransport: ${relay.webtransport}`);
  // Counter changes, sampled: enough to see when traffic stopped or drops began.
  let last = JSON.stringify(relay.stats);
  const sampler = setInterval(() => {
    const now = JSON.stringify(relay.stats);
    if (now !== last) note(`stats ${now}`);
    last = now;
  }, 250);
  sampler.unref();
  const netemUrl = `${relay.url}kcp-web/netem`;
  return {
    url: relay.url,
    upstream,
    echo,
    connectOptions: () => (keys ? { token: mintTicket(keys.secretKey, { ttlSeconds: 300 }) } : token ? { token } : {}),
    ticket(ttlSeconds = 300) {
      if (!keys) throw new Error(`this relay's admission is '${admission}': tickets need admission 'ticket'`);
      return mintTicket(keys.secretKey, { ttlSeconds });
    },
    stats: () => ({ ...relay.stats }),
    async netem(change) {
      const res = change ? await fetch(netemUrl, { method: 'POST', body: JSON.stringify(change) }) : await fetch(netemUrl);
      if (!res.ok) throw new Error(`netem ${JSON.stringify(change)}: ${res.status} ${await res.text()}`);
      const now = (await res.json()) as Netem;
      if (change) note(`netem loss ${now.loss}, delay ${now.delay} ms`);
      return now;
    },
    log,
    async close() {
      clearInterval(sampler);
      note(`closing; stats ${JSON.stringify(relay.stats)}`);
      await relay.close();
      echo?.close();
    },
  };
}

/** The port of a Node server's address, for a URL. */
export const portOf = (address: string | AddressInfo | null): number => (typeof address === 'object' && address ? address.port : 0);
