/** `kcp-web ticket`: Ed25519 keys and signed tickets for a relay started with --ticket-key. */
import { checkTicketUpstream, mintTicket, ticketKeyPair } from '../ticket.js';
import { FlagError } from './kcp-flags.js';
import { parseFlags } from './parse.js';

export const TICKET_HELP = `Usage: kcp-web ticket keygen
       kcp-web ticket mint --key SECRET [--ttl SECONDS] [--subject ID] [--upstream IP:PORT]

keygen prints a new Ed25519 key pair (raw keys, base64): give the public one
to the relay (kcp-web relay --ticket-key PUBLIC), keep the secret one in the
game's back end. mint prints a ticket valid --ttl seconds (default 60) for a
page to pass as connect(url, { token: ticket }); with --upstream, the relay
forwards that session to IP:PORT (if its --allow list contains it) instead
of its own --upstream. In a back end, call mintTicket(secretKey, { ttlSeconds,
subject, upstream }) from 'kcp-web/ticket' instead.`;

export async function runTicket(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'keygen') {
    if (!parseFlags(rest, {}, TICKET_HELP)) return;
    const { publicKey, secretKey } = ticketKeyPair();
    console.log(`public ${publicKey}\nsecret ${secretKey}`);
    return;
  }
  if (sub === 'mint') {
    const v = parseFlags(rest, { key: { type: 'string' }, ttl: { type: 'string', default: '60' }, subject: { type: 'string' }, upstream: { type: 'string' } }, TICKET_HELP);
    if (!v) return;
    if (typeof v.key !== 'string') throw new FlagError('mint: --key SECRET is required (from kcp-web ticket keygen)');
    const ttl = Number(v.ttl);
    if (!(Number.isInteger(ttl) && ttl > 0)) throw new FlagError(`--ttl must be an integer number of seconds > 0; got ${JSON.stringify(v.ttl)}`);
    if (typeof v.upstream === 'string') {
      try {
        checkTicketUpstream(v.upstream);
      } catch (e) {
        throw new FlagError(`--upstream: ${(e as Error).message}`);
      }
    }
    try {
      console.log(mintTicket(v.key, { ttlSeconds: ttl, ...(typeof v.subject === 'string' ? { subject: v.subject } : {}), ...(typeof v.upstream === 'string' ? { upstream: v.upstream } : {}) }));
    } catch (e) {
      throw new FlagError(`--key: ${(e as Error).message}`);
    }
    return;
  }
  if (sub === '--help' || sub === '-h') {
    console.log(TICKET_HELP);
    return;
  }
  throw new FlagError(`expected keygen or mint; got ${JSON.stringify(sub ?? '')}\n${TICKET_HELP}`);
}
