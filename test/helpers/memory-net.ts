/**
 * An in-memory datagram network for unit tests: endpoints by name, delivery
 * on a later macrotask (like a real socket), optional per-datagram filter
 * (drop, tamper, record).
 */
import type { DatagramTransport } from '../../src/core/transport.js';

export type Filter = (datagram: Uint8Array, from: string, to: string) => Uint8Array | null;

export class MemoryNet {
  private readonly endpoints = new Map<string, MemoryEndpoint>();
  filter: Filter | null = null;

  /** `sendCopies`: endpoints copy at send() and say so (DatagramTransport.sendCopies), as kcp-web's own transports do. */
  constructor(readonly sendCopies = false) {}

  /** A transport at `name`; with `peer`, a connected one (send ignores `to`). */
  endpoint(name: string, peer?: string, mtu = 1500): MemoryEndpoint {
    const e = new MemoryEndpoint(this, name, peer ?? null, mtu);
    this.endpoints.set(name, e);
    return e;
  }

  deliver(datagram: Uint8Array, from: string, to: string): void {
    const d = this.filter ? this.filter(datagram, from, to) : datagram;
    if (!d) return;
    setImmediate(() => this.endpoints.get(to)?.arrive(d, from));
  }

  /** Injects a datagram as if `from` had sent it. */
  inject(datagram: Uint8Array, from: string, to: string): void {
    setImmediate(() => this.endpoints.get(to)?.arrive(datagram, from));
  }
}

export class MemoryEndpoint implements DatagramTransport {
  private handler: ((d: Uint8Array, from: string) => void) | null = null;
  closed = false;
  readonly sendCopies: boolean;

  constructor(
    private readonly net: MemoryNet,
    readonly name: string,
    private readonly peer: string | null,
    readonly mtu: number,
  ) {
    this.sendCopies = net.sendCopies;
  }

  send(datagram: Uint8Array, to?: string): void {
    if (this.closed) return;
    this.net.deliver(this.sendCopies ? datagram.slice() : datagram, this.name, this.peer ?? to!);
  }

  receive(onDatagram: (d: Uint8Array, from: string) => void): void {
    this.handler = onDatagram;
  }

  arrive(d: Uint8Array, from: string): void {
    if (!this.closed && this.handler) this.handler(d, from);
  }

  close(): void {
    this.closed = true;
  }
}
