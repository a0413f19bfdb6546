/** The `kcp-web` command. */
import { readFileSync } from 'node:fs';
import { runEcho } from './echo.js';
import { runRelay } from './relay.js';
import { runTicket } from './ticket.js';
import { runClient } from './client.js';
import { runServer } from './server.js';
import { FlagError } from './kcp-flags.js';

const USAGE = `Usage: kcp-web <command> [options]

Commands:
  echo    KCP echo server over UDP, in kcptun's stream mode (kcp-web echo --help)
  relay   browser ingress: WebTransport / WebRTC → one UDP upstream (kcp-web relay --help)
  ticket  Ed25519 keys and signed tickets for relays (kcp-web ticket --help)
  client  kcptun's client: TCP in, smux streams over KCP out (kcp-web client --help)
  server  kcptun's server: smux streams over KCP in, TCP out (kcp-web server --help)

  --version  prints kcp-web's version
  --help     prints this

echo, client and server take kcptun's KCP flags (--crypt --key --mode
--datashard --parityshard --mtu --sndwnd --rcvwnd --nodelay --interval
--resend --nc --acknodelay). Usage errors exit with 2, failures with 1.`;

/** A command resolves when done; with an exit code when it ran the work in a child process. */
const COMMANDS: Record<string, (args: string[]) => Promise<number | void>> = { echo: runEcho, relay: runRelay, ticket: runTicket, client: runClient, server: runServer };

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === '--version' || command === '-v') {
    console.log(version());
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? console.error : console.log)(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    const hint = command === 'demo' ? ' (the demo runs from a clone of the repository: npm start)' : '';
    console.error(`kcp-web: unknown command ${JSON.stringify(command)}${hint}; accepted: ${Object.keys(COMMANDS).join(', ')}`);
    return 2;
  }
  try {
    return (await run(args)) ?? 0;
  } catch (e) {
    const usage = e instanceof FlagError || (e instanceof TypeError && e.name === 'OptionError');
    console.error(`kcp-web ${command}: ${(e as Error).message}`);
    return usage ? 2 : 1;
  }
}
