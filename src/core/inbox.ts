/**
 * The checks every incoming datagram passes before KCP sees it, one at a
 * time (openDatagram) or a burst at a time (Inbox).
 */
import { IKCP_OVERHEAD } from './kcp.js';
import { cryptHeaderSize, cryptTrailerSize, openPacket, openPackets } from './crypt/packet.js';
import type { BlockCrypt } from './crypt/types.js';
import type { Snmp } from './snmp.js';
import { MTU_LIMIT, type ResolvedOptions } from './options.js';
import type { Runtime } from './runtime.js';
import { Batches } from './_batch.js';

/**
 * As kcp-go's packetInput: not over the MTU limit, decrypted with a valid
 * CRC (or AEAD tag) when a cipher is set, and at least one KCP header long. Returns the
 * plaintext (FEC header or KCP segments) or null after counting why it was
 * dropped.
 */
export function openDatagram(data: Uint8Array, block: BlockCrypt | null, stats: Snmp): Uint8Array | null {
  if (!fits(data, block, stats)) return null;
  if (block && !openPacket(block, data)) {
    stats.add('InCsumErrors');
    return null;
  }
  return plaintext(data, block, stats);
}

function fits(data: Uint8Array, block: BlockCrypt | null, stats: Snmp): boolean {
  if (data.length > MTU_LIMIT || (block && data.length < cryptHeaderSize(block) + cryptTrailerSize(block))) {
    stats.add('InErrs');
    return false;
  }
  return true;
}

/** An opened datagram between its crypto header and trailer, or null (counted) if no KCP header is left. */
function plaintext(data: Uint8Array, block: BlockCrypt | null, stats: Snmp): Uint8Array | null {
  if (block) data = data.subarray(cryptHeaderSize(block), data.length - cryptTrailerSize(block));
  if (data.length < IKCP_OVERHEAD) {
    stats.add('InErrs');
    return null;
  }
  return data;
}

/**
 * A burst of datagrams opened together, for a cipher with a batch path
 * (node:crypto's AES): one native call per burst instead of one per
 * datagram. The burst ends when the runtime has read the input that has
 * arrived (Runtime.afterInput, in its `opening` lane, so timers and flushes
 * queued for the same turn see it), or at 64 datagrams; then each datagram
 * that passes goes to `deliver`, in arrival order, with the tag it came with
 * (its sender).
 */
export class Inbox<Tag> {
  private readonly batches: Batches<Uint8Array, Tag>;
  private readonly ok: boolean[] = [];
  private queued = false;

  private constructor(
    private readonly block: BlockCrypt,
    private readonly runtime: Runtime & Required<Pick<Runtime, 'afterInput'>>,
    private readonly stats: Snmp,
    deliver: (plain: Uint8Array, tag: Tag) => void,
  ) {
    this.batches = new Batches((datagrams, tags) => {
      const ok = this.ok;
      openPackets(block, datagrams, ok);
      for (let i = 0; i < datagrams.length; i++) {
        if (!ok[i]) {
          stats.add('InCsumErrors');
          continue;
        }
        const plain = plaintext(datagrams[i]!, block, stats);
        if (plain) deliver(plain, tags[i]!);
      }
    });
  }

  /** An inbox where batching pays (a batch cipher and a runtime that can run work after input), else null: open each datagram as it comes. */
  static create<Tag>(options: ResolvedOptions, runtime: Runtime, stats: Snmp, deliver: (plain: Uint8Array, tag: Tag) => void): Inbox<Tag> | null {
    const block = options.block;
    if (!block?.decryptPackets || !runtime.afterInput) return null;
    return new Inbox(block, runtime as Runtime & Required<Pick<Runtime, 'afterInput'>>, stats, deliver);
  }

  /** One datagram of the burst; the array becomes the inbox's (it is decrypted in place). */
  push(data: Uint8Array, tag: Tag): void {
    if (!fits(data, this.block, this.stats)) return;
    if (this.batches.push(data, tag)) this.open();
    else if (!this.queued) {
      this.queued = true;
      this.runtime.afterInput(this.open, true);
    }
  }

  /** Opens and delivers what has arrived, batch after batch (input fed back by deliver joins the next). */
  private readonly open = (): void => {
    this.queued = false;
    this.batches.drain();
  };
}
