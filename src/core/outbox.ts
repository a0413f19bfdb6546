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
import { Batches } from './_batch.js';

export class Outbox {
  private readonly batches: Batches<Uint8Array, (datagram: Uint8Array) => void>;
  private queued = false;

  /** `shared`: sent by itself at the end of the task; otherwise the owner calls send(). */
  constructor(
    block: BlockCrypt,
    fillNonce: (nonce: Uint8Array) => void,
    readonly shared: boolean,
  ) {
    this.batches = new Batches((datagrams, sends) => {
      sealPackets(block, datagrams, fillNonce);
      for (let i = 0; i < datagrams.length; i++) sends[i]!(datagrams[i]!);
    });
  }

  /** A datagram with room for the crypto header, to be sealed and handed to `send`. */
  push(datagram: Uint8Array, send: (datagram: Uint8Array) => void): void {
    if (this.batches.push(datagram, send)) this.send();
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
