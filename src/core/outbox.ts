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
import { empty } from './_array.js';

/** Datagrams held for one batch at most: a longer run (one long task) is sealed in parts. */
const OUTBOX_LIMIT = 64;

export class Outbox {
  private datagrams: Uint8Array[] = [];
  private sends: Array<(datagram: Uint8Array) => void> = [];
  private spareDatagrams: Uint8Array[] = [];
  private spareSends: Array<(datagram: Uint8Array) => void> = [];
  private queued = false;
  private sending = false;

  /** `shared`: sent by itself at the end of the task; otherwise the owner calls send(). */
  constructor(
    private readonly block: BlockCrypt,
    private readonly fillNonce: (nonce: Uint8Array) => void,
    readonly shared: boolean,
  ) {}

  /** A datagram with room for the crypto header, to be sealed and handed to `send`. */
  push(datagram: Uint8Array, send: (datagram: Uint8Array) => void): void {
    this.datagrams.push(datagram);
    this.sends.push(send);
    if (this.datagrams.length >= OUTBOX_LIMIT) this.send();
    else if (this.shared && !this.queued) {
      this.queued = true;
      queueMicrotask(this.send);
    }
  }

  /** Seals what is waiting in one batch and sends it, in order; what is pushed meanwhile (a transport that delivers synchronously) follows in the same call. */
  readonly send = (): void => {
    this.queued = false;
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.datagrams.length > 0) this.sendBatch();
    } finally {
      this.sending = false;
    }
  };

  private sendBatch(): void {
    const { datagrams, sends } = this;
    // Datagrams pushed while this batch goes out go to the other arrays, to be sealed in the next.
    this.datagrams = this.spareDatagrams;
    this.sends = this.spareSends;
    try {
      sealPackets(this.block, datagrams, this.fillNonce);
      for (let i = 0; i < datagrams.length; i++) sends[i]!(datagrams[i]!);
    } finally {
      empty(datagrams);
      empty(sends);
      this.spareDatagrams = datagrams;
      this.spareSends = sends;
    }
  }
}
