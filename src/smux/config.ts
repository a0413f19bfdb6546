/**
 * smux.Config under its Go names, so settings carry over from Go code and
 * kcptun as they are. Durations are milliseconds here (time.Duration there).
 */
export interface SmuxConfig {
  /** Protocol version, 1 or 2 (2 adds per-stream flow control: UPD frames). */
  Version: 1 | 2;
  /** No NOP frames and no keepalive timeout. */
  KeepAliveDisabled: boolean;
  /** How often a NOP is sent, ms. */
  KeepAliveInterval: number;
  /** The session closes when nothing arrived for this long, ms. */
  KeepAliveTimeout: number;
  /** Largest PSH payload this side sends, 1..65535. */
  MaxFrameSize: number;
  /** Bytes received but not yet read, over all streams, before the session stops reading. */
  MaxReceiveBuffer: number;
  /** v2: the window each stream grants its peer. */
  MaxStreamBuffer: number;
}

/** smux.DefaultConfig(). */
export function defaultSmuxConfig(): SmuxConfig {
  return {
    Version: 1,
    KeepAliveDisabled: false,
    KeepAliveInterval: 10_000,
    KeepAliveTimeout: 30_000,
    MaxFrameSize: 32768,
    MaxReceiveBuffer: 4194304,
    MaxStreamBuffer: 65536,
  };
}

const INT32_MAX = 2147483647;

export class SmuxConfigError extends RangeError {
  override name = 'SmuxConfigError';
}

/** smux.VerifyConfig, with messages that name the setting and its bounds. Returns the completed config. */
export function verifySmuxConfig(config: Partial<SmuxConfig> = {}): SmuxConfig {
  const c: SmuxConfig = { ...defaultSmuxConfig(), ...config };
  const int = (name: keyof SmuxConfig, min: number, max: number) => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new SmuxConfigError(`smux ${name} must be an integer from ${min} to ${max}; got ${String(v)}`);
    }
  };
  if (c.Version !== 1 && c.Version !== 2) throw new SmuxConfigError(`smux Version must be 1 or 2; got ${String(c.Version)}`);
  if (!c.KeepAliveDisabled) {
    int('KeepAliveInterval', 1, INT32_MAX);
    int('KeepAliveTimeout', 1, INT32_MAX);
    if (c.KeepAliveTimeout < c.KeepAliveInterval) {
      throw new SmuxConfigError(`smux KeepAliveTimeout (${c.KeepAliveTimeout} ms) must not be below KeepAliveInterval (${c.KeepAliveInterval} ms)`);
    }
  }
  int('MaxFrameSize', 1, 65535);
  int('MaxReceiveBuffer', 1, INT32_MAX);
  int('MaxStreamBuffer', 1, c.MaxReceiveBuffer);
  return c;
}
