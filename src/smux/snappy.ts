/**
 * kcptun's compression: the snappy framing format (github.com/golang/snappy
 * NewBufferedWriter + NewReader) with a flush after every write, below smux
 * and above KCP. Each write becomes one chunk per 64 KiB: compressed (type 0)
 * when that saves at least 1/8, else stored (type 1), each with the masked
 * CRC-32C of its uncompressed bytes; the stream identifier chunk leads the
 * first write. Blocks are encoded as golang/snappy does (./snappy-encode.ts)
 * and decoded by snappyjs; the framing is here.
 */
import { uncompress } from 'snappyjs';
import { maxEncodedLen, snappyEncode } from './snappy-encode.js';
import type { ByteConn } from './conn.js';
import { maskedCrc32c } from './crc32c.js';
import { ByteQueue } from './byte-queue.js';

const CHUNK_COMPRESSED = 0x00;
const CHUNK_UNCOMPRESSED = 0x01;
const CHUNK_STREAM_ID = 0xff;
/** `ff 06 00 00 "sNaPpY"`. */
export const SNAPPY_STREAM_ID = new Uint8Array([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);
/** Uncompressed bytes in one chunk at most (the framing format's limit). */
export const SNAPPY_MAX_BLOCK = 65536;
/** Largest chunk body golang/snappy's reader accepts: MaxEncodedLen(65536) + the checksum. */
const MAX_CHUNK_LEN = 76490 + 4;
/** Where each block is compressed (every frame() is done with it before returning). */
const scratch = new Uint8Array(maxEncodedLen(SNAPPY_MAX_BLOCK));

export class SnappyError extends Error {
  override name = 'SnappyError';
}

/** Frames one write: the stream identifier (first write only) and one chunk per 64 KiB. */
export class SnappyFramer {
  private wroteStreamId = false;

  frame(data: Uint8Array): Uint8Array {
    const blocks = Math.ceil(data.length / SNAPPY_MAX_BLOCK);
    // A chunk's body is never longer than its block: compressed only when that saves 1/8.
    const out = new Uint8Array((this.wroteStreamId ? 0 : SNAPPY_STREAM_ID.length) + 8 * blocks + data.length);
    let at = 0;
    if (!this.wroteStreamId) {
      this.wroteStreamId = true;
      out.set(SNAPPY_STREAM_ID);
      at = SNAPPY_STREAM_ID.length;
    }
    for (let off = 0; off < data.length; off += SNAPPY_MAX_BLOCK) {
      const block = data.subarray(off, Math.min(data.length, off + SNAPPY_MAX_BLOCK));
      const crc = maskedCrc32c(block);
      const packed = snappyEncode(block, scratch);
      // golang/snappy keeps the compressed form only if it saves at least 12.5%.
      const stored = packed >= block.length - (block.length >>> 3);
      const len = (stored ? block.length : packed) + 4;
      out[at] = stored ? CHUNK_UNCOMPRESSED : CHUNK_COMPRESSED;
      out[at + 1] = len & 0xff;
      out[at + 2] = (len >>> 8) & 0xff;
      out[at + 3] = len >>> 16;
      out[at + 4] = crc & 0xff;
      out[at + 5] = (crc >>> 8) & 0xff;
      out[at + 6] = (crc >>> 16) & 0xff;
      out[at + 7] = crc >>> 24;
      out.set(stored ? block : scratch.subarray(0, packed), at + 8);
      at += 4 + len;
    }
    return out.subarray(0, at);
  }
}

/**
 * Reads chunks from arbitrary pieces of the byte stream. push() bytes in,
 * next() takes the data of the next whole chunk, or null if more bytes are
 * needed. Throws SnappyError on input golang/snappy would reject.
 */
export class SnappyDeframer {
  private readonly pending = new ByteQueue();
  private sawStreamId = false;

  push(bytes: Uint8Array): void {
    this.pending.push(bytes);
  }

  /** Bytes received that do not yet make a whole chunk. */
  get buffered(): number {
    return this.pending.length;
  }

  next(): Uint8Array | null {
    for (;;) {
      if (this.pending.length < 4) return null;
      const head = this.pending.peek(4);
      const type = head[0]!;
      const len = head[1]! | (head[2]! << 8) | (head[3]! << 16);
      if (!this.sawStreamId && type !== CHUNK_STREAM_ID) throw new SnappyError(`snappy: the stream does not start with the stream identifier (chunk type 0x${type.toString(16)})`);
      if (len > MAX_CHUNK_LEN) throw new SnappyError(`snappy: chunk of ${len} bytes is over the ${MAX_CHUNK_LEN}-byte limit`);
      if (this.pending.length < 4 + len) return null;
      this.pending.take(4);
      const body = this.pending.take(len);
      switch (type) {
        case CHUNK_STREAM_ID:
          if (len !== 6 || !body.every((b, i) => b === SNAPPY_STREAM_ID[4 + i])) throw new SnappyError('snappy: bad stream identifier');
          this.sawStreamId = true;
          continue;
        case CHUNK_COMPRESSED:
        case CHUNK_UNCOMPRESSED: {
          if (len < 4) throw new SnappyError(`snappy: chunk of ${len} bytes has no room for its checksum`);
          const crc = (body[0]! | (body[1]! << 8) | (body[2]! << 16) | (body[3]! << 24)) >>> 0;
          let data = body.subarray(4);
          if (type === CHUNK_COMPRESSED) {
            try {
              data = uncompress(data, SNAPPY_MAX_BLOCK);
            } catch (e) {
              throw new SnappyError(`snappy: corrupt compressed chunk (${(e as Error).message})`);
            }
          } else if (data.length > SNAPPY_MAX_BLOCK) {
            throw new SnappyError(`snappy: stored chunk of ${data.length} bytes is over ${SNAPPY_MAX_BLOCK}`);
          }
          if (maskedCrc32c(data) !== crc) throw new SnappyError('snappy: checksum mismatch');
          if (data.length === 0) continue;
          return data;
        }
        default:
          // 0x02-0x7f are reserved unskippable; padding (0xfe) and 0x80-0xfd are skipped.
          if (type <= 0x7f) throw new SnappyError(`snappy: unsupported chunk type 0x${type.toString(16)}`);
          continue;
      }
    }
  }
}

/** A ByteConn that compresses what is written and decompresses what is read (kcptun's CompStream). */
export class SnappyConn implements ByteConn {
  /**
   * Input golang/snappy's reader would reject (bad stream identifier,
   * checksum, compressed block or chunk type; the stream cut inside a
   * chunk): read() rejects with a SnappyError, so a smux session over this
   * conn closes saying why.
   */
  corruptChunks = 0;
  private readonly framer = new SnappyFramer();
  private readonly deframer = new SnappyDeframer();

  constructor(private readonly inner: ByteConn) {}

  write(data: Uint8Array): Promise<void> {
    if (data.length === 0) return Promise.resolve();
    return this.inner.write(this.framer.frame(data));
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const data = this.nextChunk();
      if (data) return data;
      const more = await this.inner.read();
      if (more === null) {
        if (this.deframer.buffered > 0) throw this.corrupt(new SnappyError('snappy: the stream ended inside a chunk'));
        return null;
      }
      this.deframer.push(more);
    }
  }

  private nextChunk(): Uint8Array | null {
    try {
      return this.deframer.next();
    } catch (e) {
      throw e instanceof SnappyError ? this.corrupt(e) : e;
    }
  }

  private corrupt(e: SnappyError): SnappyError {
    this.corruptChunks++;
    return e;
  }

  close(): void {
    this.inner.close();
  }
}
