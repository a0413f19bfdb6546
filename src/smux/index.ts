/** smux (xtaci/smux v1/v2) streams over a kcp-web session, and kcptun's snappy framing. */
export type { ByteConn } from './conn.js';
export { defaultSmuxConfig, verifySmuxConfig, SmuxConfigError, type SmuxConfig } from './config.js';
export { SmuxError, SmuxStats, type SmuxErrorCode } from './errors.js';
export { SmuxSession, smuxClient, smuxServer, SMUX_ACCEPT_BACKLOG, type SmuxOptions, type SmuxTimers } from './session.js';
export { SmuxStream } from './stream.js';
export { SnappyConn, SnappyError } from './snappy.js';
export { QuantumPermutationPad, QppRand, qppStream, qppWarnings, type StreamIO } from './qpp.js';
