/** `kcp-web echo`: a KCP echo server over UDP; every session writes back what it reads. */
import { DefaultSnmp, listenUdp } from '../index.node.js';
import type { Session } from '../core/session.js';
import { checkHostPort, KCP_FLAGS, KCP_FLAGS_HELP, sessionOptionsFromFlags } from './kcp-flags.js';
import { parseFlags } from './parse.js';

export const ECHO_HELP = `Usage: kcp-web echo --listen HOST:PORT [KCP options]

A KCP echo server over UDP, wire-compatible with kcp-go/kcptun clients.
Sessions run in stream mode, as kcptun's: a session is a byte stream (the
messages a client sends may arrive merged or split), and the echo writes
back the bytes it reads. Clients must set streamMode: true too.
  --listen HOST:PORT  UDP address to listen on (default 127.0.0.1:29900; port 0 picks one)

${KCP_FLAGS_HELP}`;

async function echo(session: Session): Promise<void> {
  try {
    for await (const chunk of session) await session.write(chunk);
  } catch {
    // The session failed (dead link, idle timeout); nothing to echo any more.
  } finally {
    session.close();
  }
}

export async function runEcho(args: string[]): Promise<void> {
  const values = parseFlags(args, { listen: { type: 'string', default: '127.0.0.1:29900' }, ...KCP_FLAGS }, ECHO_HELP);
  if (!values) return;
  const options = sessionOptionsFromFlags(values);
  checkHostPort(values, 'listen');
  const listener = await listenUdp(String(values.listen), options);
  const fec = options.dataShards ? `${options.dataShards}/${options.parityShards}` : `off (--datashard ${String(values.datashard)} --parityshard ${String(values.parityshard)})`;
  console.log(`kcp-web echo listening on ${listener.address} (stream mode, crypt ${options.crypt}, fec ${fec}, mode ${options.mode}, mtu ${options.mtu})`);
  const stop = () => {
    listener.close();
    // The process-wide counters (as kcp-go's DefaultSnmp), for whoever ran us: one JSON line.
    console.log(JSON.stringify({ snmp: DefaultSnmp.copy() }));
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  for await (const session of listener) void echo(session);
}
