/** Node only: a smux stream (or a QPP-wrapped one) as a node:stream Duplex (for net.Socket pipes and the CLI). */
import { Duplex } from 'node:stream';
import type { StreamIO } from './qpp.js';

/** `end()` half-closes (FIN), `destroy()` closes; EOF from the peer ends the readable side. */
export function smuxStreamToDuplex(stream: StreamIO): Duplex {
  let reading = false;
  const duplex: Duplex = new Duplex({
    read() {
      if (reading) return;
      reading = true;
      const next = (): void => {
        stream.read().then(
          (chunk) => {
            if (chunk === null) {
              reading = false;
              duplex.push(null);
            } else if (duplex.push(chunk)) next();
            else reading = false;
          },
          (e: Error) => duplex.destroy(e),
        );
      };
      next();
    },
    write(chunk: Uint8Array, _enc, cb) {
      stream.write(chunk).then(() => cb(), cb);
    },
    final(cb) {
      stream.closeWrite().then(() => cb(), cb);
    },
    destroy(err, cb) {
      stream.close();
      cb(err);
    },
  });
  return duplex;
}
