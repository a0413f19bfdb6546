/**
 * Which UDP servers the relay may forward to. A ticket may name its
 * session's upstream (so one relay fronts many game servers), but the relay
 * opens a socket only towards addresses inside its operator's allow-list:
 * a leaked or forged route cannot turn the relay into a UDP cannon aimed
 * elsewhere. Rules are CIDR:PORTS, e.g. 10.0.0.0/8:29900-29999 or
 * [fd00::/8]:4000,4001; the ticket's host must be an IP address, because a
 * name would be resolved after the check (and could then point anywhere).
 */
import { BlockList, isIP } from 'node:net';
import { formatHostPort, parseHostPort } from '../transports/udp.js';

export interface Upstream {
  host: string;
  port: number;
}

export interface AllowRule extends Cidr {
  /** The rule as written. */
  text: string;
  /** Inclusive port ranges. */
  ports: Array<[number, number]>;
}

const PORTS = /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/;

/** Parses one CIDR:PORTS rule; a TypeError says what is wrong and what is accepted. */
export function parseAllowRule(text: string): AllowRule {
  const bad = (why: string) => new TypeError(`${why}; expected CIDR:PORTS such as 10.0.0.0/8:29900-29999, 127.0.0.1:29900,29901 or [fd00::/8]:4000; got ${JSON.stringify(text)}`);
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([^:]+)$/.exec(text);
  if (!m) throw bad('not CIDR:PORTS');
  const net = parseCidr(m[1] ?? m[2]!);
  if (typeof net === 'string') throw bad(net);
  const portsText = m[3]!;
  if (!PORTS.test(portsText)) throw bad('PORTS must be a port, a range LOW-HIGH, or a comma list of them');
  const ports = portsText.split(',').map((r): [number, number] => {
    const [lo, hi = lo] = r.split('-').map(Number) as [number, number?];
    if (!(lo >= 1 && hi <= 65535 && lo <= hi)) throw bad(`port range ${r} is not within 1-65535, low to high`);
    return [lo, hi];
  });
  return { text, ...net, ports };
}

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** An address with an optional /prefix (a lone address is its own /32 or /128), or why it is not one. */
export function parseCidr(text: string): Cidr | string {
  const [address, prefixText, extra] = text.split('/') as [string, string | undefined, string | undefined];
  const version = isIP(address);
  if (version === 0) return `${JSON.stringify(address)} is not an IP address`;
  if (extra !== undefined) return `${JSON.stringify(text)} has more than one /PREFIX`;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return `the prefix length must be 0 to ${max}`;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The operator's allow-list: forward only to these addresses and ports. */
export class AllowList {
  private readonly rules: Array<{ net: BlockList; ports: Array<[number, number]> }>;

  constructor(readonly entries: AllowRule[]) {
    this.rules = entries.map((r) => {
      const net = new BlockList();
      net.addSubnet(r.address, r.prefix, r.family);
      return { net, ports: r.ports };
    });
  }

  get size(): number {
    return this.rules.length;
  }

  permits(u: Upstream): boolean {
    const version = isIP(u.host);
    if (version === 0) return false;
    const family = version === 4 ? 'ipv4' : 'ipv6';
    return this.rules.some((r) => r.ports.some(([lo, hi]) => u.port >= lo && u.port <= hi) && r.net.check(u.host, family));
  }
}

/** A ticket's upstream claim as an address, or why it is not one. */
export function parseTicketUpstream(value: unknown): Upstream | string {
  if (typeof value !== 'string') return 'the ticket\'s upstream is not a string';
  let u: Upstream;
  try {
    u = parseHostPort(value, 'the ticket\'s upstream');
  } catch (e) {
    return (e as Error).message;
  }
  if (isIP(u.host) === 0) return `the ticket's upstream ${JSON.stringify(value)} must be an IP address and port`;
  if (u.port === 0) return `the ticket's upstream ${JSON.stringify(value)} must name a port from 1 to 65535`;
  return u;
}

export const upstreamKey = (u: Upstream): string => formatHostPort(u.host, u.port);
