/**
 * smux frames (xtaci/smux frame.go): an 8-byte little-endian header
 * `ver u8 | cmd u8 | length u16 | stream id u32` then `length` bytes.
 */
export const HEADER_SIZE = 8;

/** Opens a stream (no payload, no answer; data may follow at once). */
export const CMD_SYN = 0;
/** Ends the sender's direction of a stream: EOF after the data before it. */
export const CMD_FIN = 1;
/** Stream data. */
export const CMD_PSH = 2;
/** Keepalive, stream id 0, no payload. */
export const CMD_NOP = 3;
/** v2 window update: payload `consumed u32 | window u32`. */
export const CMD_UPD = 4;

/** Payload length of an UPD frame. */
export const UPD_SIZE = 8;

/** The send window a v2 stream assumes until the peer's first UPD (smux initialPeerWindow). */
export const INITIAL_PEER_WINDOW = 262144;

export const CMD_NAMES = ['SYN', 'FIN', 'PSH', 'NOP', 'UPD'] as const;

export interface FrameHeader {
  version: number;
  cmd: number;
  length: number;
  sid: number;
}

export function writeHeader(buf: Uint8Array, at: number, version: number, cmd: number, length: number, sid: number): void {
  buf[at] = version;
  buf[at + 1] = cmd;
  buf[at + 2] = length & 0xff;
  buf[at + 3] = length >>> 8;
  buf[at + 4] = sid & 0xff;
  buf[at + 5] = (sid >>> 8) & 0xff;
  buf[at + 6] = (sid >>> 16) & 0xff;
  buf[at + 7] = sid >>> 24;
}

export function readHeader(buf: Uint8Array, at = 0): FrameHeader {
  return {
    version: buf[at]!,
    cmd: buf[at + 1]!,
    length: buf[at + 2]! | (buf[at + 3]! << 8),
    sid: (buf[at + 4]! | (buf[at + 5]! << 8) | (buf[at + 6]! << 16) | (buf[at + 7]! << 24)) >>> 0,
  };
}

/** One whole frame, header and payload, as bytes (tests, tools). */
export function encodeFrame(version: number, cmd: number, sid: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + payload.length);
  writeHeader(out, 0, version, cmd, payload.length, sid);
  out.set(payload, HEADER_SIZE);
  return out;
}

export function readU32(buf: Uint8Array, at: number): number {
  return (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
}

export function writeU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v & 0xff;
  buf[at + 1] = (v >>> 8) & 0xff;
  buf[at + 2] = (v >>> 16) & 0xff;
  buf[at + 3] = v >>> 24;
}
