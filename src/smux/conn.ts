/**
 * The byte stream smux runs over. A kcp-web Session in stream mode is one
 * as it is (`streamMode: true`); SnappyConn wraps one in kcptun's
 * compression; tests use in-memory pipes.
 */
export interface ByteConn {
  /** The next bytes that arrived, in order; null at the end of the stream. */
  read(): Promise<Uint8Array | null>;
  /** Resolves once the bytes are taken (the conn may keep the array until then, not after). */
  write(data: Uint8Array): Promise<void>;
  close(): void;
}
