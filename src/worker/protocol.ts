/**
 * The messages between a page's WorkerSession and the session worker. Bytes
 * travel as transferred ArrayBuffers (with offset and length where the
 * bytes are a view), so nothing is copied on the way.
 */
import type { SessionOptions } from '../core/options.js';
import type { CryptName } from '../core/crypt/types.js';
import type { SnmpField } from '../core/snmp.js';
import type { TransportKind } from '../transports/connect.js';

/** Session options that can cross to a worker: a cipher by name, no objects. */
export interface WorkerSessionOptions extends Omit<SessionOptions, 'crypt' | 'block'> {
  /** A kcptun cipher name (the worker bundles the name table, the page does not). */
  crypt?: CryptName;
  /** Conversation id; random by default. */
  conv?: number;
}

/** Bytes handed over: the buffer is transferred, [offset, offset + length) is the message. */
export interface Bytes {
  buffer: ArrayBuffer;
  offset: number;
  length: number;
}

export type ToWorker =
  /** Opens the session over `kind`, connected inside the worker, or over datagrams the page relays ('bridge'). */
  | { t: 'open'; relay: string; kind: Exclude<TransportKind, 'webrtc'> | 'bridge'; mtu?: number; token?: string; timeout?: number; options: WorkerSessionOptions }
  | { t: 'send'; data: Bytes }
  | { t: 'write'; data: Bytes }
  /** The page consumed this many bytes of what the worker delivered: it may read that much more. */
  | { t: 'credit'; bytes: number }
  /** A datagram the page's data channel received. */
  | { t: 'datagram'; data: Bytes }
  | { t: 'close' };

export interface SessionFigures {
  snmp: Record<SnmpField, number>;
  srtt: number;
  rto: number;
  waitSnd: number;
  stalls: number;
}

export type FromWorker =
  | { t: 'opened'; mss: number; conv: number }
  | { t: 'open-failed'; error: string }
  | { t: 'message'; data: Bytes }
  /** A write of this many bytes is in KCP's queue. */
  | { t: 'written'; bytes: number }
  /** A datagram for the page's data channel. */
  | { t: 'datagram'; data: Bytes }
  | ({ t: 'figures' } & SessionFigures)
  | ({ t: 'closed'; error: string | null } & SessionFigures);

/** `view` as transferable Bytes: its own buffer when it spans all of it, else a copy. */
export function toBytes(view: Uint8Array): Bytes {
  const own = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer;
  const bytes = own ? view : view.slice();
  return { buffer: bytes.buffer as ArrayBuffer, offset: 0, length: bytes.byteLength };
}

export function fromBytes(b: Bytes): Uint8Array {
  return new Uint8Array(b.buffer, b.offset, b.length);
}

/** Bytes delivered to the page before the worker waits for credit. */
export const READ_AHEAD = 256 * 1024;
/** Bytes the page hands back as credit at a time. */
export const CREDIT_BATCH = 64 * 1024;
/** Bytes a page's write() may have on their way to the worker before it waits. */
export const WRITE_AHEAD = 256 * 1024;
/** How often the worker posts the session's counters (ms). */
export const FIGURES_MS = 200;
