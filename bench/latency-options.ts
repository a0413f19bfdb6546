import type { SessionOptions } from '../src/core/options.js';

/** What a kcptun user picks for latency: fast3 (nodelay 1, 10 ms interval, fast resend 2, no congestion window), aes, message mode. */
export const LATENCY_KCP: SessionOptions = { key: 'latency', mode: 'fast3', mtu: 1200, sndwnd: 128, rcvwnd: 128 };
