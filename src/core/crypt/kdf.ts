/** Key derivation as kcptun does it, and kcp-go's xor-cipher table. */
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

/** kcptun: pbkdf2-sha1(passphrase, "kcp-go", 4096 iterations, 32 bytes). */
export function deriveKey(passphrase: string): Uint8Array {
  return pbkdf2(sha1, utf8ToBytes(passphrase), utf8ToBytes('kcp-go'), { c: 4096, dkLen: 32 });
}

/** kcp-go's xor cipher: pbkdf2-sha1(key, saltxor, 32 iterations, mtuLimit bytes). */
export function xorTable(key: Uint8Array): Uint8Array {
  return pbkdf2(sha1, key, utf8ToBytes('sH3CIVoF#rWLtJo6'), { c: 32, dkLen: 1500 });
}
