/** The `kcp-web` command. */
import { runEcho } from './echo.js';
import { runRelay } from './relay.js';
import { runTicket } from './ticket.js';
import { FlagError } from './kcp-flags.js';

const USAGE = `Usage: kcp-web <command> [options]

Commands:
  echo    KCP echo server over UDP (kcp-web echo --help)
  relay   browser ingress: WebTransport/WebRTC → one UDP upstream (kcp-web relay --help)
  ticket  Ed25519 keys and signed tickets for relays (kcp-web ticket --help)

echo takes kcptun's KCP flags (--crypt --key --mode --datashard
--parityshard --mtu --sndwnd --rcvwnd --nodelay --interval --resend --nc).`;

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = { echo: runEcho, relay: runRelay, ticket: runTicket };

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    console.error(`kcp-web: unknown command ${JSON.stringify(command)}; accepted: ${Object.keys(COMMANDS).join(', ')}`);
    return 2;
  }
  try {
    await run(args);
    return 0;
  } catch (e) {
    if (e instanceof FlagError || (e instanceof TypeError && e.name === 'OptionError')) {
      console.error(e.message);
      return 2;
    }
    console.error(`kcp-web ${command}: ${(e as Error).message}`);
    return 1;
  }
}
