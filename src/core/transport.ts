/**
 * The one thing kcp-web needs from a network: an unreliable, unordered
 * datagram pipe. Each kind (UDP, WebRTC data channel, WebTransport datagrams)
 * lives in its own file and implements this.
 *
 * Addresses are opaque strings ("host:port" for UDP). A connected transport
 * (a client's) ignores `to` and reports its one peer as `from`.
 */
export interface DatagramTransport {
  /** Largest datagram payload, in bytes, this pipe carries without splitting. */
  readonly mtu: number;
  /**
   * Queues one datagram. Never throws for network conditions: errors are
   * delivered to the `onError` handler given to `receive`.
   */
  send(datagram: Uint8Array, to?: string): void;
  /**
   * True if send() is done with `datagram` when it returns (it copied the
   * bytes, or the OS has them): a session then hands over views of the
   * buffers it reuses, and makes no copy per datagram. Absent or false, each
   * datagram is a fresh array the transport may keep.
   */
  readonly sendCopies?: boolean;
  /**
   * Installs the handlers (one receiver per transport; a later call replaces
   * it). The datagram belongs to the receiver from then on.
   */
  receive(onDatagram: (datagram: Uint8Array, from: string) => void, onError?: (error: Error) => void): void;
  /** Releases the pipe; no handler fires afterwards. */
  close(): void;
  /**
   * Optional backpressure, for a pipe with a send buffer (a data channel):
   * how many more datagrams send() takes now before it starts dropping them.
   * A session sends no new segments past it, and resumes on whenDrained.
   */
  sendRoom?(): number;
  /** Registers `fn` to run whenever the send buffer has drained enough to take datagrams again. */
  whenDrained?(fn: () => void): void;
}
