/**
 * Rotation of the relay's self-signed WebTransport certificate. Browsers pin
 * such a certificate by hash and accept it only while it is valid (at most
 * 14 days; ours are made for 10), and nothing else renews it. So the relay
 * always holds two: the one it serves and the next one, made ahead of time,
 * and publishes both hashes (GET /kcp-web/config → webtransport.certificateHashes)
 * for pages to pin. Every ROTATE_EVERY_MS the next one starts serving and a
 * new next one is made: a page that read the config before the switch has
 * already pinned the certificate served after it, and the served certificate
 * always has 10 - 2 × 4 = 2 days or more left.
 */
import type { CertificateSwap } from './webtransport/types.js';

export const ROTATE_EVERY_MS = 4 * 86_400_000;

export class CertificateRotation {
  private since: number;
  private next: string | undefined;

  constructor(
    private readonly swap: CertificateSwap,
    private current: string,
    private readonly now: () => number,
    private readonly onError: (e: Error) => void = () => {},
  ) {
    this.since = now();
  }

  /** Makes the first next certificate. */
  async start(): Promise<void> {
    await this.prepare();
  }

  /** The served certificate's hash first, then the next one's (when made). */
  get hashes(): string[] {
    return this.next ? [this.current, this.next] : [this.current];
  }

  /** Switches to the next certificate if the served one is due; true if it switched. */
  async check(): Promise<boolean> {
    if (this.now() - this.since < ROTATE_EVERY_MS) return false;
    if (!this.next) {
      // Making the next one failed before: try again now, switch at the next check.
      await this.prepare();
      return false;
    }
    try {
      this.current = await this.swap.promote();
    } catch (e) {
      this.onError(e as Error);
      return false;
    }
    this.next = undefined;
    this.since = this.now();
    await this.prepare();
    return true;
  }

  private async prepare(): Promise<void> {
    try {
      this.next = await this.swap.prepareNext();
    } catch (e) {
      this.onError(e as Error);
    }
  }
}
