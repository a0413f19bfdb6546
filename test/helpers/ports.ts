/** Ports the OS hands out, for tests that must bind one address twice (a restarted peer). */
import dgram from 'node:dgram';

/** A UDP port on `host` that was free a moment ago: bound to port 0, read, released. */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, host, resolve);
  });
  const { port } = s.address();
  await new Promise<void>((r) => s.close(r));
  return port;
}
