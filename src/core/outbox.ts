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
import { empty } from './_array.js';
import { MTU_LIMIT } from './options.js';

/** Copies kept for reuse: two batches' worth (one running, one filled meanwhile). */
const SPARE_SLOTS = 2 * BATCH_LIMIT;

export class Outbox {
  private readonly batches: Batches<Uint8Array, (datagram: Uint8Array) => void>;
  private queued = false;
  /** With `reuse`: the copies waiting or being sent, oldest first from `sentUpTo`, and the free ones. */
  private readonly slots: Uint8Array[] = [];
  private sentUpTo = 0;
  private readonly spare: Uint8Array[] = [];

  /**
   * `shared`: sent by itself at the end of the task; otherwise the owner calls send().
   * `reuse`: the transport is done with a datagram once send() returns (DatagramTransport.sendCopies),
   * so the outbox's copies are reused batch after batch instead of made fresh.
   */
  constructor(
    block: BlockCrypt,
    fillNonce: (nonce: Uint8Array) => void,
    readonly shared: boolean,
    private readonly reuse = false,
  ) {
    this.batches = new Batches((datagrams, sends) => {
      try {
        sealPackets(block, datagrams, fillNonce);
        for (let i = 0; i < datagrams.length; i++) sends[i]!(datagrams[i]!);
      } finally {
        if (reuse) this.release(datagrams.length);
      }
    });
  }

  /**
   * A packet (with room for the crypto header) to be sealed and handed to
   * `send`. The outbox takes a copy: the caller's buffer is reused at once.
   */
  push(packet: Uint8Array, send: (datagram: Uint8Array) => void): void {
    if (this.batches.push(this.copy(packet), send)) this.send();
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

  private copy(packet: Uint8Array): Uint8Array {
    if (!this.reuse) return packet.slice();
    const slot = packet.length > MTU_LIMIT ? new Uint8Array(packet.length) : (this.spare.pop() ?? new Uint8Array(MTU_LIMIT));
    slot.set(packet);
    this.slots.push(slot);
    return slot.subarray(0, packet.length);
  }

  /** The `n` oldest copies were sent (batches run in push order): they are free again. */
  private release(n: number): void {
    const slots = this.slots;
    for (let i = 0; i < n && this.sentUpTo < slots.length; i++) {
      const slot = slots[this.sentUpTo++]!;
      if (slot.length === MTU_LIMIT && this.spare.length < SPARE_SLOTS) this.spare.push(slot);
    }
    if (this.sentUpTo === slots.length) {
      empty(slots);
      this.sentUpTo = 0;
    }
  }
}
