/**
 * node:crypto (OpenSSL, AES-NI and carry-less multiply) for kcp-go's AEAD,
 * aes-128-gcm: the same bytes as the core's AesGcmBlock, several times as
 * fast even though node:crypto takes a new cipher object per datagram (its
 * GCM cannot be given a new nonce), which is most of the cost.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type CipherGCMTypes, type KeyObject } from 'node:crypto';
import type { BlockCrypt } from '../../core/crypt/types.js';
import { AesGcmBlock, GcmPacketCipher, GCM_NONCE_SIZE, GCM_TAG_SIZE } from '../../core/crypt/aesgcm.js';

class NodeGcm extends GcmPacketCipher {
  private readonly algorithm: CipherGCMTypes;
  /** Made once: createCipheriv then skips importing the raw key for every datagram. */
  private readonly key: KeyObject;

  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new RangeError(`aes-gcm needs a 16, 24 or 32-byte key; got ${key.length}`);
    super();
    this.algorithm = `aes-${key.length * 8}-gcm` as CipherGCMTypes;
    this.key = createSecretKey(key);
  }

  seal(packet: Uint8Array): void {
    const end = packet.length - GCM_TAG_SIZE;
    if (end < GCM_NONCE_SIZE) throw new RangeError(`a sealed packet needs ${GCM_NONCE_SIZE + GCM_TAG_SIZE} bytes of nonce and tag room; got ${packet.length}`);
    const c = createCipheriv(this.algorithm, this.key, packet.subarray(0, GCM_NONCE_SIZE));
    packet.set(c.update(packet.subarray(GCM_NONCE_SIZE, end)), GCM_NONCE_SIZE);
    c.final();
    packet.set(c.getAuthTag(), end);
  }

  open(packet: Uint8Array): boolean {
    const end = packet.length - GCM_TAG_SIZE;
    if (end < GCM_NONCE_SIZE) return false;
    try {
      const d = createDecipheriv(this.algorithm, this.key, packet.subarray(0, GCM_NONCE_SIZE));
      d.setAuthTag(packet.subarray(end));
      const plain = d.update(packet.subarray(GCM_NONCE_SIZE, end));
      d.final(); // throws if the tag does not hold
      packet.set(plain, GCM_NONCE_SIZE);
      return true;
    } catch {
      return false;
    }
  }
}

/** Whether this OpenSSL seals and opens as the core does, at lengths around the block size. */
function works(keyLength: number): boolean {
  try {
    const key = Uint8Array.from({ length: keyLength }, (_, i) => (i * 29 + 7) & 0xff);
    const ref = new AesGcmBlock(key);
    const native = new NodeGcm(key);
    for (const n of [0, 1, 15, 16, 17, 100]) {
      const a = Uint8Array.from({ length: GCM_NONCE_SIZE + n + GCM_TAG_SIZE }, (_, i) => (i * 131 + n) & 0xff);
      const b = a.slice();
      ref.seal(a);
      native.seal(b);
      if (a.some((v, i) => v !== b[i])) return false;
      if (!native.open(b) || !ref.open(a) || a.some((v, i) => v !== b[i])) return false;
    }
    return true;
  } catch {
    return false;
  }
}

const AVAILABLE = new Map<number, boolean>();

/** node:crypto's AES-GCM under the already-sliced key, or undefined if this Node lacks it (or gets it wrong). */
export function createNodeGcm(key: Uint8Array): BlockCrypt | undefined {
  let ok = AVAILABLE.get(key.length);
  if (ok === undefined) AVAILABLE.set(key.length, (ok = works(key.length)));
  return ok ? new NodeGcm(key) : undefined;
}
