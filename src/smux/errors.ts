/** Why a smux session or stream operation failed. */
export type SmuxErrorCode =
  /** The peer sent a frame smux rejects (ErrInvalidProtocol): the session is closed. */
  | 'protocol'
  /** Nothing arrived within KeepAliveTimeout: the session is closed. */
  | 'keepalive'
  /** The connection under the session ended or failed. */
  | 'broken-pipe'
  /** The session or stream is closed (io.ErrClosedPipe). */
  | 'closed'
  /** Stream ids are used up (ErrGoAway): open a new session. */
  | 'goaway'
  /** v2: the peer claimed to have read more than was sent (ErrConsumed). */
  | 'consumed';

export class SmuxError extends Error {
  override name = 'SmuxError';
  constructor(
    readonly code: SmuxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Counters of one smux session. */
export class SmuxStats {
  framesIn = 0;
  framesOut = 0;
  /** Stream payload bytes (PSH) received and sent. */
  bytesIn = 0;
  bytesOut = 0;
  streamsOpened = 0;
  streamsAccepted = 0;
  /** Frames that closed the session: bad version, unknown command, bad length, UPD in v1. */
  protocolErrors = 0;
  /** PSH frames for a stream that is not open here (read and dropped, as smux does). */
  droppedFrames = 0;
  keepaliveTimeouts = 0;
}
