/**
 * kcp-web's Node servers use packages a browser install should not carry
 * (werift for WebRTC, ws for WebSocket): they are optional peer
 * dependencies, imported on first use, with an error that says what to
 * install when one is missing.
 */

/** The installed versions kcp-web's package declares for its optional peers. */
export const OPTIONAL_PEERS = ['werift', 'ws'] as const;

export async function importOptional<T>(name: (typeof OPTIONAL_PEERS)[number], purpose: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new Error(`${purpose} needs the package ${name}, an optional peer dependency of kcp-web: npm install ${name}`);
  }
}
