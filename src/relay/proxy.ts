/**
 * The client's address behind a load balancer. The per-address cap and the
 * resume credential's binding key on the address a request came from; behind
 * a balancer that is the balancer's, the same for every client. With
 * trusted proxies (CIDRs the operator names), a request whose TCP peer is
 * one of them is taken to come from the rightmost X-Forwarded-For entry that
 * is not itself a trusted proxy: entries to its left were written by the
 * client and may be anything. From any other peer the header is ignored, so
 * a client cannot choose its own address.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { clientIp } from './resume.js';
import { parseCidr } from './upstreams.js';

/** One X-Forwarded-For entry as an address ("a.b.c.d", "a.b.c.d:port", "[v6]" or "[v6]:port"), or null. */
function entryAddress(entry: string): string | null {
  const e = entry.trim();
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(e) ?? /^(\d+\.\d+\.\d+\.\d+)(?::\d+)?$/.exec(e);
  const address = m ? m[1]! : e;
  return isIP(address) ? clientIp(address) : null;
}

export class TrustedProxies {
  private readonly list = new BlockList();

  /** `cidrs` as given by the operator; a TypeError names the bad one. */
  constructor(readonly cidrs: readonly string[]) {
    for (const text of cidrs) {
      const c = parseCidr(text);
      if (typeof c === 'string') throw new TypeError(`${c}; expected an address or CIDR such as 10.0.0.2, 10.0.0.0/8 or fd00::/8; got ${JSON.stringify(text)}`);
      this.list.addSubnet(c.address, c.prefix, c.family);
    }
  }

  private trusts(address: string): boolean {
    const v = isIP(address);
    return v !== 0 && this.list.check(address, v === 4 ? 'ipv4' : 'ipv6');
  }

  /** The address `req` is from: its TCP peer, or (from a trusted proxy) the client the proxies name. */
  clientOf(req: IncomingMessage): string {
    const peer = clientIp(req.socket.remoteAddress ?? '');
    if (this.cidrs.length === 0 || !this.trusts(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const entries = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').filter((e) => e.trim() !== '');
    let client = peer;
    for (let i = entries.length - 1; i >= 0; i--) {
      const address = entryAddress(entries[i]!);
      // What a trusted proxy wrote is an address; anything else is no client to key on: keep the last proxy's.
      if (address === null) return client;
      client = address;
      if (!this.trusts(address)) return address;
    }
    return client;
  }
}
