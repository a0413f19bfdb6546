/**
 * kcp-web's equivalents of kcp-go's own micro benchmarks (crypt_test.go,
 * fec_test.go, kcp_test.go), same sizes and same byte accounting, so the
 * figures sit side by side with `go test -bench`. Pure: runs in Node and in
 * the browser.
 */
import { CRYPT_NAMES, createBlockCrypt, type CipherBackend, type CryptName } from '../src/core/crypt/index.js';
import { crc32 } from '../src/core/crc32.js';
import { FecDecoder, FecEncoder, TYPE_DATA, TYPE_PARITY } from '../src/core/fec.js';
import { Kcp } from '../src/core/kcp.js';

export interface MicroResult {
  /** kcp-go's benchmark name this measure corresponds to. */
  go: string;
  measure: string;
  nsPerOp: number;
  mbPerSec?: number;
  /** MB/s of each run, where the measure is the median of several. */
  runs?: number[];
}

/** kcp-go's benchmark for each cipher name (kcptun's key slicing decides AES's size). */
export const GO_CIPHER_BENCH: Record<Exclude<CryptName, 'null'>, string> = {
  aes: 'BenchmarkAES256',
  'aes-128': 'BenchmarkAES128',
  'aes-192': 'BenchmarkAES192',
  salsa20: 'BenchmarkSalsa20',
  blowfish: 'BenchmarkBlowfish',
  twofish: 'BenchmarkTwofish',
  cast5: 'BenchmarkCast5',
  '3des': 'Benchmark3DES',
  tea: 'BenchmarkTEA',
  xtea: 'BenchmarkXTEA',
  xor: 'BenchmarkXOR',
  sm4: 'BenchmarkSM4',
  'aes-128-gcm': 'BenchmarkAEAD_AES_128_GCM',
  none: 'BenchmarkNone',
};

/** Runs `op` repeatedly for about `ms` after a warm-up; returns ns per call. */
/** Packets per call in the batch rows: a typical burst (a flush slice is up to 64). */
const BURST = 16;

function time(op: () => void, ms: number): number {
  const end0 = performance.now() + ms / 5;
  while (performance.now() < end0) op();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 64; i++) op();
    n += 64;
    now = performance.now();
  }
  return ((now - start) * 1e6) / n;
}

/** `only`: run just the rows whose measure it matches (BENCH_ONLY), instead of timing all and dropping some. */
export function runMicro(opts: { backend?: CipherBackend; ms?: number; progress?: (m: string) => void; only?: RegExp } = {}): MicroResult[] {
  const ms = opts.ms ?? 300;
  const out: MicroResult[] = [];
  const want = (measure: string) => !opts.only || opts.only.test(measure);
  const key = new Uint8Array(32).map((_, i) => i * 7 + 1);
  const mtu = 1500;

  for (const name of CRYPT_NAMES) {
    if (name === 'null') continue;
    const block = createBlockCrypt(name, key, opts.backend)!;
    if (block.aead) {
      // As kcp-go's BenchmarkAEAD_AES_128_GCM: one Seal of a 1400-byte buffer past its 12-byte nonce, counted as 1400 bytes.
      const measure = `${name} seal 1400 B`;
      if (!want(measure)) continue;
      opts.progress?.(`cipher ${name}`);
      const aead = block.aead;
      const packet = new Uint8Array(1400 + aead.overhead).map((_, i) => (i * 31) & 0xff);
      const sealNs = time(() => aead.seal(packet), ms);
      out.push({ go: GO_CIPHER_BENCH[name], measure, nsPerOp: sealNs, mbPerSec: (1400 * 1000) / sealNs });
      continue;
    }
    if (!want(`${name} encrypt+decrypt 1500 B`)) continue;
    opts.progress?.(`cipher ${name}`);
    const data = new Uint8Array(mtu).map((_, i) => (i * 31) & 0xff);
    const enc = new Uint8Array(mtu);
    const dec = new Uint8Array(mtu);
    // As kcp-go's benchCrypt: one encrypt + one decrypt of 1500 bytes, counted as 3000 bytes.
    const ns = time(() => {
      block.encrypt(enc, data);
      block.decrypt(dec, enc);
    }, ms);
    out.push({ go: GO_CIPHER_BENCH[name], measure: `${name} encrypt+decrypt 1500 B`, nsPerOp: ns, mbPerSec: (2 * mtu * 1000) / ns });
    if (block.encryptPackets && block.decryptPackets) {
      // What a session does with such a cipher: the packets one flush (or one
      // input burst) hands over go through one call; still counted per packet.
      const burst = Array.from({ length: BURST }, () => data.slice());
      const burstNs =
        time(() => {
          block.encryptPackets!(burst);
          block.decryptPackets!(burst);
        }, ms) / BURST;
      out.push({ go: GO_CIPHER_BENCH[name], measure: `${name} encrypt+decrypt 1500 B, ${BURST} per call (session bursts)`, nsPerOp: burstNs, mbPerSec: (2 * mtu * 1000) / burstNs });
    }
  }

  if (want('CRC32 1024 B')) {
    opts.progress?.('crc32');
    const content = new Uint8Array(1024);
    // The checksum sessions use: the backend's (node:zlib in Node) if it has one.
    const checksum = opts.backend?.checksum ?? ((d: Uint8Array, start: number) => crc32(d, start));
    const crcNs = time(() => void checksum(content, 0), ms);
    out.push({ go: 'BenchmarkCRC32', measure: 'CRC32 1024 B', nsPerOp: crcNs, mbPerSec: (1024 * 1000) / crcNs });
  }

  if (want('FEC encode 10/3, 1500 B shards')) {
    opts.progress?.('fec encode');
    const encoder = new FecEncoder(10, 3, 0);
    const pkt = new Uint8Array(1500);
    const encNs = time(() => void encoder.encode(pkt), ms);
    out.push({ go: 'BenchmarkFECEncode', measure: 'FEC encode 10/3, 1500 B shards', nsPerOp: encNs, mbPerSec: (1500 * 1000) / encNs });
  }

  if (want('FEC decode 10/3, 1500 B shards, 1/13 lost')) {
    opts.progress?.('fec decode');
    const decoder = new FecDecoder(10, 3);
    let seq = 0;
    // As kcp-go's BenchmarkFECDecode: ~1 in 13 packets lost at random, every iteration counted.
    let rnd = 12345;
    const decPkt = new Uint8Array(1500);
    const decNs = time(() => {
      const i = seq++;
      rnd = (rnd * 1103515245 + 12345) >>> 0;
      if ((rnd >>> 16) % 13 === 0) return;
      new DataView(decPkt.buffer).setUint32(0, i, true);
      decPkt[4] = i % 13 >= 10 ? TYPE_PARITY : TYPE_DATA;
      decPkt[5] = 0;
      decoder.decode(decPkt, 0);
    }, ms);
    out.push({ go: 'BenchmarkFECDecode', measure: 'FEC decode 10/3, 1500 B shards, 1/13 lost', nsPerOp: decNs, mbPerSec: (1500 * 1000) / decNs });
  }

  if (want('KCP flush, 1024 segments in flight')) {
    opts.progress?.('kcp flush');
    // As kcp-go's BenchmarkFlush: 1024 segments sent once, none due again.
    const k = new Kcp(1, () => {}, { clock: () => 1000 });
    k.wndSize(2048, 2048);
    k.noDelay(0, 10, 0, 1);
    k.rmt_wnd = 2048;
    for (let i = 0; i < 1024; i++) k.send(new Uint8Array(1));
    k.flush(false);
    const flushNs = time(() => void k.flush(false), ms);
    out.push({ go: 'BenchmarkFlush', measure: 'KCP flush, 1024 segments in flight', nsPerOp: flushNs });
  }
  return out;
}
