/** Key derivations: kcptun's passphrase → key, and kcp-go's xor-cipher pad. */
import { pbkdf2Sha1 } from './sha1.js';

/** UTF-8 bytes of a string, as TextEncoder would give them (a lone surrogate becomes U+FFFD); core uses no platform globals. */
export function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const lo = s.charCodeAt(i + 1);
      if (c <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/**
 * kcptun's key: pbkdf2-sha1(passphrase as UTF-8, salt "kcp-go", 4096
 * iterations, 32 bytes). Every cipher takes its key from these 32 bytes.
 */
export function deriveKey(passphrase: string): Uint8Array {
  return pbkdf2Sha1(utf8(passphrase), utf8('kcp-go'), 4096, 32);
}

/** kcp-go's xor pad: pbkdf2-sha1(key, saltxor "sH3CIVoF#rWLtJo6", 32 iterations, mtuLimit = 1500 bytes). */
export function xorPad(key: Uint8Array): Uint8Array {
  return pbkdf2Sha1(key, utf8('sH3CIVoF#rWLtJo6'), 32, 1500);
}
