/**
 * A transport that outlives its pipe. KCP does not care which pipe carries
 * its datagrams, and the relay holds the session's upstream UDP socket; so
 * when the pipe fails (an error, or silence while the session waits for an
 * answer) or the app asks, this opens the next kind of transport to the
 * same relay, presents the session's resume credential, and carries on:
 * the relay hands the new pipe the same upstream socket, the kcp-go server
 * sees the same address and session, and the Session on top sees a few
 * datagrams lost, which it resends.
 *
 * The relay files each fresh credential under a random claim named when a
 * pipe opens; it is picked up (and refreshed before it expires) over HTTP.
 */
import type { DatagramTransport } from '../core/transport.js';
import { openTransport, type ConnectOptions, type RelayConfig, type ResilienceOptions, type TransportKind } from './open.js';

/** Fired on a ResilientTransport each time another pipe takes the session over. */
export class TransportChangeEvent extends Event {
  constructor(
    /** The kind that carried the session until now. */
    readonly from: TransportKind,
    /** The kind that carries it from now on. */
    readonly to: TransportKind,
    /** Why: the failure ("silent for 3000 ms", "WebSocket closed") or the app's own reason given to switch(). */
    readonly reason: string,
  ) {
    super('transportchange');
  }
}

const DEFAULT_SILENCE_MS = 3000;
const ALL_KINDS: TransportKind[] = ['webtransport', 'webrtc', 'websocket'];
/** How many of the last datagrams sent are sent again over a new pipe, so both ends hear each other at once instead of at their next retransmission timeout. */
const REPLAYED = 4;

function randomClaim(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => alphabet[b & 63]).join('');
}

/** In Node, these timers alone do not keep the process running. */
const unref = (timer: unknown) => (timer as { unref?: () => void }).unref?.();

interface Issued {
  credential: string;
  expiresIn: number;
}

export class ResilientTransport extends EventTarget implements DatagramTransport {
  readonly mtu: number;
  /** Every pipe behind it copies what it is given. */
  readonly sendCopies = true;
  /** Called with each TransportChangeEvent, as addEventListener('transportchange') listeners are. */
  ontransportchange: ((event: TransportChangeEvent) => void) | null = null;

  private current: DatagramTransport | null;
  private currentKind: TransportKind;
  private credential: string | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly watch: ReturnType<typeof setInterval>;
  /** When the session sent the first datagram nothing has answered yet (ms), or null. */
  private unansweredSince: number | null = null;
  private moving: Promise<void> | null = null;
  private closed = false;
  private onDatagram: ((d: Uint8Array, from: string) => void) | null = null;
  private onError: ((e: Error) => void) | null = null;
  private readonly drained: Array<() => void> = [];
  private readonly recent = Array.from({ length: REPLAYED }, () => ({ bytes: new Uint8Array(1500), length: 0 }));
  private recentAt = 0;

  /** Connects over the first kind that opens, with resuming on: what connect(url, { resilient }) returns. */
  static async open(relayUrl: string, config: RelayConfig, options: ConnectOptions, resilience: ResilienceOptions): Promise<{ transport: ResilientTransport; kind: TransportKind; fallbacks: string[] }> {
    if (!config.resume) throw new Error(`the kcp-web relay at ${relayUrl} does not offer resuming (an older relay): connect without resilient`);
    const kinds = (resilience.transports ?? options.transports ?? ALL_KINDS).filter((k) => config.transports.includes(k));
    if (kinds.length === 0) throw new Error(`kcp-web relay at ${relayUrl} offers ${config.transports.join(', ') || 'no transport'}, none of ${(resilience.transports ?? options.transports ?? ALL_KINDS).join(', ')}`);
    const fallbacks: string[] = [];
    for (const kind of kinds) {
      const claim = randomClaim();
      try {
        const pipe = await openTransport(kind, relayUrl, config, options, { claim });
        const t = new ResilientTransport(relayUrl, config, options, resilience, kinds, pipe, kind);
        await t.pickUp({ claim }).catch((e: Error) => {
          t.close();
          throw e;
        });
        return { transport: t, kind, fallbacks };
      } catch (e) {
        fallbacks.push(`${kind}: ${(e as Error).message}`);
      }
    }
    throw new Error(`could not connect to the kcp-web relay at ${relayUrl}: ${fallbacks.join('; ')}`);
  }

  private constructor(
    private readonly relayUrl: string,
    private readonly config: RelayConfig,
    private readonly options: ConnectOptions,
    resilience: ResilienceOptions,
    /** The kinds to move through, in order. */
    private readonly kinds: TransportKind[],
    first: DatagramTransport,
    kind: TransportKind,
  ) {
    super();
    this.mtu = config.mtu;
    const silence = resilience.silence ?? DEFAULT_SILENCE_MS;
    if (!(silence > 0)) throw new RangeError(`resilient.silence must be a number of ms > 0; got ${String(silence)}`);
    this.current = first;
    this.currentKind = kind;
    this.adopt(first);
    this.watch = setInterval(() => {
      if (this.unansweredSince !== null && !this.moving && performance.now() - this.unansweredSince > silence) this.moveOn(`silent for ${silence} ms`);
    }, Math.max(50, silence / 4));
    unref(this.watch);
  }

  /** The kind carrying the session now. */
  get kind(): TransportKind {
    return this.currentKind;
  }

  send(datagram: Uint8Array): void {
    const pipe = this.current;
    if (!pipe) return; // between pipes: lost, and KCP resends it
    const slot = this.recent[this.recentAt++ % REPLAYED]!;
    if (datagram.length <= slot.bytes.length) {
      slot.bytes.set(datagram);
      slot.length = datagram.length;
    }
    this.unansweredSince ??= performance.now();
    pipe.send(datagram);
  }

  receive(onDatagram: (d: Uint8Array, from: string) => void, onError?: (e: Error) => void): void {
    this.onDatagram = onDatagram;
    this.onError = onError ?? null;
  }

  sendRoom(): number {
    const pipe = this.current;
    if (!pipe || this.moving) return 0;
    return pipe.sendRoom ? pipe.sendRoom() : Infinity;
  }

  whenDrained(fn: () => void): void {
    this.drained.push(fn);
    if (this.current) this.current.whenDrained?.(() => fn());
  }

  /**
   * Moves the session to the next kind now (the app's choice: a network
   * change it knows of). Resolves once another pipe carries it; rejects, and
   * the transport fails, when none opens.
   */
  switch(reason = 'asked by the app'): Promise<void> {
    return this.move(reason, false);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watch);
    clearTimeout(this.refreshTimer);
    this.current?.close();
    this.current = null;
  }

  /** Receives from `pipe` while it is the current one; its failure moves the session on. */
  private adopt(pipe: DatagramTransport): void {
    pipe.receive(
      (d, from) => {
        if (pipe !== this.current) return;
        this.unansweredSince = null;
        this.onDatagram?.(d, from);
      },
      (e) => {
        if (pipe === this.current) this.moveOn(e.message);
      },
    );
    if (pipe.whenDrained) for (const fn of this.drained) pipe.whenDrained(() => fn());
  }

  /** The current pipe failed: the next one takes over (a failure to is reported through the receive handler's onError). */
  private moveOn(reason: string): void {
    this.move(reason, true).catch(() => {});
  }

  private move(reason: string, failed: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    this.moving ??= this.reconnect(reason, failed).finally(() => {
      this.moving = null;
    });
    return this.moving;
  }

  private async reconnect(reason: string, failed: boolean): Promise<void> {
    const from = this.currentKind;
    if (failed) {
      // A failed or silent pipe carries nothing more: the next one takes over.
      this.current?.close();
      this.current = null;
    }
    const at = this.kinds.indexOf(from);
    const order = this.kinds.map((_, i) => this.kinds[(at + 1 + i) % this.kinds.length]!);
    const errors: string[] = [];
    for (const kind of order) {
      if (this.closed) return;
      if (!this.credential) break;
      const claim = randomClaim();
      let pipe: DatagramTransport;
      try {
        pipe = await openTransport(kind, this.relayUrl, this.config, this.options, { resume: this.credential, claim });
      } catch (e) {
        // The messages name the request URL: the credential and claim stay out of them (and of any log they reach).
        errors.push(`${kind}: ${(e as Error).message.replace(this.credential, '…').replace(claim, '…')}`);
        // The relay may have taken the credential before the pipe failed: its successor waits under the claim.
        await this.pickUp({ claim }).catch(() => {});
        continue;
      }
      try {
        await this.pickUp({ claim });
      } catch (e) {
        errors.push(`${kind}: ${(e as Error).message}`);
        pipe.close();
        continue;
      }
      if (this.closed) return void pipe.close();
      const before = this.current;
      this.current = pipe;
      this.currentKind = kind;
      this.unansweredSince = null;
      this.adopt(pipe);
      before?.close();
      for (const r of this.recent) if (r.length) pipe.send(r.bytes.subarray(0, r.length));
      const event = new TransportChangeEvent(from, kind, reason);
      this.ontransportchange?.(event);
      this.dispatchEvent(event);
      for (const fn of this.drained) fn();
      return;
    }
    const error = new Error(`the session could not move off ${from} (${reason}): ${errors.join('; ') || 'no resume credential'}`);
    if (failed || !this.current) {
      this.close();
      this.onError?.(error);
    }
    throw error;
  }

  /** Takes the credential filed under a claim, or a newer one for the current credential; schedules its refresh. */
  private async pickUp(ask: { claim: string } | { credential: string }): Promise<void> {
    const doFetch = this.options.fetch ?? globalThis.fetch;
    const url = new URL(this.config.resume?.path ?? '/kcp-web/resume', this.relayUrl).toString();
    const res = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...this.options.headers }, body: JSON.stringify(ask) });
    if (!res.ok) throw new Error(`resume credential: the relay answered ${res.status} ${await res.text()}`);
    const issued = (await res.json()) as Issued;
    if (typeof issued?.credential !== 'string' || !(issued.expiresIn > 0)) throw new Error('resume credential: the relay answered without one');
    this.credential = issued.credential;
    clearTimeout(this.refreshTimer);
    if (this.closed) return;
    this.refreshTimer = setTimeout(() => {
      if (this.credential && !this.moving) void this.pickUp({ credential: this.credential }).catch(() => {});
    }, issued.expiresIn / 2);
    unref(this.refreshTimer);
  }
}
