/**
 * node:crypto fast paths for the ciphers OpenSSL has in CFB-128 mode
 * (aes-*-cfb, sm4-cfb) and CFB-64 (des-ede3-cfb): the same bytes as kcp-go's
 * CFB from its fixed IV, in native code. Each is probed once at load; a
 * cipher this OpenSSL lacks falls back to the pure TypeScript one.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { INITIAL_VECTOR, type BlockCrypt, type CipherBackend, type CryptName } from '../../core/crypt/index.js';

const OPENSSL: Partial<Record<CryptName, (keyLength: number) => string>> = {
  aes: (n) => `aes-${n * 8}-cfb`,
  'aes-128': (n) => `aes-${n * 8}-cfb`,
  'aes-192': (n) => `aes-${n * 8}-cfb`,
  sm4: () => 'sm4-cfb',
  '3des': () => 'des-ede3-cfb',
};

const available = new Map<string, boolean>();
function works(algorithm: string, key: Uint8Array, iv: Uint8Array): boolean {
  let ok = available.get(algorithm);
  if (ok === undefined) {
    try {
      createCipheriv(algorithm, key, iv).final();
      ok = true;
    } catch {
      ok = false;
    }
    available.set(algorithm, ok);
  }
  return ok;
}

class NodeCfb implements BlockCrypt {
  constructor(
    private readonly algorithm: string,
    private readonly key: Uint8Array,
    private readonly iv: Uint8Array,
  ) {}
  private run(cipher: ReturnType<typeof createCipheriv>, dst: Uint8Array, src: Uint8Array): void {
    // CFB is a stream mode: update() returns exactly src.length bytes.
    const out = cipher.update(src);
    dst.set(out);
  }
  encrypt(dst: Uint8Array, src: Uint8Array): void {
    this.run(createCipheriv(this.algorithm, this.key, this.iv), dst, src);
  }
  decrypt(dst: Uint8Array, src: Uint8Array): void {
    this.run(createDecipheriv(this.algorithm, this.key, this.iv) as unknown as ReturnType<typeof createCipheriv>, dst, src);
  }
}

export const nodeCipherBackend: CipherBackend = {
  create(name, key) {
    const algo = OPENSSL[name]?.(key.length);
    if (!algo) return undefined;
    const iv = INITIAL_VECTOR.subarray(0, name === '3des' ? 8 : 16);
    return works(algo, key, iv) ? new NodeCfb(algo, key, iv) : undefined;
  },
};
