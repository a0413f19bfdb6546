/**
 * Datagrams sealed in one batch before they leave, for a cipher with a
 * batch path (BlockCrypt.encryptPackets: node:crypto's AES, where each call
 * costs ~1 µs whatever its size). A session's own outbox is sent at the end
 * of each flush; a listener's, shared by all its sessions, at the end of the
 * task in which they flushed (a microtask), so that a server answering a
 * burst from many peers seals all its replies at once.
 */
import { sealPackets } from './crypt/packet.js';
import type { BlockCrypt } from './crypt/types.js';
import { Batches, BATCH_LIMIT } from './_batch.js';
import { ReusedCopies } from './_copies.js';

export class Outbox {
  private readonly batches: Batches<Uint8Array, (datagram: Uint8Array) => void>;
  private queued = false;
  /** With `reuse`: the copies waiting or being sent; two batches' worth of free ones kept (one running, one filled meanwhile). */
  private readonly copies: ReusedCopies | null;

  /**
   * `shared`: sent by itself at the end of the task; otherwise the owner calls send().
   * `reuse`: the transport is done with a datagram once send() returns (DatagramTransport.sendCopies),
   * so the outbox's copies are reused batch after batch instead of made fresh.
   */
  constructor(
    block: BlockCrypt,
    fillNonce: (nonce: Uint8Array) => void,
    readonly shared: boolean,
    reuse = false,
  ) {
    const copies = (this.copies = reuse ? new ReusedCopies(2 * BATCH_LIMIT) : null);
    this.batches = new Batches((datagrams, sends) => {
      try {
        sealPackets(block, datagrams, fillNonce);
        for (let i = 0; i < datagrams.length; i++) sends[i]!(datagrams[i]!);
      } finally {
        // Batches run in push order: this one's copies are the oldest.
        copies?.release(datagrams.length);
      }
    });
  }

  /**
   * A packet (with room for the crypto header) to be sealed and handed to
   * `send`. The outbox takes a copy: the caller's buffer is reused at once.
   */
  push(packet: Uint8Array, send: (datagram: Uint8Array) => void): void {
    if (this.batches.push(this.copies ? this.copies.take(packet) : packet.slice(), send)) this.send();
    else if (this.shared && !this.queued) {
      this.queued = true;
      queueMicrotask(this.send);
    }
  }

  /** Seals what is waiting in one batch and sends it, in order (at most 64 per batch: a long task seals in parts). */
  readonly send = (): void => {
    this.queued = false;
    this.batches.drain();
  };
}
